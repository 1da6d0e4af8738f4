from datetime import UTC, datetime

import pytest

from akta import context
from akta.contracts.audit import CasesAuditRecorded
from akta.contracts.cases import CaseCreated, CaseUpdated
from akta.db.unit_of_work import UndeclaredEvent
from akta_cases.archive_plan.model import CaseTemplate
from akta_cases.domain import commands
from akta_cases.domain.model import Case, CaseNumber
from akta_cases.service_layer import handlers
from tests.support.access import writer
from tests.support.fakes import FakeArchivePlanRepository, FakeCaseRepository, FakeUnitOfWork


def _uow(publishes=(CaseCreated, CaseUpdated, CasesAuditRecorded)) -> FakeUnitOfWork:
    template = CaseTemplate.create("t-1", "Elevsag", datetime.now(UTC), access_group_id="ag")
    template.events.clear()
    return FakeUnitOfWork(publishes, cases=FakeCaseRepository(), archive_plan=FakeArchivePlanRepository(template))


def _create(uow):
    [template_id] = [t.id for t in uow.archive_plan.templates.values()]
    handlers.create_case(commands.CreateCase("t-1", "Elevsag", template_id=template_id), uow, writer("t-1", "ag"))


def test_committed_events_carry_the_correlation_and_actor_of_the_work():
    uow = _uow()
    with context.bound(context.MessageContext(correlation_id="corr-9", actor="user:u-1")):
        _create(uow)
    [envelope] = [e for e in uow.outbox if e.type == "cases.case.created.v1"]
    assert envelope.correlationid == "corr-9"
    assert envelope.actor == "user:u-1"
    assert envelope.tenant == "t-1"
    assert envelope.type == "cases.case.created.v1"


def test_nothing_is_written_unless_commit_is_called():
    uow = _uow()
    with uow:
        uow.cases.add(Case.open("t-1", CaseNumber(2026, 1), "x", "user:u", datetime.now(UTC), "ag"))
    assert uow.outbox == [] and uow.commits == 0


def test_a_service_cannot_publish_an_event_it_does_not_declare():
    uow = _uow(publishes=(CaseUpdated, CasesAuditRecorded))
    with pytest.raises(UndeclaredEvent):
        _create(uow)
    assert uow.outbox == []
