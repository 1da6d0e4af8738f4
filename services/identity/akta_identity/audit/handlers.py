"""The audit trail's event handler. It runs inside the worker's transaction and never records
audit of its own: appending is not an audited action, and doing so would loop."""

from __future__ import annotations

import structlog

from akta.contracts import Envelope
from akta.contracts.audit import AuditRecorded
from akta.db.unit_of_work import UnitOfWork
from akta_identity.audit.trail import record_from_event

log = structlog.get_logger("akta.identity.audit")


def record_audit(event: AuditRecorded, envelope: Envelope, uow: UnitOfWork) -> None:
    appended = uow.audit_trail.append(record_from_event(event, envelope))
    if appended is None:
        log.info("audit record already in the trail", record_id=str(event.record_id))
