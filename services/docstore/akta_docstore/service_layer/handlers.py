"""Use cases of documents. Reading one needs read access to it (through its case or its own
access group, and its screening code); changing one needs write access."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from akta import audit, context
from akta.access.scope import READ, WRITE, AccessScope
from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta.errors import Forbidden, InvalidField
from akta.storage import BlobStore, SpooledFile
from akta_docstore.adapters.orm import format_policies
from akta_docstore.content import ContentRejected, clean_filename, inspect_upload
from akta_docstore.content.inspection import DEFAULT_LIMITS, ContentLimits
from akta_docstore.domain.model import (
    UNCHANGED,
    Document,
    DocumentDraft,
    DocumentNotFound,
    StoredContent,
    Unchanged,
)
from akta_docstore.service_layer.case_copies import CaseCopy, find_case
from akta_docstore.settings import SUPPORTED_FORMATS

log = structlog.get_logger("akta.docstore")

UnitOfWorkFactory = Callable[[], SqlAlchemyUnitOfWork]
ReadSessionFactory = Callable[[], Session]


class UploadRejected(InvalidField):
    """The bytes or the name of an upload break a rule; `code` says which."""

    def __init__(self, field: str, message: str, code: str) -> None:
        super().__init__(field, message)
        self.extra["code"] = code


@dataclass(frozen=True)
class UploadRules:
    """What an upload must pass: the formats its organisation accepts, and the installation's
    limits on what a file may unpack to."""

    allowed_formats: Callable[[str], tuple[str, ...]]
    limits: ContentLimits = DEFAULT_LIMITS


@dataclass(frozen=True)
class CreatedDocument:
    document: Document
    case_number: str | None  # None also when it is an attachment's: its main document's case


@dataclass(frozen=True)
class Upload:
    """An upload spooled to a local file (never held in memory), with the name the client gave."""

    spooled: SpooledFile
    filename: str


def document_allows(scope: AccessScope, permission: str, document) -> bool:
    return scope.allows(permission, document.tenant_id, document.access_group_id, document.screening_code, document.case_id)


def create_document(
    tenant_id: str,
    draft: DocumentDraft,
    case_id: str | None,
    attached_to_document_id: str | None,
    upload: Upload | None,
    scope: AccessScope,
    unit_of_work: UnitOfWorkFactory,
    read_session: ReadSessionFactory,
    blobs: BlobStore,
    rules: UploadRules,
    case_wait_seconds: float = 0.0,
    now: datetime | None = None,
) -> CreatedDocument:
    """A new document, with its first version when `upload` is given, in one transaction."""
    now = now or datetime.now(UTC)
    content = _store(tenant_id, upload, blobs, rules) if upload else None
    case = wait_for_case(read_session, tenant_id, case_id, case_wait_seconds) if case_id else None
    actor = context.current().actor
    with unit_of_work() as uow:
        attached_to = None
        if attached_to_document_id is not None:
            attached_to = uow.documents.get(tenant_id, attached_to_document_id)
            if attached_to is None or not document_allows(scope, READ, attached_to):
                raise InvalidField("attached_to_document_id", f"no document {attached_to_document_id}")
        if case is not None and not scope.allows(WRITE, tenant_id, case.access_group_id, case.screening_code, case.case_id):
            if scope.allows(READ, tenant_id, case.access_group_id, case.screening_code, case.case_id):
                raise Forbidden(f"you may read case {case.number} but not file documents in it")
            raise InvalidField("case_id", f"no case {case_id}")
        document = Document(tenant_id, draft, case.access if case else None, attached_to, actor, now)
        if not document_allows(scope, WRITE, document):
            raise Forbidden("you could not change a document with this access group and screening: ask for access first")
        if content is not None:
            document.add_version(content, actor, now)
        uow.documents.add(document)
        audit.record(
            uow, tenant_id, "create", "document", document.id,
            case_id=document.case_id or "", title=document.title, document_type=document.document_type,
        )
        if content is not None:
            _audit_version(uow, document, content)
        uow.commit()
    log.info("document created", document_id=document.id, case_id=document.case_id, version=document.current_version)
    return CreatedDocument(document, case.number if case is not None else None)


def add_version(
    tenant_id: str,
    document_id: str,
    upload: Upload,
    scope: AccessScope,
    unit_of_work: UnitOfWorkFactory,
    blobs: BlobStore,
    rules: UploadRules,
    now: datetime | None = None,
) -> Document:
    now = now or datetime.now(UTC)
    with unit_of_work() as uow:
        _writable(uow, scope, tenant_id, document_id)
    content = _store(tenant_id, upload, blobs, rules)
    with unit_of_work() as uow:
        document = _writable(uow, scope, tenant_id, document_id)
        document.add_version(content, context.current().actor, now)
        _audit_version(uow, document, content)
        uow.commit()
    log.info("document version stored", document_id=document.id, version=document.current_version, size=content.size)
    return document


def change_document(
    tenant_id: str,
    document_id: str,
    expected_version: int | None,
    changes: dict,
    scope: AccessScope,
    unit_of_work: UnitOfWorkFactory,
    now: datetime | None = None,
) -> Document:
    """`changes` holds the fields to change: title, document_type, category, status,
    screening_code, owner_id."""
    now = now or datetime.now(UTC)
    with unit_of_work() as uow:
        document = _writable(uow, scope, tenant_id, document_id)
        changed = document.change(now, expected_version, **changes)
        if not document_allows(scope, WRITE, document):
            raise Forbidden(f"you may not screen a document {document.screening_code}: you could not change it then")
        if changed:
            audit.record(uow, tenant_id, "change", "document", document.id, fields=",".join(changed))
        uow.commit()
    log.info("document changed", document_id=document.id, version=document.version)
    return document


def comment(
    tenant_id: str, document_id: str, text: str, author_id: str, author: str, scope: AccessScope,
    unit_of_work: UnitOfWorkFactory, now: datetime | None = None,
):
    """Anyone who may read a document may comment on it."""
    now = now or datetime.now(UTC)
    with unit_of_work() as uow:
        document = _readable(uow, scope, tenant_id, document_id)
        created = document.comment(text, author_id, author, now)
        uow.documents.add_comment(created)
        audit.record(uow, tenant_id, "create", "document_comment", created.id, document_id=document.id)
        uow.commit()
    return created


def refer(
    tenant_id: str, document_id: str, other_id: str, note: str | None, scope: AccessScope,
    unit_of_work: UnitOfWorkFactory, now: datetime | None = None,
) -> Document:
    now = now or datetime.now(UTC)
    with unit_of_work() as uow:
        document = _writable(uow, scope, tenant_id, document_id)
        other = uow.documents.get(tenant_id, other_id)
        if other is None or not document_allows(scope, READ, other):
            raise InvalidField("document_id", f"no document {other_id}")
        document.refer_to(other, note, context.current().actor, now)
        audit.record(uow, tenant_id, "change", "document", document.id, fields="references", referenced=other_id)
        uow.commit()
    return document


def drop_reference(
    tenant_id: str, document_id: str, other_id: str, scope: AccessScope, unit_of_work: UnitOfWorkFactory,
    now: datetime | None = None,
) -> Document:
    now = now or datetime.now(UTC)
    with unit_of_work() as uow:
        document = _writable(uow, scope, tenant_id, document_id)
        document.drop_reference(other_id, now)
        audit.record(uow, tenant_id, "change", "document", document.id, fields="references", unreferenced=other_id)
        uow.commit()
    return document


def wait_for_case(read_session: ReadSessionFactory, tenant_id: str, case_id: str, wait_seconds: float) -> CaseCopy:
    """The case from docstore's copy. A case created a moment ago may still be on its way from
    the cases service, so wait a little before saying there is none."""
    deadline = time.monotonic() + wait_seconds
    while True:
        with read_session() as session:
            case = find_case(session, tenant_id, case_id)
        if case is not None:
            return case
        if time.monotonic() >= deadline:
            raise InvalidField("case_id", f"no case {case_id} (a case created this moment may need a few seconds to arrive)")
        time.sleep(0.1)


def allowed_formats_of(read_session: ReadSessionFactory, defaults: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    def allowed(tenant_id: str) -> tuple[str, ...]:
        with read_session() as session:
            stored = session.scalar(select(format_policies.c.allowed_formats).where(format_policies.c.tenant_id == tenant_id))
        return tuple(stored) if stored is not None else defaults

    return allowed


def set_allowed_formats(tenant_id: str, formats: list[str], unit_of_work: UnitOfWorkFactory, now: datetime | None = None) -> tuple[str, ...]:
    now = now or datetime.now(UTC)
    unknown = sorted(set(formats) - set(SUPPORTED_FORMATS))
    if unknown:
        raise InvalidField("allowed_formats", f"unknown formats {', '.join(unknown)}; supported: {', '.join(SUPPORTED_FORMATS)}")
    if not formats:
        raise InvalidField("allowed_formats", "allow at least one format")
    chosen = tuple(format_name for format_name in SUPPORTED_FORMATS if format_name in formats)
    with unit_of_work() as uow:
        values = {"allowed_formats": list(chosen), "updated_at": now, "updated_by": context.current().actor}
        exists = uow.session.scalar(select(format_policies.c.tenant_id).where(format_policies.c.tenant_id == tenant_id))
        if exists is None:
            uow.session.execute(format_policies.insert().values(tenant_id=tenant_id, **values))
        else:
            uow.session.execute(format_policies.update().where(format_policies.c.tenant_id == tenant_id).values(**values))
        audit.record(uow, tenant_id, "change", "format_policy", tenant_id, allowed_formats=",".join(chosen))
        uow.commit()
    return chosen


def readable_document(uow, scope: AccessScope, tenant_id: str, document_id: str) -> Document:
    return _readable(uow, scope, tenant_id, document_id)


def _store(tenant_id: str, upload: Upload, blobs: BlobStore, rules: UploadRules) -> StoredContent:
    """Check the upload's name and bytes, then put it in the blob store (outside any transaction:
    a blob nothing refers to is harmless, a transaction held open while bytes travel is not)."""
    try:
        filename = clean_filename(upload.filename)
        detected = inspect_upload(upload.spooled.path, filename, rules.allowed_formats(tenant_id), rules.limits)
    except ContentRejected as rejected:
        raise UploadRejected(rejected.field, rejected.message, rejected.code) from None
    stored = blobs.put_file(tenant_id, upload.spooled.path, upload.spooled.sha256)
    return StoredContent(stored.sha256, stored.size, detected.name, detected.mime_type, filename)


def _audit_version(uow, document: Document, content: StoredContent) -> None:
    audit.record(
        uow, document.tenant_id, "upload", "document", document.id,
        version=document.current_version, sha256=content.sha256, size=content.size, format=content.format,
    )


def _readable(uow, scope: AccessScope, tenant_id: str, document_id: str) -> Document:
    document = uow.documents.get(tenant_id, document_id)
    if document is None or not document_allows(scope, READ, document):
        raise DocumentNotFound(document_id)
    return document


def _writable(uow, scope: AccessScope, tenant_id: str, document_id: str) -> Document:
    document = _readable(uow, scope, tenant_id, document_id)
    if not document_allows(scope, WRITE, document):
        raise Forbidden("you may read this document but not change it")
    return document


__all__ = ["UNCHANGED", "Unchanged", "Upload", "UploadRejected"]
