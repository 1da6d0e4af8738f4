"""Event handlers of the retention service. They run inside the worker's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from akta.contracts import Envelope
from akta.contracts.cases import CaseCreated
from akta.db.unit_of_work import UnitOfWork
from akta_retention.domain.model import RetentionEntry

log = structlog.get_logger("akta.retention")


def track_case(event: CaseCreated, envelope: Envelope, uow: UnitOfWork) -> None:
    if uow.entries.for_item(envelope.tenant, "case", event.case_id) is not None:
        return
    entry = RetentionEntry.track(
        envelope.tenant, "case", event.case_id, event.number, datetime.now(UTC)
    )
    uow.entries.add(entry)
    log.info("retention entry recorded", case_id=event.case_id, case_number=event.number)


EVENT_HANDLERS = {"track_case": track_case}
