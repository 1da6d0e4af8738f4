from __future__ import annotations

from sqlalchemy import select

from akta.access.scope import READ, AccessScope
from akta.db.database import Database
from akta.db.paging import fetch_page
from akta_retention.adapters.orm import retention_entries


def list_entries(
    database: Database, scope: AccessScope, offset: int, limit: int, item_id: str | None = None
) -> tuple[list[dict], int]:
    readable = scope.condition(
        READ,
        retention_entries.c.tenant_id,
        retention_entries.c.access_group_id,
        retention_entries.c.screening_code,
        retention_entries.c.item_id,
    )
    query = select(retention_entries).where(readable)
    if item_id:
        query = query.where(retention_entries.c.item_id == item_id)
    query = query.order_by(retention_entries.c.recorded_at.desc(), retention_entries.c.id)
    with database.read_session() as session:
        rows, total = fetch_page(session, query, offset, limit)
    return [
        {key: row[key] for key in ("id", "item_kind", "item_id", "item_reference", "recorded_at")}
        for row in rows
    ], total
