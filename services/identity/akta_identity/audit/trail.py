"""Appending to the audit trail: one row per record, chained to the tenant's previous one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from akta.contracts import Envelope
from akta.contracts.audit import AuditRecorded
from akta_identity.audit import chain
from akta_identity.audit.tables import audit_chain_heads, audit_records


def record_from_event(event: AuditRecorded, envelope: Envelope) -> dict[str, Any]:
    """The fields of an audit row, before it is chained."""
    return {
        "tenant_id": envelope.tenant,
        "record_id": str(event.record_id),
        "event_id": envelope.id,
        "service": event.producer(),
        # The envelope does not bound these; the columns do.
        "actor": envelope.actor[:200],
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "outcome": event.outcome,
        "occurred_at": event.occurred_at,
        "client_ip": event.client_ip,
        "user_agent": event.user_agent,
        "correlation_id": envelope.correlationid[:128],
        "details": dict(event.details),
    }


class AuditTrail:
    """Append-only: there is no method to change or remove a record."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """Chain `record` after its tenant's last one; None when its record id is already in."""
        known = self.session.scalar(
            select(audit_records.c.sequence).where(audit_records.c.record_id == record["record_id"])
        )
        if known is not None:
            return None
        tenant_id = record["tenant_id"]
        last_sequence, last_hash = self._locked_head(tenant_id)
        linked = chain.chained(record, last_sequence + 1, last_hash)
        self.session.execute(insert(audit_records).values(**linked))
        self.session.execute(
            update(audit_chain_heads)
            .where(audit_chain_heads.c.tenant_id == tenant_id)
            .values(last_sequence=linked["sequence"], last_hash=linked["hash"])
        )
        return linked

    def _locked_head(self, tenant_id: str) -> tuple[int, str]:
        """The tenant's chain head, locked until commit so that two workers appending for the
        same tenant take turns instead of forking the chain."""
        dialect = self.session.get_bind().dialect.name
        insert_head = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(audit_chain_heads)
        self.session.execute(
            insert_head.values(tenant_id=tenant_id, last_sequence=0, last_hash=chain.GENESIS_HASH)
            .on_conflict_do_nothing(index_elements=["tenant_id"])
        )
        query = select(audit_chain_heads.c.last_sequence, audit_chain_heads.c.last_hash).where(
            audit_chain_heads.c.tenant_id == tenant_id
        )
        if dialect == "postgresql":
            query = query.with_for_update()
        # SQLite needs no row lock: every write transaction there begins IMMEDIATE, one at a time.
        last_sequence, last_hash = self.session.execute(query).one()
        return last_sequence, last_hash
