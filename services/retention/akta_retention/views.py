from __future__ import annotations

from sqlalchemy import func, select

from akta.db.database import Database
from akta_retention.adapters.orm import retention_entries


def list_entries(
    database: Database, tenant_id: str, offset: int, limit: int, item_id: str | None = None
) -> tuple[list[dict], int]:
    condition = retention_entries.c.tenant_id == tenant_id
    if item_id:
        condition = condition & (retention_entries.c.item_id == item_id)
    with database.session() as session:
        total = session.scalar(select(func.count()).select_from(retention_entries).where(condition))
        rows = session.execute(
            select(retention_entries)
            .where(condition)
            .order_by(retention_entries.c.recorded_at.desc(), retention_entries.c.id)
            .offset(offset)
            .limit(limit)
        ).mappings().all()
    return [
        {key: row[key] for key in ("id", "item_kind", "item_id", "item_reference", "recorded_at")}
        for row in rows
    ], total
