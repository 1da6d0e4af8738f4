from akta.contracts import Envelope
from akta.contracts.cases import CaseCreated
from akta.contracts.retention import RetentionEntryRecorded
from akta_retention.service_layer.handlers import track_case
from tests.support.fakes import FakeRetentionEntryRepository, FakeUnitOfWork


def _envelope(event: CaseCreated, tenant: str = "t-1") -> Envelope:
    return Envelope.wrap(event, tenant=tenant, actor="user:u", correlation_id="corr")


def test_a_created_case_is_tracked_once():
    uow = FakeUnitOfWork((RetentionEntryRecorded,), entries=FakeRetentionEntryRepository())
    event = CaseCreated(case_id="c-1", number="2026/000001", title="A", status="open")
    with uow:
        track_case(event, envelope=_envelope(event), uow=uow)
        track_case(event, envelope=_envelope(event), uow=uow)
        uow.commit()
    [entry] = uow.entries.entries
    assert (entry.tenant_id, entry.item_kind, entry.item_id, entry.item_reference) == ("t-1", "case", "c-1", "2026/000001")
    assert [e.type for e in uow.outbox] == ["retention.entry.recorded.v1"]
