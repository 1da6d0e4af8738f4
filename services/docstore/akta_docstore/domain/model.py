"""Documents, pure Python.

A document belongs to an organisation and usually to a case (then it takes the case's access
group and, unless it is screened itself, the case's screening code); it may be filed under one
of the case's registrations and be an attachment of another document. Its content arrives as
versions: each upload is a new version, older versions stay. A final document gets no new
versions and never becomes a draft again.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from akta.aggregate import Aggregate
from akta.contracts.docstore import (
    DocumentChanged,
    DocumentCommented,
    DocumentCreated,
    DocumentVersionStored,
)
from akta.errors import Conflict, InvalidField, NotFound, PreconditionFailed

STATUSES = ("draft", "final")
TITLE_MAX_LENGTH = 500
CODE_MAX_LENGTH = 64
COMMENT_MAX_LENGTH = 10_000
NOTE_MAX_LENGTH = 500
MAX_REFERENCES = 200
_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class Unchanged:
    """Marks a field a change leaves alone (None is a real value: no category, not screened)."""


UNCHANGED = Unchanged()


class DocumentNotFound(NotFound):
    def __init__(self, document_id: str) -> None:
        super().__init__(f"no document {document_id}")


class VersionNotFound(NotFound):
    def __init__(self, document_id: str, number: int) -> None:
        super().__init__(f"document {document_id} has no version {number}")


class DocumentIsFinal(Conflict):
    def __init__(self, document_id: str, what: str) -> None:
        super().__init__(f"document {document_id} is final: {what}")


@dataclass(frozen=True)
class CaseAccess:
    """What a document takes from its case (docstore's copy of it)."""

    case_id: str
    number: str
    access_group_id: str | None
    screening_code: str | None
    status: str


@dataclass(frozen=True)
class DocumentDraft:
    title: str
    document_type: str
    category: str | None = None
    access_group_id: str | None = None
    screening_code: str | None = None
    owner_id: str | None = None
    registration_id: str | None = None


@dataclass(frozen=True)
class StoredContent:
    """Bytes already in the blob store, checked and sniffed."""

    sha256: str
    size: int
    format: str
    mime_type: str
    filename: str


class DocumentVersion:
    def __init__(
        self, tenant_id: str, document_id: str, number: int, content: StoredContent, created_at: datetime, created_by: str
    ) -> None:
        self.id = str(uuid.uuid4())
        self.tenant_id = tenant_id
        self.document_id = document_id
        self.number = number
        self.sha256 = content.sha256
        self.size = content.size
        self.format = content.format
        self.mime_type = content.mime_type
        self.filename = content.filename
        self.created_at = created_at
        self.created_by = created_by


class Comment:
    def __init__(self, tenant_id: str, document_id: str, text: str, author_id: str, author: str, now: datetime) -> None:
        self.id = str(uuid.uuid4())
        self.tenant_id = tenant_id
        self.document_id = document_id
        self.text = text
        self.author_id = author_id
        self.author = author
        self.created_at = now


class Reference:
    def __init__(self, tenant_id: str, document_id: str, referenced_id: str, note: str | None, actor: str, now: datetime) -> None:
        self.tenant_id = tenant_id
        self.document_id = document_id
        self.referenced_document_id = referenced_id
        self.note = note
        self.created_at = now
        self.created_by = actor


class Document(Aggregate):
    versions: list[DocumentVersion]
    references: list[Reference]

    def __init__(
        self,
        tenant_id: str,
        draft: DocumentDraft,
        case: CaseAccess | None,
        attached_to: Document | None,
        actor: str,
        now: datetime,
        document_id: str | None = None,
    ) -> None:
        super().__init__()
        self.id = document_id or str(uuid.uuid4())
        self.tenant_id = tenant_id
        self.title = _title(draft.title)
        self.document_type = _code("document_type", draft.document_type)
        self.category = _code("category", draft.category) if draft.category is not None else None
        self.status = "draft"
        self.owner_id = draft.owner_id
        self.registration_id = draft.registration_id
        self.attached_to_document_id = attached_to.id if attached_to else None
        self.current_version = 0
        self.created_at = self.updated_at = now
        self.created_by = actor
        self.version = 1
        self.versions = []
        self.references = []
        if attached_to is not None and case is not None and attached_to.case_id != case.case_id:
            raise InvalidField("attached_to_document_id", "an attachment belongs to its main document's case")
        if case is not None:
            _require_open(case)
            self.case_id = case.case_id
            self.access_group_id = case.access_group_id
            self.screening_code = draft.screening_code if draft.screening_code is not None else case.screening_code
        elif attached_to is not None:
            self.case_id = attached_to.case_id
            self.access_group_id = attached_to.access_group_id
            self.screening_code = draft.screening_code if draft.screening_code is not None else attached_to.screening_code
        else:
            if not draft.access_group_id:
                raise InvalidField("access_group_id", "a document outside a case needs an access group")
            self.case_id = None
            self.access_group_id = draft.access_group_id
            self.screening_code = draft.screening_code
        if self.registration_id is not None and self.case_id is None:
            raise InvalidField("registration_id", "a document filed under a registration belongs to its case")
        self.record(DocumentCreated(**self._event_data()))

    def add_version(self, content: StoredContent, actor: str, now: datetime) -> DocumentVersion:
        if self.status == "final":
            raise DocumentIsFinal(self.id, "it gets no new versions")
        version = DocumentVersion(self.tenant_id, self.id, self.current_version + 1, content, now, actor)
        self.versions.append(version)
        self.current_version = version.number
        self._touch(now)
        self.record(
            DocumentVersionStored(
                document_id=self.id,
                version_number=version.number,
                sha256=content.sha256,
                size=content.size,
                format=content.format,
                mime_type=content.mime_type,
                filename=content.filename,
            )
        )
        self.record(DocumentChanged(**self._event_data(), changed_fields=["current_version"]))
        return version

    def version_numbered(self, number: int) -> DocumentVersion:
        for version in self.versions:
            if version.number == number:
                return version
        raise VersionNotFound(self.id, number)

    def change(
        self,
        now: datetime,
        expected_version: int | None,
        title: str | Unchanged = UNCHANGED,
        document_type: str | Unchanged = UNCHANGED,
        category: str | None | Unchanged = UNCHANGED,
        status: str | Unchanged = UNCHANGED,
        screening_code: str | None | Unchanged = UNCHANGED,
        owner_id: str | None | Unchanged = UNCHANGED,
    ) -> list[str]:
        """Apply the given fields; returns the names of those that really changed."""
        if expected_version is not None and expected_version != self.version:
            raise PreconditionFailed(f"the document is at version {self.version}, not {expected_version}: read it again")
        wanted = {
            "title": title if isinstance(title, Unchanged) else _title(title),
            "document_type": document_type if isinstance(document_type, Unchanged) else _code("document_type", document_type),
            "category": category if isinstance(category, Unchanged | None) else _code("category", category),
            "status": status if isinstance(status, Unchanged) else self._next_status(status),
            "screening_code": screening_code,
            "owner_id": owner_id,
        }
        changed = [name for name, value in wanted.items() if not isinstance(value, Unchanged) and getattr(self, name) != value]
        if self.status == "final" and set(changed) - {"screening_code", "owner_id"}:
            raise DocumentIsFinal(self.id, "only its screening and owner may change")
        for name in changed:
            setattr(self, name, wanted[name])
        if changed:
            self._touch(now)
            self.record(DocumentChanged(**self._event_data(), changed_fields=changed))
        return changed

    def follow_case(self, case: CaseAccess, case_screening_before: str | None, now: datetime) -> bool:
        """The case's access changed: the document follows, keeping a screening of its own."""
        screening = case.screening_code if self.screening_code == case_screening_before else self.screening_code
        if (self.access_group_id, self.screening_code) == (case.access_group_id, screening):
            return False
        self.access_group_id, self.screening_code = case.access_group_id, screening
        self._touch(now)
        self.record(DocumentChanged(**self._event_data(), changed_fields=["access_group_id", "screening_code"]))
        return True

    def file_under(self, registration_id: str, case_id: str, screening_code: str | None, now: datetime) -> bool:
        """A registration of the document's case lists it: it takes the registration's screening."""
        if self.case_id != case_id:
            return False
        wanted_screening = screening_code if screening_code is not None else self.screening_code
        if (self.registration_id, self.screening_code) == (registration_id, wanted_screening):
            return False
        changed = [name for name, value in (("registration_id", registration_id), ("screening_code", wanted_screening)) if getattr(self, name) != value]
        self.registration_id, self.screening_code = registration_id, wanted_screening
        self._touch(now)
        self.record(DocumentChanged(**self._event_data(), changed_fields=changed))
        return True

    def comment(self, text: str, author_id: str, author: str, now: datetime) -> Comment:
        text = (text or "").strip()
        if not text:
            raise InvalidField("text", "must not be empty")
        if len(text) > COMMENT_MAX_LENGTH:
            raise InvalidField("text", f"at most {COMMENT_MAX_LENGTH} characters")
        comment = Comment(self.tenant_id, self.id, text, author_id, author, now)
        self.record(DocumentCommented(document_id=self.id, comment_id=comment.id, author_id=author_id, created_at=now))
        return comment

    def refer_to(self, other: Document, note: str | None, actor: str, now: datetime) -> Reference:
        if other.id == self.id:
            raise InvalidField("document_id", "a document cannot refer to itself")
        if note is not None and len(note) > NOTE_MAX_LENGTH:
            raise InvalidField("note", f"at most {NOTE_MAX_LENGTH} characters")
        if any(reference.referenced_document_id == other.id for reference in self.references):
            raise Conflict(f"document {self.id} already refers to {other.id}")
        if len(self.references) >= MAX_REFERENCES:
            raise InvalidField("document_id", f"at most {MAX_REFERENCES} references")
        reference = Reference(self.tenant_id, self.id, other.id, note, actor, now)
        self.references.append(reference)
        self._touch(now)
        self.record(DocumentChanged(**self._event_data(), changed_fields=["references"]))
        return reference

    def drop_reference(self, other_id: str, now: datetime) -> None:
        found = [reference for reference in self.references if reference.referenced_document_id == other_id]
        if not found:
            raise NotFound(f"document {self.id} does not refer to {other_id}")
        self.references.remove(found[0])
        self._touch(now)
        self.record(DocumentChanged(**self._event_data(), changed_fields=["references"]))

    def _next_status(self, status: str) -> str:
        if status not in STATUSES:
            raise InvalidField("status", f"one of {', '.join(STATUSES)}")
        if status == "draft" and self.status == "final":
            raise DocumentIsFinal(self.id, "it cannot become a draft again")
        if status == "final" and self.current_version == 0:
            raise Conflict(f"document {self.id} has no content yet: upload a version before making it final")
        return status

    def _touch(self, now: datetime) -> None:
        self.updated_at = now
        self.version += 1

    def _event_data(self) -> dict:
        return {
            "document_id": self.id,
            "title": self.title,
            "document_type": self.document_type,
            "category": self.category,
            "status": self.status,
            "case_id": self.case_id,
            "registration_id": self.registration_id,
            "attached_to_document_id": self.attached_to_document_id,
            "access_group_id": self.access_group_id,
            "screening_code": self.screening_code,
            "owner_id": self.owner_id,
            "current_version": self.current_version,
            "version": self.version,
        }


def _require_open(case: CaseAccess) -> None:
    if case.status != "open":
        raise Conflict(f"case {case.number} is {case.status}: documents are filed only in open cases")


def _title(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidField("title", "must not be empty")
    if len(value) > TITLE_MAX_LENGTH:
        raise InvalidField("title", f"at most {TITLE_MAX_LENGTH} characters")
    return value


def _code(field: str, value: str) -> str:
    value = (value or "").strip().lower()
    if not _CODE.match(value) or len(value) > CODE_MAX_LENGTH:
        raise InvalidField(field, f"a code of lower-case letters, digits, '.', '_' or '-', at most {CODE_MAX_LENGTH} characters")
    return value
