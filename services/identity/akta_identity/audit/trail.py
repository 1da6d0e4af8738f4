"""Appending to the audit trail: a batch of records at a time, each chained to its tenant's
previous one."""

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

    def append_all(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Chain `records` in their order after their tenants' last ones; returns those appended,
        linked. A record whose record id is already in the trail, or earlier in `records`, is left
        out."""
        if not records:
            return []
        heads = self._locked_heads({record["tenant_id"] for record in records})
        # Looked up only once the heads are locked: a concurrent append of the same record has
        # committed by then, and is seen.
        seen = self._known_record_ids([record["record_id"] for record in records])
        appended = []
        for record in records:
            if record["record_id"] in seen:
                continue
            seen.add(record["record_id"])
            last_sequence, last_hash = heads[record["tenant_id"]]
            linked = chain.chained(record, last_sequence + 1, last_hash)
            heads[record["tenant_id"]] = (linked["sequence"], linked["hash"])
            appended.append(linked)
        if appended:
            # One statement for all rows (psycopg pipelines them). Not `.values(rows)`: SQLAlchemy
            # compiles a multi-row VALUES anew for every batch, which made the append about 5 times slower.
            self.session.execute(insert(audit_records), appended)
        for tenant_id in sorted({linked["tenant_id"] for linked in appended}):
            last_sequence, last_hash = heads[tenant_id]
            self.session.execute(
                update(audit_chain_heads)
                .where(audit_chain_heads.c.tenant_id == tenant_id)
                .values(last_sequence=last_sequence, last_hash=last_hash)
            )
        return appended

    def _known_record_ids(self, record_ids: list[str]) -> set[str]:
        query = select(audit_records.c.record_id).where(audit_records.c.record_id.in_(record_ids))
        return set(self.session.scalars(query))

    def _locked_heads(self, tenant_ids: set[str]) -> dict[str, tuple[int, str]]:
        """The tenants' chain heads (created when missing), locked until commit so that two
        workers appending for the same tenant take turns instead of forking the chain. Always
        in tenant order: two workers whose batches share tenants wait for each other instead of
        deadlocking."""
        ordered = sorted(tenant_ids)
        dialect = self.session.get_bind().dialect.name
        insert_heads = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(audit_chain_heads)
        self.session.execute(
            insert_heads.on_conflict_do_nothing(index_elements=["tenant_id"]),
            [{"tenant_id": tenant_id, "last_sequence": 0, "last_hash": chain.GENESIS_HASH} for tenant_id in ordered],
        )
        query = (
            select(audit_chain_heads.c.tenant_id, audit_chain_heads.c.last_sequence, audit_chain_heads.c.last_hash)
            .where(audit_chain_heads.c.tenant_id.in_(ordered))
            .order_by(audit_chain_heads.c.tenant_id)
        )
        if dialect == "postgresql":
            # PostgreSQL sorts before it locks, so the rows are locked in tenant order too.
            query = query.with_for_update()
        # SQLite needs no row lock: every write transaction there begins IMMEDIATE, one at a time.
        return {row.tenant_id: (row.last_sequence, row.last_hash) for row in self.session.execute(query)}
