"""Reads for screens and lists: straight queries, always within one tenant."""

from __future__ import annotations

from sqlalchemy import func, select

from akta.db.database import Database
from akta_cases.adapters.orm import cases


def _case_row(row) -> dict:
    return {
        "id": row.id,
        "number": row.number,
        "title": row.title,
        "status": row.status,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "created_by": row.created_by,
        "version": row.version,
    }


def get_case(database: Database, tenant_id: str, case_id: str) -> dict | None:
    with database.session() as session:
        row = session.execute(
            select(cases).where(cases.c.tenant_id == tenant_id, cases.c.id == case_id)
        ).one_or_none()
    return _case_row(row) if row else None


def list_cases(
    database: Database, tenant_id: str, offset: int, limit: int, status: str | None = None
) -> tuple[list[dict], int]:
    condition = cases.c.tenant_id == tenant_id
    if status:
        condition = condition & (cases.c.status == status)
    with database.session() as session:
        total = session.scalar(select(func.count()).select_from(cases).where(condition))
        rows = session.execute(
            select(cases)
            .where(condition)
            .order_by(cases.c.updated_at.desc(), cases.c.id)
            .offset(offset)
            .limit(limit)
        ).all()
    return [_case_row(row) for row in rows], total
