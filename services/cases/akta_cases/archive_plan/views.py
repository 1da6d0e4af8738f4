"""Reads of the archive plan and templates, within one tenant."""

from __future__ import annotations

from sqlalchemy import select

from akta.db.database import Database
from akta.db.paging import fetch_page
from akta_cases.archive_plan.orm import archive_classes, case_templates


def list_classes(database: Database, tenant_id: str, offset: int, limit: int, parent_id: str | None = None, roots_only: bool = False):
    query = select(archive_classes).where(archive_classes.c.tenant_id == tenant_id)
    if parent_id:
        query = query.where(archive_classes.c.parent_id == parent_id)
    elif roots_only:
        query = query.where(archive_classes.c.parent_id.is_(None))
    with database.read_session() as session:
        rows, total = fetch_page(session, query.order_by(archive_classes.c.code), offset, limit)
    return [dict(row) for row in rows], total


def list_templates(database: Database, tenant_id: str, offset: int, limit: int, include_retired: bool = False):
    query = select(case_templates).where(case_templates.c.tenant_id == tenant_id)
    if not include_retired:
        query = query.where(case_templates.c.active.is_(True))
    with database.read_session() as session:
        rows, total = fetch_page(session, query.order_by(case_templates.c.name), offset, limit)
    return [dict(row) for row in rows], total
