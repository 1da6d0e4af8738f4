"""Reading the audit trail: by entity, by actor, by time range and action, always in one tenant;
and verifying each tenant's chain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, union
from sqlalchemy.orm import Session

from akta.db.database import Database
from akta.db.paging import fetch_page
from akta_identity.audit import chain
from akta_identity.audit.tables import audit_chain_heads, audit_records

RECORD_FIELDS = (
    "sequence",
    "record_id",
    "tenant_id",
    "occurred_at",
    "service",
    "actor",
    "action",
    "entity_type",
    "entity_id",
    "outcome",
    "client_ip",
    "user_agent",
    "correlation_id",
    "event_id",
    "details",
    "previous_hash",
    "hash",
)


@dataclass(frozen=True)
class AuditFilters:
    entity_type: str | None = None
    entity_id: str | None = None
    actor: str | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    action: str | None = None


def _filtered(tenant_id: str, filters: AuditFilters) -> Select:
    query = select(*(audit_records.c[name] for name in RECORD_FIELDS)).where(audit_records.c.tenant_id == tenant_id)
    for column, value in (
        ("entity_type", filters.entity_type),
        ("entity_id", filters.entity_id),
        ("actor", filters.actor),
        ("action", filters.action),
    ):
        if value is not None:
            query = query.where(audit_records.c[column] == value)
    if filters.occurred_from is not None:
        query = query.where(audit_records.c.occurred_at >= filters.occurred_from)
    if filters.occurred_to is not None:
        query = query.where(audit_records.c.occurred_at < filters.occurred_to)
    return query


def list_records(
    database: Database, tenant_id: str, filters: AuditFilters, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Newest first."""
    query = _filtered(tenant_id, filters).order_by(
        audit_records.c.occurred_at.desc(), audit_records.c.sequence.desc()
    )
    with database.read_session() as session:
        rows, total = fetch_page(session, query, offset, limit)
    return [dict(row) for row in rows], total


def iter_records(database: Database, tenant_id: str, filters: AuditFilters) -> Iterator[dict[str, Any]]:
    """Oldest first, fetched in batches: an export of millions of rows stays small in memory."""
    query = _filtered(tenant_id, filters).order_by(audit_records.c.occurred_at, audit_records.c.sequence)
    with database.read_session() as session:
        for row in session.execute(query.execution_options(yield_per=500)).mappings():
            yield dict(row)


@dataclass(frozen=True)
class ChainReport:
    tenant_id: str
    checked: int
    broken: chain.BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chains(database: Database, tenant_ids: list[str] | None = None) -> list[ChainReport]:
    """Recompute every chain (or those of `tenant_ids`) and report, per tenant, ok or the first
    broken link."""
    with database.read_session() as session:
        if database.is_postgresql:
            # One snapshot: records appended while we read must not look like a broken head.
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        if tenant_ids is None:
            tenant_ids = sorted(
                session.scalars(
                    union(select(audit_chain_heads.c.tenant_id), select(audit_records.c.tenant_id).distinct())
                )
            )
        return [_verify_chain(session, tenant_id) for tenant_id in tenant_ids]


def _verify_chain(session: Session, tenant_id: str) -> ChainReport:
    head = session.execute(
        select(audit_chain_heads.c.last_sequence, audit_chain_heads.c.last_hash).where(
            audit_chain_heads.c.tenant_id == tenant_id
        )
    ).one_or_none()
    query = (
        select(audit_records)
        .where(audit_records.c.tenant_id == tenant_id)
        .order_by(audit_records.c.sequence)
        .execution_options(yield_per=1000)
    )
    checked = 0

    def records() -> Iterator:
        nonlocal checked
        result = session.execute(query).mappings()
        try:
            for record in result:
                checked += 1
                yield record
        finally:
            result.close()

    walk = records()
    broken = chain.first_broken_link(walk, tuple(head) if head is not None else None)
    walk.close()
    return ChainReport(tenant_id, checked, broken)
