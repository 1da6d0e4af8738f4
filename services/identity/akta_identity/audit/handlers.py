"""The audit trail's event handler. It runs inside the worker's transaction and never records
audit of its own: appending is not an audited action, and doing so would loop."""

from __future__ import annotations

import structlog

from akta.bus.worker import event_context
from akta.contracts import Envelope
from akta.contracts.audit import AuditRecorded
from akta.db.unit_of_work import UnitOfWork
from akta_identity.audit.trail import record_from_event

log = structlog.get_logger("akta.identity.audit")


def record_audit(events: list[tuple[AuditRecorded, Envelope]], uow: UnitOfWork) -> None:
    records = [record_from_event(event, envelope) for event, envelope in events]
    appended = {linked["record_id"] for linked in uow.audit_trail.append_all(records)}
    for record, (_, envelope) in zip(records, events, strict=True):
        if record["record_id"] not in appended:
            with event_context(envelope):
                log.info("audit record already in the trail", record_id=record["record_id"])
