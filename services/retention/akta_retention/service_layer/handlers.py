"""Event handlers of the retention service. They run inside the worker's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from akta.access import replica as access_replica
from akta.bus.worker import PreparedHandler
from akta.contracts import Envelope
from akta.contracts.cases import CaseCreated, CaseUpdated
from akta.db.unit_of_work import UnitOfWork
from akta_retention.domain.model import RetentionEntry

log = structlog.get_logger("akta.retention")


def track_case(event: CaseCreated | CaseUpdated, envelope: Envelope, uow: UnitOfWork) -> None:
    version = event.version if isinstance(event, CaseUpdated) else 1
    entry = uow.entries.for_item(envelope.tenant, "case", event.case_id)
    if entry is not None:
        entry.follow_access(event.access_group_id, event.screening_code, version)
        return
    entry = RetentionEntry.track(
        envelope.tenant, "case", event.case_id, event.number, datetime.now(UTC),
        event.access_group_id, event.screening_code, version,
    )
    uow.entries.add(entry)
    log.info("retention entry recorded", case_id=event.case_id, case_number=event.number)


# Before the worker handles a batch: its cases' entries in one query per tenant, not one per event.
def load_tracked_cases(events: list[tuple[CaseCreated | CaseUpdated, Envelope]], uow: UnitOfWork) -> None:
    case_ids: dict[str, list[str]] = {}
    for event, envelope in events:
        case_ids.setdefault(envelope.tenant, []).append(event.case_id)
    for tenant_id, ids in case_ids.items():
        uow.entries.load_items(tenant_id, "case", ids)


EVENT_HANDLERS = {
    "track_case": PreparedHandler(track_case, prepare=load_tracked_cases),
    **access_replica.HANDLERS,
}
