"""Events published by the docstore service: documents, their versions and renditions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from akta.contracts.base import Event

DocumentStatus = Literal["draft", "final"]
RenditionKind = Literal["text", "ocr", "pdfa", "preview"]


class DocumentEvent(Event):
    """What every document event carries, so a consumer (the indexer, the cases dashboard) can
    keep its copy current from any one of them."""

    subject_field = "document_id"

    document_id: str
    title: str
    document_type: str = Field(description="Drives retention, e.g. letter, decision, minutes.")
    category: str | None = None
    status: DocumentStatus
    case_id: str | None = Field(default=None, description="The case the document belongs to.")
    registration_id: str | None = Field(default=None, description="The registration it is filed under.")
    attached_to_document_id: str | None = Field(default=None, description="Set on an attachment: its main document.")
    access_group_id: str | None = Field(default=None, description="Who may see it: the case's or its own.")
    screening_code: str | None = None
    owner_id: str | None = None
    current_version: int = Field(description="The newest version's number; 0 before the first upload.")
    version: int = Field(description="Optimistic lock version of the document's metadata.")


class DocumentCreated(DocumentEvent):
    event_type = "docstore.document.created.v1"
    summary = "A document was created (its content arrives as versions)."


class DocumentChanged(DocumentEvent):
    event_type = "docstore.document.changed.v1"
    summary = "A document's metadata, status, case or access changed."

    changed_fields: list[str]


class DocumentVersionStored(Event):
    event_type = "docstore.document.version.stored.v1"
    subject_field = "document_id"
    summary = "A new version's bytes were stored and checked; renditions follow."

    document_id: str
    version_number: int
    sha256: str
    size: int
    format: str = Field(description="Detected from the bytes: pdf, docx, odt, xlsx, txt, eml, msg, png, jpeg, tiff.")
    mime_type: str
    filename: str


class RenditionCompleted(Event):
    event_type = "docstore.rendition.completed.v1"
    subject_field = "document_id"
    summary = "A rendition of a version (text, OCR, PDF/A, preview) was made."

    document_id: str
    version_number: int
    kind: RenditionKind
    sha256: str | None = Field(default=None, description="The rendition's blob.")
    size: int | None = None


class RenditionFailed(Event):
    event_type = "docstore.rendition.failed.v1"
    subject_field = "document_id"
    summary = "A rendition attempt failed; `final` when no more attempts follow. The original stays."

    document_id: str
    version_number: int
    kind: RenditionKind
    reason: str
    attempts: int
    final: bool


class DocumentTextExtracted(Event):
    event_type = "docstore.document.text.extracted.v1"
    subject_field = "document_id"
    summary = "Searchable text of a version is ready (from its text layer, the file itself, or OCR)."

    document_id: str
    version_number: int
    source: Literal["text_layer", "ocr"]
    characters: int


class DocumentCommented(Event):
    event_type = "docstore.document.commented.v1"
    subject_field = "document_id"
    summary = "Someone commented on a document."

    document_id: str
    comment_id: str
    author_id: str
    created_at: datetime


DOCUMENT_EVENTS = (DocumentCreated, DocumentChanged)
