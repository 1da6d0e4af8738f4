"""Reads of the contacts registry, within the caller's tenant. A person's national id comes
back only where `policy` says the caller may see it; otherwise it is None and marked hidden."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import and_, exists, or_, select, true

from akta.access.scope import READ, AccessScope
from akta.db.database import Database
from akta.db.paging import SortKey, fetch_page, iter_in_batches, ordered
from akta_cases.adapters.orm import cases
from akta_cases.contacts.model import ORGANISATION_SCHEMES, Identifier, search_key
from akta_cases.contacts.orm import contacts
from akta_cases.parties.orm import case_parties

_COLUMNS = (
    contacts.c.id, contacts.c.kind, contacts.c.name, contacts.c.identifier_scheme, contacts.c.identifier,
    contacts.c.address_lines, contacts.c.postal_code, contacts.c.city, contacts.c.country,
    contacts.c.email, contacts.c.phone, contacts.c.created_at, contacts.c.updated_at, contacts.c.created_by,
    contacts.c.version,
)


# The order of GET /contacts and its export: by name, case and spacing folded.
CONTACT_LIST_ORDER = (SortKey(contacts.c.search_name), SortKey(contacts.c.id))


def identifier_visible(scope: AccessScope, sees_every_national_id: bool):
    """SQL: organisation numbers always; a person's national id to archivists, and to callers
    who can read a case the person is a party of."""
    if sees_every_national_id:
        return true()
    party_of_a_readable_case = exists().where(
        case_parties.c.tenant_id == contacts.c.tenant_id,
        case_parties.c.contact_id == contacts.c.id,
        cases.c.tenant_id == case_parties.c.tenant_id,
        cases.c.id == case_parties.c.case_id,
        scope.condition(READ, cases.c.tenant_id, cases.c.access_group_id, cases.c.screening_code, cases.c.id),
    )
    return or_(contacts.c.identifier_scheme.in_(ORGANISATION_SCHEMES), party_of_a_readable_case)


def contact_fields(row, identifier_shown: bool) -> dict:
    shown = identifier_shown and row["identifier"] is not None
    return {
        "id": row["id"],
        "kind": row["kind"],
        "name": row["name"],
        "identifier_scheme": row["identifier_scheme"],
        "identifier": row["identifier"] if shown else None,
        "identifier_hidden": row["identifier"] is not None and not shown,
        "address": {
            "lines": list(row["address_lines"] or []),
            "postal_code": row["postal_code"],
            "city": row["city"],
            "country": row["country"],
        },
        "email": row["email"],
        "phone": row["phone"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "created_by": row["created_by"],
        "version": row["version"],
    }


def _select(scope: AccessScope, sees_every_national_id: bool):
    visible = identifier_visible(scope, sees_every_national_id).label("identifier_visible")
    return select(*_COLUMNS, visible).where(contacts.c.tenant_id == scope.tenant_id)


def _dict(row, reveal: bool = False) -> dict:
    return contact_fields(row, reveal or bool(row["identifier_visible"]))


def get_contact(
    database: Database, scope: AccessScope, contact_id: str, sees_every_national_id: bool = False, reveal: bool = False
) -> dict | None:
    """`reveal` shows the identifier regardless: the caller has just sent it."""
    with database.session() as session:
        row = session.execute(
            _select(scope, sees_every_national_id).where(contacts.c.id == contact_id)
        ).mappings().one_or_none()
    return _dict(row, reveal) if row else None


def lookup_contact(database: Database, scope: AccessScope, identifier: Identifier) -> dict | None:
    """The contact with this identifier; the caller knows the number, so it is shown."""
    with database.session() as session:
        row = session.execute(
            _select(scope, False).where(
                contacts.c.identifier_scheme == identifier.scheme, contacts.c.identifier == identifier.number
            )
        ).mappings().one_or_none()
    return _dict(row, reveal=True) if row else None


def list_contacts(
    database: Database,
    scope: AccessScope,
    offset: int,
    limit: int,
    sees_every_national_id: bool = False,
    name: str | None = None,
    kind: str | None = None,
) -> tuple[list[dict], int]:
    """By name, case and spacing folded; `name` matches anywhere in it."""
    query = _listed(scope, sees_every_national_id, name, kind)
    with database.session() as session:
        rows, total = fetch_page(session, query.order_by(*ordered(CONTACT_LIST_ORDER)), offset, limit)
    return [_dict(row) for row in rows], total


def iter_contacts(
    database: Database,
    scope: AccessScope,
    sees_every_national_id: bool = False,
    name: str | None = None,
    kind: str | None = None,
    batch_size: int = 500,
) -> Iterator[dict]:
    """Every contact list_contacts lists, in its order and with national ids hidden alike, for
    exports: `batch_size` at a time, each batch in a short session of its own (see
    iter_in_batches)."""
    query = _listed(scope, sees_every_national_id, name, kind)
    return (_dict(row) for row in iter_in_batches(database.session, query, CONTACT_LIST_ORDER, batch_size))


def _listed(scope: AccessScope, sees_every_national_id: bool, name: str | None, kind: str | None):
    query = _select(scope, sees_every_national_id)
    conditions = []
    if name and name.strip():
        conditions.append(contacts.c.search_name.contains(search_key(name), autoescape=True))
    if kind:
        conditions.append(contacts.c.kind == kind)
    return query.where(and_(*conditions)) if conditions else query
