from datetime import UTC, datetime

import pytest

from akta.errors import Forbidden
from akta_cases.archive_plan.model import ArchiveClass, CaseTemplate
from akta_cases.bootstrap import PUBLISHED_EVENTS
from akta_cases.domain import commands
from akta_cases.domain.model import CaseNotFound
from akta_cases.service_layer import handlers
from tests.support.access import reader, writer
from tests.support.fakes import (
    FakeArchivePlanRepository,
    FakeCaseRepository,
    FakeTaskRepository,
    FakeUnitOfWork,
)

AG = "ag-1"
NOW = datetime(2026, 11, 21, tzinfo=UTC)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    templates = FakeArchivePlanRepository(
        *(CaseTemplate.create(tenant, "Elevsag", NOW, access_group_id=AG) for tenant in ("t-1", "t-2"))
    )
    return FakeUnitOfWork(PUBLISHED_EVENTS, cases=FakeCaseRepository(), archive_plan=templates, tasks=FakeTaskRepository())


def _template_id(uow, tenant) -> str:
    return next(t.id for (t_tenant, _), t in uow.archive_plan.templates.items() if t_tenant == tenant)


def create(uow, tenant, title, scope=None, **fields):
    command = commands.CreateCase(tenant, title, template_id=_template_id(uow, tenant), **fields)
    return handlers.create_case(command, uow, scope or writer(tenant, AG))


def test_cases_are_numbered_per_tenant(uow):
    first = create(uow, "t-1", "A")
    second = create(uow, "t-1", "B")
    other = create(uow, "t-2", "C")
    assert first.number.endswith("/000001")
    assert second.number.endswith("/000002")
    assert other.number.endswith("/000001")


def test_updating_publishes_the_change(uow):
    case = create(uow, "t-1", "A")
    handlers.update_case(commands.UpdateCase("t-1", case.id, status="closed"), uow, writer("t-1", AG))
    types = sorted(e.type for e in uow.outbox)
    assert types == ["cases.audit.recorded.v1"] * 2 + ["cases.case.closed.v1", "cases.case.created.v1", "cases.case.updated.v1"]


def test_another_tenants_case_is_not_found(uow):
    case = create(uow, "t-1", "A")
    with pytest.raises(CaseNotFound):
        handlers.update_case(commands.UpdateCase("t-2", case.id, title="Mine now"), uow, writer("t-2", AG))
    assert uow.cases.get("t-1", case.id).title == "A"


def test_without_a_write_grant_nothing_is_created(uow):
    with pytest.raises(Forbidden):
        create(uow, "t-1", "A", scope=reader("t-1", AG))
    with pytest.raises(Forbidden):
        create(uow, "t-1", "A", screening_code="pupil")
    assert uow.outbox == []


def test_a_reader_may_not_change_and_a_stranger_does_not_see(uow):
    case = create(uow, "t-1", "A")
    with pytest.raises(Forbidden):
        handlers.update_case(commands.UpdateCase("t-1", case.id, title="B"), uow, reader("t-1", AG))
    with pytest.raises(CaseNotFound):
        handlers.update_case(commands.UpdateCase("t-1", case.id, title="B"), uow, writer("t-1", "other-group"))
    assert uow.cases.get("t-1", case.id).title == "A"


def test_a_case_grant_reaches_one_case_only(uow):
    case = create(uow, "t-1", "A")
    other = create(uow, "t-1", "B")
    one_case = writer("t-1")
    one_case = type(one_case)("t-1", read_cases=frozenset({case.id}), write_cases=frozenset({case.id}))
    handlers.update_case(commands.UpdateCase("t-1", case.id, title="A2"), uow, one_case)
    with pytest.raises(CaseNotFound):
        handlers.update_case(commands.UpdateCase("t-1", other.id, title="B2"), uow, one_case)


def test_changes_are_audited_in_the_same_commit(uow):
    case = create(uow, "t-1", "A")
    audit_records = [e for e in uow.outbox if e.type == "cases.audit.recorded.v1"]
    assert [(r.data["action"], r.data["entity_id"]) for r in audit_records] == [("create", case.id)]


def test_case_events_carry_the_class_code_from_the_archive_plan(uow):
    pupils = ArchiveClass.create("t-1", "17.02.00", "Elever", None, None, None, NOW)
    absence = ArchiveClass.create("t-1", "17.02.05", "Fravær", pupils, None, None, NOW)
    uow.archive_plan.add(pupils)
    uow.archive_plan.add(absence)
    case = create(uow, "t-1", "A", class_id=pupils.id)
    uow.cases.cases[("t-1", case.id)].class_code = None  # as a case loaded from the database has it
    handlers.update_case(commands.UpdateCase("t-1", case.id, title="A2"), uow, writer("t-1", AG))
    handlers.update_case(commands.UpdateCase("t-1", case.id, class_id=absence.id), uow, writer("t-1", AG))
    handlers.close_case(uow, writer("t-1", AG), "t-1", case.id)
    events = [e.data for e in uow.outbox if e.type in ("cases.case.created.v1", "cases.case.updated.v1")]
    assert [(e.get("changed_fields"), e["class_id"], e["class_code"]) for e in events] == [
        (None, pupils.id, "17.02.00"),
        (["title"], pupils.id, "17.02.00"),
        (["class_id"], absence.id, "17.02.05"),
        (["status"], absence.id, "17.02.05"),
    ]

