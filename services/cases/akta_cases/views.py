"""Reads for screens and lists: straight queries, always within one tenant."""

from __future__ import annotations

from sqlalchemy import select

from akta.access.scope import READ, AccessScope
from akta.db.database import Database
from akta.db.paging import fetch_page
from akta_cases.adapters.orm import cases

CASE_FIELDS = (
    "id", "number", "title", "status", "access_group_id", "screening_code",
    "created_at", "updated_at", "created_by", "version",
)


def _readable(scope: AccessScope):
    return scope.condition(READ, cases.c.tenant_id, cases.c.access_group_id, cases.c.screening_code, cases.c.id)


def _case_row(row) -> dict:
    return {key: row[key] for key in CASE_FIELDS}


def get_case(database: Database, scope: AccessScope, case_id: str) -> dict | None:
    """The case if the caller may read it; None alike when it is missing or hidden."""
    with database.session() as session:
        row = session.execute(
            select(cases).where(_readable(scope), cases.c.id == case_id)
        ).mappings().one_or_none()
    return _case_row(row) if row else None


def list_cases(
    database: Database, scope: AccessScope, offset: int, limit: int, status: str | None = None
) -> tuple[list[dict], int]:
    query = select(cases).where(_readable(scope))
    if status:
        query = query.where(cases.c.status == status)
    with database.session() as session:
        rows, total = fetch_page(session, query.order_by(cases.c.updated_at.desc(), cases.c.id), offset, limit)
    return [_case_row(row) for row in rows], total
