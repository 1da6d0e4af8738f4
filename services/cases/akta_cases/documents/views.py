"""Reads of the copy of docstore's documents, filtered inside the query like registrations: the
case must be readable (its access group or a grant on it, and its screening) and so must the
document's own screening code."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from akta.access.scope import READ, AccessScope
from akta.db.database import Database
from akta.db.paging import fetch_page
from akta_cases.adapters.orm import cases
from akta_cases.documents.orm import case_documents


def readable(scope: AccessScope):
    case_readable = scope.condition(READ, cases.c.tenant_id, cases.c.access_group_id, cases.c.screening_code, cases.c.id)
    own_screening = or_(
        case_documents.c.screening_code.is_(None), case_documents.c.screening_code.in_(sorted(scope.codes(READ)))
    )
    return and_(case_documents.c.tenant_id == scope.tenant_id, case_readable, own_screening)


def latest_documents(database: Database, scope: AccessScope, offset: int, limit: int) -> tuple[list[dict], int]:
    """Documents in cases the caller may read, newest created first. Creation, not the last
    change, decides: a document's copy also changes when docstore moves it after its case's
    access or files it under a registration, which would push old documents back to the top."""
    query = (
        select(
            case_documents.c.document_id.label("id"), case_documents.c.case_id, cases.c.number.label("case_number"),
            cases.c.title.label("case_title"), case_documents.c.title, case_documents.c.document_type,
            case_documents.c.status, case_documents.c.current_version, case_documents.c.created_at,
            case_documents.c.created_by, case_documents.c.updated_at,
        )
        .join(cases, and_(cases.c.tenant_id == case_documents.c.tenant_id, cases.c.id == case_documents.c.case_id))
        .where(readable(scope))
        .order_by(case_documents.c.created_at.desc(), case_documents.c.document_id)
    )
    with database.read_session() as session:
        rows, total = fetch_page(session, query, offset, limit)
    return [dict(row) for row in rows], total
