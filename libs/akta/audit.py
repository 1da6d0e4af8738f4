"""Recording audited actions: each service stages its audit event in the transaction of the
change it describes; identity appends every service's records to its hash chain.

    with uow:
        case.close(...)
        audit.record(uow, case.tenant_id, "change", "case", case.id, fields="status")
        uow.commit()

Reads change nothing, so they are recorded at read time in a transaction of their own:

    audit.record_read(service, principal.tenant_id, "case", case_id)
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from akta import context
from akta.contracts.audit import AuditRecorded, DetailValue, Outcome
from akta.contracts.registry import EVENT_TYPES
from akta.db.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from akta.service import Service


class NoAuditEventType(Exception):
    """The service does not declare exactly one audit event type among its published events."""


def record(
    uow: UnitOfWork,
    tenant_id: str,
    action: str,
    entity_type: str,
    entity_id: str,
    outcome: Outcome = "success",
    **details: DetailValue,
) -> AuditRecorded:
    """Stage an audit record in `uow`'s open transaction (call it inside `with uow:`), under the
    message context in force now: it commits or rolls back with the change."""
    work = context.current()
    event = audit_event_type(uow)(
        record_id=uuid.uuid4(),
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        outcome=outcome,
        occurred_at=datetime.now(UTC),
        client_ip=work.client_ip,
        user_agent=work.user_agent,
        details=details,
    )
    uow.stage_event(tenant_id, event)
    return event


def record_read(
    service: Service,
    tenant_id: str,
    entity_type: str,
    entity_id: str,
    outcome: Outcome = "success",
    action: str = "read",
    **details: DetailValue,
) -> AuditRecorded:
    """Record a read (or, with `action`, a download or export) now, in its own transaction."""
    with service.unit_of_work() as uow:
        event = record(uow, tenant_id, action, entity_type, entity_id, outcome, **details)
        uow.commit()
    return event


def audit_event_type(uow: UnitOfWork) -> type[AuditRecorded]:
    """The one audit event type among those the unit of work's service publishes."""
    found = [
        EVENT_TYPES[event_type]
        for event_type in sorted(uow.publishes)
        if event_type in EVENT_TYPES and issubclass(EVENT_TYPES[event_type], AuditRecorded)
    ]
    if len(found) != 1:
        raise NoAuditEventType(
            "a service records audit through exactly one audit event type in its PUBLISHED_EVENTS "
            f"(e.g. CasesAuditRecorded from akta.contracts.audit); found {[t.event_type for t in found]}"
        )
    return found[0]
