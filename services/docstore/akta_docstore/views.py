"""Reads for screens, lists and downloads: straight queries, filtered by access inside them."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from akta.access.scope import READ, AccessScope
from akta.db.database import Database
from akta_docstore.adapters.orm import (
    case_copies,
    document_comments,
    document_references,
    document_versions,
    documents,
    renditions,
)
from akta_docstore.domain.model import Document

DOCUMENT_FIELDS = (
    "id", "title", "document_type", "category", "status", "case_id", "case_number", "registration_id",
    "attached_to_document_id", "access_group_id", "screening_code", "owner_id", "current_version",
    "created_at", "updated_at", "created_by", "version",
)
VERSION_FIELDS = ("number", "sha256", "size", "format", "mime_type", "filename", "created_at", "created_by")
LIST_PAGE_FOR_EXPORT = 1000


def readable(scope: AccessScope):
    return scope.condition(
        READ, documents.c.tenant_id, documents.c.access_group_id, documents.c.screening_code, documents.c.case_id
    )


def _document_query():
    return select(documents, case_copies.c.number.label("case_number")).outerjoin(
        case_copies, case_copies.c.case_id == documents.c.case_id
    )


def get_document(database: Database, scope: AccessScope, document_id: str) -> dict | None:
    with database.read_session() as session:
        row = session.execute(_document_query().where(documents.c.id == document_id, readable(scope))).mappings().one_or_none()
        if row is None:
            return None
        found = dict(row)
        found["versions"] = [
            dict(version)
            for version in session.execute(
                select(*(document_versions.c[field] for field in VERSION_FIELDS))
                .where(document_versions.c.document_id == document_id)
                .order_by(document_versions.c.number)
            ).mappings()
        ]
        found["renditions"] = [
            dict(rendition)
            for rendition in session.execute(
                select(
                    renditions.c.version_number, renditions.c.kind, renditions.c.status, renditions.c.attempts,
                    renditions.c.reason, renditions.c.size, renditions.c.source, renditions.c.updated_at,
                )
                .where(renditions.c.document_id == document_id)
                .order_by(renditions.c.version_number, renditions.c.priority)
            ).mappings()
        ]
        found["references"] = [
            dict(reference)
            for reference in session.execute(
                select(
                    document_references.c.referenced_document_id.label("document_id"), document_references.c.note,
                    document_references.c.created_at, document_references.c.created_by,
                )
                .where(document_references.c.document_id == document_id)
                .order_by(document_references.c.created_at)
            ).mappings()
        ]
        attachments = (
            select(documents.c.id, documents.c.title)
            .where(documents.c.tenant_id == scope.tenant_id, documents.c.attached_to_document_id == document_id, readable(scope))
            .order_by(documents.c.created_at, documents.c.id)
        )
        found["attachments"] = [dict(attachment) for attachment in session.execute(attachments).mappings()]
        return found


def new_document(document: Document, case_number: str | None) -> dict:
    """What `get_document` reads, for a document just created: its versions, and no
    renditions, references or attachments yet."""
    found = {field: getattr(document, field) for field in DOCUMENT_FIELDS if field != "case_number"}
    found["case_number"] = case_number
    found["versions"] = [{field: getattr(version, field) for field in VERSION_FIELDS} for version in document.versions]
    found.update(renditions=[], references=[], attachments=[])
    return found


def list_documents(database: Database, scope: AccessScope, filters: dict, offset: int, limit: int) -> tuple[list[dict], int]:
    """Newest change first."""
    with database.read_session() as session:
        conditions = _conditions(scope, filters)
        total = session.scalar(select(func.count()).select_from(documents).where(*conditions))
        rows = session.execute(
            _document_query().where(*conditions).order_by(documents.c.updated_at.desc(), documents.c.id).offset(offset).limit(limit)
        ).mappings()
        return [dict(row) for row in rows], total


def iter_documents(database: Database, scope: AccessScope, filters: dict) -> Iterator[dict]:
    """Every document of `list_documents` in its order, a page at a time (keyset, so none is
    skipped or repeated while the export streams)."""
    after = None
    while True:
        with database.read_session() as session:
            query = _document_query().where(*_conditions(scope, filters))
            if after is not None:
                updated_at, document_id = after
                query = query.where(
                    (documents.c.updated_at < updated_at)
                    | ((documents.c.updated_at == updated_at) & (documents.c.id > document_id))
                )
            rows = session.execute(
                query.order_by(documents.c.updated_at.desc(), documents.c.id).limit(LIST_PAGE_FOR_EXPORT)
            ).mappings().all()
        yield from (dict(row) for row in rows)
        if len(rows) < LIST_PAGE_FOR_EXPORT:
            return
        after = (rows[-1]["updated_at"], rows[-1]["id"])


def list_comments(database: Database, document_id: str, offset: int, limit: int) -> tuple[list[dict], int]:
    """The caller has already been allowed to read the document."""
    with database.read_session() as session:
        condition = document_comments.c.document_id == document_id
        total = session.scalar(select(func.count()).select_from(document_comments).where(condition))
        rows = session.execute(
            select(document_comments).where(condition).order_by(document_comments.c.created_at, document_comments.c.id)
            .offset(offset).limit(limit)
        ).mappings()
        return [dict(row) for row in rows], total


def version_content(database: Database, scope: AccessScope, document_id: str, number: int | None) -> dict | None:
    """The blob of a version (the current one when `number` is None) the caller may read: None
    when the document is not there for the caller, {} when the version is not."""
    with database.read_session() as session:
        version = _readable_version(session, scope, document_id, number)
        if version is None:
            return None
        row = session.execute(
            select(document_versions).where(
                document_versions.c.document_id == document_id, document_versions.c.number == version
            )
        ).mappings().one_or_none()
        return dict(row) if row else {}


def rendition_content(database: Database, scope: AccessScope, document_id: str, number: int | None, kind: str) -> dict | None:
    """A rendition of a version, as `version_content` answers for the version itself."""
    with database.read_session() as session:
        version = _readable_version(session, scope, document_id, number)
        if version is None:
            return None
        row = session.execute(
            select(renditions).where(
                renditions.c.document_id == document_id,
                renditions.c.version_number == version,
                renditions.c.kind == kind,
            )
        ).mappings().one_or_none()
        return dict(row) if row else {}


def _readable_version(session, scope: AccessScope, document_id: str, number: int | None) -> int | None:
    """`number`, or the current version's, of a document the caller may read; None otherwise."""
    current = session.scalar(select(documents.c.current_version).where(documents.c.id == document_id, readable(scope)))
    if current is None:
        return None
    return number if number is not None else current


def _conditions(scope: AccessScope, filters: dict) -> list:
    conditions = [documents.c.tenant_id == scope.tenant_id, readable(scope)]
    for name in ("case_id", "registration_id", "status", "document_type", "category", "attached_to_document_id"):
        if filters.get(name) is not None:
            conditions.append(documents.c[name] == filters[name])
    if filters.get("updated_from") is not None:
        conditions.append(documents.c.updated_at >= filters["updated_from"])
    return conditions
