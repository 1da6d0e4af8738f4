"""Reads of registrations, filtered inside the query: the case must be readable (its access
group or a grant on it, and its screening) and so must the registration's own screening code."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import and_, or_, select

from akta.access.scope import READ, AccessScope
from akta.db.database import Database
from akta.db.paging import SortKey, fetch_page, iter_in_batches, ordered
from akta_cases.adapters.orm import cases
from akta_cases.registrations.model import KINDS
from akta_cases.registrations.orm import registration_correspondents, registration_documents, registrations

_COLUMNS = (
    registrations.c.id, registrations.c.case_id, registrations.c.number, registrations.c.kind,
    registrations.c.title, registrations.c.status, registrations.c.document_date, registrations.c.received_date,
    registrations.c.sent_date, registrations.c.journal_date, registrations.c.screening_code,
    registrations.c.reply_to_registration_id, registrations.c.created_at, registrations.c.updated_at,
    registrations.c.created_by, registrations.c.version,
)


# The order of GET /registrations and its export: newest journal date first, then newest filed.
REGISTRATION_LIST_ORDER = (
    SortKey(registrations.c.journal_date, descending=True),
    SortKey(registrations.c.created_at, descending=True),
    SortKey(registrations.c.id),
)


def readable(scope: AccessScope):
    case_readable = scope.condition(READ, cases.c.tenant_id, cases.c.access_group_id, cases.c.screening_code, cases.c.id)
    own_screening = or_(
        registrations.c.screening_code.is_(None), registrations.c.screening_code.in_(sorted(scope.codes(READ)))
    )
    return and_(registrations.c.tenant_id == scope.tenant_id, case_readable, own_screening)


def _select(scope: AccessScope):
    with_case = registrations.join(
        cases, and_(cases.c.tenant_id == registrations.c.tenant_id, cases.c.id == registrations.c.case_id)
    )
    return (
        select(*_COLUMNS, cases.c.access_group_id, cases.c.screening_code.label("case_screening_code"))
        .select_from(with_case)
        .where(readable(scope))
    )


def get_registration(database: Database, scope: AccessScope, registration_id: str) -> dict | None:
    """The registration if the caller may read it; None alike when it is missing or hidden."""
    with database.session() as session:
        row = session.execute(_select(scope).where(registrations.c.id == registration_id)).mappings().one_or_none()
        return _with_children(session, scope.tenant_id, [row])[0] if row else None


def list_case_registrations(
    database: Database, scope: AccessScope, case_id: str, offset: int, limit: int
) -> tuple[list[dict], int]:
    """A case's registrations in number order."""
    query = _select(scope).where(registrations.c.case_id == case_id).order_by(registrations.c.sequence)
    with database.session() as session:
        rows, total = fetch_page(session, query, offset, limit)
        return _with_children(session, scope.tenant_id, rows), total


def list_registrations(
    database: Database,
    scope: AccessScope,
    offset: int,
    limit: int,
    kind: str | None = None,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    case_id: str | None = None,
    reply_to_registration_id: str | None = None,
) -> tuple[list[dict], int]:
    """Across the tenant's cases, newest journal date first; `date_from`/`date_to` bound the
    journal date, both inclusive."""
    query = _listed(
        scope, kind=kind, status=status, date_from=date_from, date_to=date_to, case_id=case_id,
        reply_to_registration_id=reply_to_registration_id,
    )
    with database.session() as session:
        rows, total = fetch_page(session, query.order_by(*ordered(REGISTRATION_LIST_ORDER)), offset, limit)
        return _with_children(session, scope.tenant_id, rows), total


def iter_registrations(database: Database, scope: AccessScope, filters: dict, batch_size: int = 500) -> Iterator[dict]:
    """Every registration list_registrations lists with `filters` (its keyword arguments), in
    its order, for exports: `batch_size` at a time, each batch in a short session of its own
    (see iter_in_batches)."""
    return iter_in_batches(
        database.session, _listed(scope, **filters), REGISTRATION_LIST_ORDER, batch_size,
        lambda session, rows: _with_children(session, scope.tenant_id, rows),
    )


def _listed(
    scope: AccessScope,
    kind: str | None = None,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    case_id: str | None = None,
    reply_to_registration_id: str | None = None,
):
    """The readable registrations matching GET /registrations's filters, unordered."""
    query = _select(scope)
    for column, value in (
        (registrations.c.kind, kind),
        (registrations.c.status, status),
        (registrations.c.case_id, case_id),
        (registrations.c.reply_to_registration_id, reply_to_registration_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if date_from is not None:
        query = query.where(registrations.c.journal_date >= date_from)
    if date_to is not None:
        query = query.where(registrations.c.journal_date <= date_to)
    return query


def _with_children(session, tenant_id: str, rows) -> list[dict]:
    ids = [row["id"] for row in rows]
    correspondents: dict[str, list[dict]] = {registration_id: [] for registration_id in ids}
    documents: dict[str, list[dict]] = {registration_id: [] for registration_id in ids}
    if ids:
        for row in session.execute(
            select(registration_correspondents)
            .where(registration_correspondents.c.tenant_id == tenant_id, registration_correspondents.c.registration_id.in_(ids))
            .order_by(registration_correspondents.c.registration_id, registration_correspondents.c.position)
        ).mappings():
            correspondents[row["registration_id"]].append({
                "role": row["role"],
                "contact_id": row["contact_id"],
                "name": row["name"],
                "address": {
                    "lines": list(row["address_lines"] or []),
                    "postal_code": row["postal_code"],
                    "city": row["city"],
                    "country": row["country"],
                },
            })
        for row in session.execute(
            select(registration_documents)
            .where(registration_documents.c.tenant_id == tenant_id, registration_documents.c.registration_id.in_(ids))
            .order_by(registration_documents.c.registration_id, registration_documents.c.position)
        ).mappings():
            documents[row["registration_id"]].append({"document_id": row["document_id"], "role": row["role"]})
    return [
        {
            **{column.name: row[column.name] for column in _COLUMNS},
            "kind_labels": KINDS.get(row["kind"], {}),
            "access_group_id": row["access_group_id"],
            "case_screening_code": row["case_screening_code"],
            "correspondents": correspondents[row["id"]],
            "documents": documents[row["id"]],
        }
        for row in rows
    ]
