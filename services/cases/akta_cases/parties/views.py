"""Reads of a case's parties, with their contacts. The caller has read the case: the parties'
national ids are theirs to see."""

from __future__ import annotations

from sqlalchemy import and_, select

from akta.access.scope import AccessScope
from akta.db.database import Database
from akta.db.paging import fetch_page
from akta_cases.contacts.orm import contacts
from akta_cases.contacts.views import contact_fields
from akta_cases.parties.model import PARTY_ROLES
from akta_cases.parties.orm import case_parties


def _select(scope: AccessScope):
    joined = case_parties.join(
        contacts, and_(contacts.c.tenant_id == case_parties.c.tenant_id, contacts.c.id == case_parties.c.contact_id)
    )
    return (
        select(
            case_parties.c.id.label("party_id"), case_parties.c.case_id, case_parties.c.role,
            case_parties.c.created_at.label("added_at"), case_parties.c.created_by.label("added_by"),
            *contacts.c,
        )
        .select_from(joined)
        .where(case_parties.c.tenant_id == scope.tenant_id)
    )


def _party(row) -> dict:
    return {
        "id": row["party_id"],
        "case_id": row["case_id"],
        "role": row["role"],
        "role_labels": PARTY_ROLES.get(row["role"], {}),
        "added_at": row["added_at"],
        "added_by": row["added_by"],
        "contact": contact_fields(row, identifier_shown=True),
    }


def list_parties(database: Database, scope: AccessScope, case_id: str, offset: int, limit: int) -> tuple[list[dict], int]:
    """Parties of a case the caller has been found to read."""
    query = _select(scope).where(case_parties.c.case_id == case_id)
    with database.session() as session:
        rows, total = fetch_page(session, query.order_by(case_parties.c.created_at, case_parties.c.id), offset, limit)
    return [_party(row) for row in rows], total


def get_party(database: Database, scope: AccessScope, case_id: str, party_id: str) -> dict | None:
    with database.session() as session:
        row = session.execute(
            _select(scope).where(case_parties.c.case_id == case_id, case_parties.c.id == party_id)
        ).mappings().one_or_none()
    return _party(row) if row else None
