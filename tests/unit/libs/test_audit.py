import uuid

import pytest
from pydantic import ValidationError

from akta import audit, context
from akta.contracts.audit import CasesAuditRecorded, RetentionAuditRecorded
from akta.contracts.cases import CaseCreated
from tests.support.fakes import FakeUnitOfWork

REQUEST = context.MessageContext(
    correlation_id="corr-7", actor="user:u-1", client_ip="192.0.2.10", user_agent="Firefox/140"
)


def _uow(publishes=(CaseCreated, CasesAuditRecorded)) -> FakeUnitOfWork:
    return FakeUnitOfWork(publishes)


def test_a_record_commits_with_the_change_under_the_context_of_the_request():
    uow = _uow()
    with context.bound(REQUEST), uow:
        event = audit.record(uow, "t-1", "change", "case", "c-1", fields="title", version=3)
        uow.commit()
    [envelope] = uow.outbox
    assert envelope.type == "cases.audit.recorded.v1"
    assert (envelope.tenant, envelope.actor, envelope.correlationid) == ("t-1", "user:u-1", "corr-7")
    assert envelope.subject == str(event.record_id)
    assert envelope.data["action"] == "change"
    assert (envelope.data["entity_type"], envelope.data["entity_id"]) == ("case", "c-1")
    assert envelope.data["outcome"] == "success"
    assert (envelope.data["client_ip"], envelope.data["user_agent"]) == ("192.0.2.10", "Firefox/140")
    assert envelope.data["details"] == {"fields": "title", "version": 3}
    assert uuid.UUID(envelope.data["record_id"])


def test_a_record_is_rolled_back_with_the_change():
    uow = _uow()
    with uow:
        audit.record(uow, "t-1", "delete", "case", "c-1")
    assert uow.outbox == [] and uow.commits == 0


def test_a_record_is_staged_at_once_under_the_context_in_force_then():
    uow = _uow()
    with uow:
        with context.bound(REQUEST):
            audit.record(uow, "t-1", "read", "case", "c-1", outcome="denied")
        with context.bound(context.MessageContext(correlation_id="later", actor="user:other")):
            uow.commit()
    [envelope] = uow.outbox
    assert (envelope.actor, envelope.correlationid) == ("user:u-1", "corr-7")
    assert envelope.data["outcome"] == "denied"


def test_a_service_without_an_audit_event_type_is_told_what_to_declare():
    uow = _uow(publishes=(CaseCreated,))
    with uow, pytest.raises(audit.NoAuditEventType, match="exactly one audit event type"):
        audit.record(uow, "t-1", "read", "case", "c-1")


def test_a_service_with_two_audit_event_types_is_refused():
    uow = _uow(publishes=(CasesAuditRecorded, RetentionAuditRecorded))
    with uow, pytest.raises(audit.NoAuditEventType, match="cases.audit.recorded.v1"):
        audit.record(uow, "t-1", "read", "case", "c-1")


def test_details_are_simple_values_only():
    uow = _uow()
    with uow, pytest.raises(ValidationError):
        audit.record(uow, "t-1", "read", "case", "c-1", parties=["Anna", "Bo"])


def test_an_unknown_outcome_is_refused():
    uow = _uow()
    with uow, pytest.raises(ValidationError):
        audit.record(uow, "t-1", "read", "case", "c-1", outcome="maybe")


class ServiceWithFakeUnitOfWork:
    def __init__(self) -> None:
        self.units: list[FakeUnitOfWork] = []

    def unit_of_work(self) -> FakeUnitOfWork:
        self.units.append(_uow())
        return self.units[-1]


def test_a_read_is_recorded_and_committed_at_once():
    service = ServiceWithFakeUnitOfWork()
    with context.bound(REQUEST):
        audit.record_read(service, "t-1", "case", "c-1", page=2)
    [uow] = service.units
    [envelope] = uow.outbox
    assert uow.commits == 1
    assert envelope.data["action"] == "read" and envelope.data["details"] == {"page": 2}


def test_a_download_is_a_read_with_its_own_action():
    service = ServiceWithFakeUnitOfWork()
    audit.record_read(service, "t-1", "document", "d-1", action="download", version=4)
    [envelope] = service.units[0].outbox
    assert envelope.data["action"] == "download"
