"""Reads for screens and lists: straight queries, always within one tenant."""

from __future__ import annotations

from sqlalchemy import select

from akta.db.database import Database
from akta.db.paging import fetch_page
from akta_cases.adapters.orm import cases

CASE_FIELDS = ("id", "number", "title", "status", "created_at", "updated_at", "created_by", "version")


def _case_row(row) -> dict:
    return {key: row[key] for key in CASE_FIELDS}


def get_case(database: Database, tenant_id: str, case_id: str) -> dict | None:
    with database.session() as session:
        row = session.execute(
            select(cases).where(cases.c.tenant_id == tenant_id, cases.c.id == case_id)
        ).mappings().one_or_none()
    return _case_row(row) if row else None


def list_cases(
    database: Database, tenant_id: str, offset: int, limit: int, status: str | None = None
) -> tuple[list[dict], int]:
    query = select(cases).where(cases.c.tenant_id == tenant_id)
    if status:
        query = query.where(cases.c.status == status)
    with database.session() as session:
        rows, total = fetch_page(session, query.order_by(cases.c.updated_at.desc(), cases.c.id), offset, limit)
    return [_case_row(row) for row in rows], total
