"""Reads for screens and lists: straight queries, always within one tenant."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from akta.access.scope import READ, AccessScope
from akta.db.database import Database
from akta.db.paging import SortKey, fetch_page, iter_in_batches, ordered
from akta_cases.adapters import orm
from akta_cases.adapters.orm import cases

CASE_FIELDS = (
    "id", "number", "title", "status", "access_group_id", "screening_code", "template_id", "class_id",
    "retention_rule", "owner_id", "unit_id", "metadata", "closed_at", "created_at", "updated_at", "created_by", "version",
)


# The order of GET /cases and its exports: most recently changed first.
CASE_LIST_ORDER = (SortKey(cases.c.updated_at, descending=True), SortKey(cases.c.id))


def _readable(scope: AccessScope):
    return scope.condition(READ, cases.c.tenant_id, cases.c.access_group_id, cases.c.screening_code, cases.c.id)


def _case_row(row) -> dict:
    return {key: row[key] for key in CASE_FIELDS}


def get_case(database: Database, scope: AccessScope, case_id: str) -> dict | None:
    """The case if the caller may read it; None alike when it is missing or hidden."""
    with database.read_session() as session:
        row = session.execute(
            select(cases).where(_readable(scope), cases.c.id == case_id)
        ).mappings().one_or_none()
    return _case_row(row) if row else None


def _listed(scope: AccessScope, status: str | None = None):
    """The readable cases matching the list's filters: the keyword arguments of list_cases and
    iter_cases, named like GET /cases's query parameters (saved searches and exports pass them by
    name). A new filter goes here, once, and into both signatures."""
    query = select(cases).where(_readable(scope))
    if status:
        query = query.where(cases.c.status == status)
    return query


def list_cases(
    database: Database, scope: AccessScope, offset: int, limit: int, status: str | None = None
) -> tuple[list[dict], int]:
    query = _listed(scope, status=status)
    with database.read_session() as session:
        rows, total = fetch_page(session, query.order_by(*ordered(CASE_LIST_ORDER)), offset, limit)
    return [_case_row(row) for row in rows], total


def iter_cases(database: Database, scope: AccessScope, filters: dict, batch_size: int = 500) -> Iterator[dict]:
    """Every case list_cases lists with `filters`, in its order, for exports: `batch_size` at a
    time, each batch in a short read of its own (see iter_in_batches). A case changed during the
    download moves to the top, which the download has passed: never twice, but one not written
    yet is left out of this download (the next one has it)."""
    rows = iter_in_batches(database.read_session, _listed(scope, **filters), CASE_LIST_ORDER, batch_size)
    return (_case_row(row) for row in rows)


def list_links(database: Database, scope: AccessScope, case_id: str) -> list[dict] | None:
    """Links from and to the case, to cases the caller may read; None if the case is hidden."""
    if get_case(database, scope, case_id) is None:
        return None
    other = cases.alias("other")
    readable_other = scope.condition(READ, other.c.tenant_id, other.c.access_group_id, other.c.screening_code, other.c.id)
    found = []
    with database.read_session() as session:
        for mine, theirs, direction in ((orm.case_links.c.case_id, orm.case_links.c.linked_case_id, "outgoing"), (orm.case_links.c.linked_case_id, orm.case_links.c.case_id, "incoming")):
            rows = session.execute(
                select(orm.case_links.c.kind, orm.case_links.c.created_at, other.c.id, other.c.number, other.c.title)
                .join(other, other.c.id == theirs)
                .where(mine == case_id, readable_other)
            ).mappings()
            found += [{"case_id": r["id"], "number": r["number"], "title": r["title"], "kind": r["kind"], "direction": direction, "created_at": r["created_at"]} for r in rows]
    return found


def list_notes(database: Database, scope: AccessScope, case_id: str) -> list[dict] | None:
    if get_case(database, scope, case_id) is None:
        return None
    with database.read_session() as session:
        rows = session.execute(
            select(orm.case_notes.c.id, orm.case_notes.c.text, orm.case_notes.c.author, orm.case_notes.c.created_at)
            .where(orm.case_notes.c.case_id == case_id)
            .order_by(orm.case_notes.c.created_at)
        ).mappings()
        return [dict(row) for row in rows]
