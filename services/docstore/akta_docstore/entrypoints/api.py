"""HTTP API of the docstore: documents, versions (uploads and downloads), renditions, comments,
references, the organisation's allowed formats; search is in search_api.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from flask import Response, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from akta import audit
from akta.errors import InvalidField, NotFound, PreconditionFailed
from akta.web.app import accepts_any_body, create_app
from akta.web.auth import current_scope
from akta.web.csv_export import attachment, csv_response
from akta.web.etags import if_match_version, versioned_response
from akta.web.idempotency import idempotent
from akta.web.pagination import Page, PageQuery, page_response
from akta.web.problems import pydantic_errors
from akta_docstore import views
from akta_docstore.domain.model import (
    CODE_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    UNCHANGED,
    DocumentDraft,
    DocumentNotFound,
    VersionNotFound,
)
from akta_docstore.entrypoints.search_api import create_search_blueprint
from akta_docstore.entrypoints.uploads import is_multipart, received_upload
from akta_docstore.service_layer import handlers
from akta_docstore.settings import SUPPORTED_FORMATS

SECURITY = [{"bearer": []}]
DOWNLOAD_CHUNK = 256 * 1024
RenditionKind = Literal["text", "ocr", "pdfa", "preview"]
RENDITION_TYPES = {"text": "text/plain; charset=utf-8", "ocr": "application/pdf", "pdfa": "application/pdf", "preview": "image/png"}
UPLOAD_BODY = {
    "requestBody": {
        "description": "The file: multipart/form-data with a part named `file` (and, when creating, the metadata as "
        "form fields), or the raw bytes with `Content-Disposition: attachment; filename*=UTF-8''…` or ?filename=.",
        "content": {
            "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH)
    document_type: str = Field(min_length=1, max_length=CODE_MAX_LENGTH, description="Drives retention: letter, decision, minutes…")
    category: str | None = Field(default=None, max_length=CODE_MAX_LENGTH)
    case_id: str | None = Field(default=None, max_length=36, description="The case it belongs to; it takes the case's access.")
    registration_id: str | None = Field(default=None, max_length=36, description="The registration of that case it is filed under.")
    attached_to_document_id: str | None = Field(default=None, max_length=36, description="Makes it an attachment of that document.")
    access_group_id: str | None = Field(default=None, max_length=36, description="Only for a document outside a case.")
    screening_code: str | None = Field(default=None, max_length=40, description="Defaults to the case's.")
    owner_id: str | None = Field(default=None, max_length=64, description="Defaults to the caller.")


class DocumentChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX_LENGTH)
    document_type: str | None = Field(default=None, min_length=1, max_length=CODE_MAX_LENGTH)
    category: str | None = Field(default=None, max_length=CODE_MAX_LENGTH)
    status: Literal["draft", "final"] | None = Field(default=None, description="A final document keeps its content for good.")
    screening_code: str | None = Field(default=None, max_length=40, description="Null lifts the document's own screening.")
    owner_id: str | None = Field(default=None, max_length=64)


class VersionOut(BaseModel):
    number: int
    sha256: str
    size: int
    format: str
    mime_type: str
    filename: str
    created_at: datetime
    created_by: str


class RenditionOut(BaseModel):
    version_number: int
    kind: str
    status: str = Field(description="pending, running, waiting (for OCR), done or failed.")
    attempts: int
    reason: str | None
    size: int | None
    source: str | None = Field(description="For text: text_layer or ocr.")
    updated_at: datetime


class ReferenceOut(BaseModel):
    document_id: str
    note: str | None
    created_at: datetime
    created_by: str


class AttachmentOut(BaseModel):
    id: str
    title: str


class DocumentSummaryOut(BaseModel):
    id: str
    title: str
    document_type: str
    category: str | None
    status: str
    case_id: str | None
    case_number: str | None
    registration_id: str | None
    attached_to_document_id: str | None
    access_group_id: str | None
    screening_code: str | None
    owner_id: str | None
    current_version: int
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class DocumentOut(DocumentSummaryOut):
    versions: list[VersionOut]
    renditions: list[RenditionOut]
    references: list[ReferenceOut]
    attachments: list[AttachmentOut]


class DocumentListQuery(PageQuery):
    case_id: str | None = Field(default=None, max_length=36)
    registration_id: str | None = Field(default=None, max_length=36)
    attached_to_document_id: str | None = Field(default=None, max_length=36)
    status: Literal["draft", "final"] | None = None
    document_type: str | None = Field(default=None, max_length=CODE_MAX_LENGTH)
    category: str | None = Field(default=None, max_length=CODE_MAX_LENGTH)


class DocumentPath(BaseModel):
    document_id: str = Field(max_length=64)


class VersionPath(DocumentPath):
    number: int = Field(ge=1)


class RenditionPath(VersionPath):
    kind: RenditionKind


class CurrentRenditionPath(DocumentPath):
    kind: RenditionKind


class ReferencePath(DocumentPath):
    referenced_id: str = Field(max_length=64)


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=COMMENT_MAX_LENGTH)


class CommentOut(BaseModel):
    id: str
    text: str
    author_id: str
    author: str
    created_at: datetime


class ReferenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document_id: str = Field(min_length=1, max_length=64)
    note: str | None = Field(default=None, max_length=NOTE_MAX_LENGTH)


class FormatsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    allowed_formats: list[Literal[SUPPORTED_FORMATS]] = Field(min_length=1, max_length=len(SUPPORTED_FORMATS))


class FormatsOut(BaseModel):
    allowed_formats: list[str]
    supported_formats: list[str]


def create_api(service):
    app = create_app(
        "docstore", "Akta docstore", service.readiness_checks(),
        max_content_length=service.settings.max_upload_bytes + 1024 * 1024,
    )
    api = APIBlueprint("documents", __name__, abp_security=SECURITY, abp_tags=[Tag(name="documents")])
    settings = service.settings
    spool_directory = settings.data_dir / "tmp" / "uploads"
    upload_rules = handlers.UploadRules(
        handlers.allowed_formats_of(service.database.read_session, settings.default_allowed_formats),
        settings.content_limits(),
    )

    def reader():
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("docstore:read")
        return principal, scope

    def writer():
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("docstore:write")
        return principal, scope

    def document_response(document_id: str, status: int = 200) -> Response:
        _, scope = current_scope(service.authenticator)
        found = views.get_document(service.database, scope, document_id)
        if found is None:
            raise DocumentNotFound(document_id)
        return versioned_response(DocumentOut, found, status, f"/documents/{document_id}" if status == 201 else None)

    def recover(resources: list[dict[str, str]]):
        created = next((r["id"] for r in resources if r["type"] == "Document"), None)
        return document_response(created, 201) if created else None

    def create(principal, scope, body: DocumentIn, upload) -> Response:
        created = handlers.create_document(
            principal.tenant_id,
            DocumentDraft(
                title=body.title,
                document_type=body.document_type,
                category=body.category,
                access_group_id=body.access_group_id,
                screening_code=body.screening_code,
                owner_id=body.owner_id or (None if principal.is_service else principal.subject_id),
                registration_id=body.registration_id,
            ),
            body.case_id,
            body.attached_to_document_id,
            upload,
            scope,
            service.unit_of_work,
            service.database.read_session,
            service.blobs,
            upload_rules,
            settings.case_wait_seconds,
        )
        document = created.document
        if document.attached_to_document_id is not None:
            return document_response(document.id, 201)
        # All of a new document is at hand: answer without reading it back.
        found = views.new_document(document, created.case_number)
        return versioned_response(DocumentOut, found, 201, f"/documents/{document.id}")

    @api.post("/documents", responses={201: DocumentOut}, openapi_extensions=UPLOAD_BODY)
    @accepts_any_body
    def create_document():
        """Create a document. JSON (DocumentIn) creates it without content (Idempotency-Key
        honoured); multipart/form-data with a `file` part and DocumentIn's fields as form fields
        creates it with its first version. The type is detected from the bytes and must be among
        the organisation's allowed formats."""
        principal, scope = writer()
        if is_multipart():
            with received_upload(spool_directory, settings.max_upload_bytes) as upload:
                return create(principal, scope, _form_document(), upload)
        if not request.is_json:
            raise InvalidField("Content-Type", "send application/json (metadata) or multipart/form-data (metadata and file)")
        return _create_from_json()

    @idempotent(service, recover=recover)
    def _create_from_json():
        principal, scope = writer()
        try:
            body = DocumentIn.model_validate(request.get_json())
        except ValidationError as error:
            raise _invalid(error) from None
        return create(principal, scope, body, None)

    @api.get("/documents", responses={200: Page[DocumentSummaryOut]})
    def list_documents(query: DocumentListQuery):
        """Documents you may read, most recently changed first."""
        principal, scope = reader()
        filters = _list_filters(query)
        items, total = views.list_documents(service.database, scope, filters, query.offset, query.page_size)
        audit.record_read(service, principal.tenant_id, "document", "*", action="list", shown=len(items), **_described(filters))
        return page_response(DocumentSummaryOut, items, total, query)

    @api.get("/documents.csv", responses={200: None})
    def export_documents(query: DocumentListQuery):
        """The documents of GET /documents with the same filters, as CSV in the same order,
        streamed; `page` and `page_size` are ignored. Audited as an export."""
        principal, scope = reader()
        filters = _list_filters(query)
        audit.record_read(service, principal.tenant_id, "document", "*", action="export", **_described(filters))
        return csv_response(views.DOCUMENT_FIELDS, views.iter_documents(service.database, scope, filters), _timestamped("documents"))

    @api.get("/documents/<document_id>", responses={200: DocumentOut})
    def get_document(path: DocumentPath):
        """One document with its versions, renditions, references and attachments. Its ETag is
        its version, for If-Match on changes and uploads."""
        principal, _ = reader()
        try:
            response = document_response(path.document_id)
        except DocumentNotFound:
            audit.record_read(service, principal.tenant_id, "document", path.document_id, "denied")
            raise
        audit.record_read(service, principal.tenant_id, "document", path.document_id)
        return response

    @api.patch("/documents/<document_id>", responses={200: DocumentOut})
    def change_document(path: DocumentPath, body: DocumentChange):
        """Change the metadata or make it final. Send If-Match with the ETag you read."""
        principal, scope = writer()
        given = body.model_fields_set
        for name in ("title", "document_type", "status"):
            if name in given and getattr(body, name) is None:
                raise InvalidField(name, "must not be empty")
        changes = {name: getattr(body, name) if name in given else UNCHANGED for name in DocumentChange.model_fields}
        handlers.change_document(principal.tenant_id, path.document_id, if_match_version(), changes, scope, service.unit_of_work)
        return document_response(path.document_id)

    @api.post("/documents/<document_id>/versions", responses={201: DocumentOut}, openapi_extensions=UPLOAD_BODY)
    @accepts_any_body
    def upload_version(path: DocumentPath):
        """Upload the next version. With If-Match (the document's ETag) a retried upload cannot
        make a second version: the retry gets 412."""
        principal, scope = writer()
        expected = if_match_version()
        with received_upload(spool_directory, settings.max_upload_bytes) as upload:
            if expected is not None:
                current = views.get_document(service.database, scope, path.document_id)
                if current is not None and current["version"] != expected:
                    raise PreconditionFailed(f"the document is at version {current['version']}, not {expected}: read it again")
            handlers.add_version(
                principal.tenant_id, path.document_id, upload, scope, service.unit_of_work, service.blobs, upload_rules
            )
        return document_response(path.document_id, 201)

    @api.get("/documents/<document_id>/content", responses={200: None})
    def download_current(path: DocumentPath):
        """The current version's bytes, streamed. Every download is audited."""
        return download(path.document_id, None)

    @api.get("/documents/<document_id>/versions/<int:number>/content", responses={200: None})
    def download_version(path: VersionPath):
        """An older or the current version's bytes, streamed. Every download is audited."""
        return download(path.document_id, path.number)

    def download(document_id: str, number: int | None) -> Response:
        principal, scope = reader()
        found = views.version_content(service.database, scope, document_id, number)
        if found is None:
            audit.record_read(service, principal.tenant_id, "document", document_id, "denied", action="download")
            raise DocumentNotFound(document_id)
        if not found:
            raise VersionNotFound(document_id, number or 0) if number else NotFound(f"document {document_id} has no content yet")
        audit.record_read(
            service, principal.tenant_id, "document", document_id, action="download", version=found["number"], sha256=found["sha256"]
        )
        return _blob_response(service.blobs, principal.tenant_id, found["sha256"], found["size"], found["mime_type"], found["filename"])

    @api.get("/documents/<document_id>/renditions/<kind>", responses={200: None})
    def download_current_rendition(path: CurrentRenditionPath):
        """A rendition of the current version: text, ocr (searchable PDF), pdfa or preview (PNG).
        404 with its state while it is not made (see the document's renditions)."""
        return rendition(path.document_id, None, path.kind)

    @api.get("/documents/<document_id>/versions/<int:number>/renditions/<kind>", responses={200: None})
    def download_rendition(path: RenditionPath):
        """A rendition of one version."""
        return rendition(path.document_id, path.number, path.kind)

    def rendition(document_id: str, number: int | None, kind: str) -> Response:
        principal, scope = reader()
        found = views.rendition_content(service.database, scope, document_id, number, kind)
        if found is None:
            audit.record_read(service, principal.tenant_id, "document", document_id, "denied", action="download")
            raise DocumentNotFound(document_id)
        if not found or found["status"] != "done":
            state = found.get("status", "not planned") if found else "not planned"
            raise NotFound(f"no {kind} rendition: {state}" + (f" ({found['reason']})" if found and found.get("reason") else ""))
        audit.record_read(
            service, principal.tenant_id, "document", document_id, action="download",
            version=found["version_number"], rendition=kind,
        )
        extension = {"text": "txt", "ocr": "pdf", "pdfa": "pdf", "preview": "png"}[kind]
        return _blob_response(
            service.blobs, principal.tenant_id, found["sha256"], found["size"], RENDITION_TYPES[kind],
            f"{document_id}-v{found['version_number']}-{kind}.{extension}", inline=kind == "preview",
        )

    @api.get("/documents/<document_id>/comments", responses={200: Page[CommentOut]})
    def list_comments(path: DocumentPath, query: PageQuery):
        """Comments on the document, oldest first."""
        principal, scope = reader()
        if views.get_document(service.database, scope, path.document_id) is None:
            raise DocumentNotFound(path.document_id)
        items, total = views.list_comments(service.database, path.document_id, query.offset, query.page_size)
        audit.record_read(service, principal.tenant_id, "document_comment", "*", action="list", document_id=path.document_id)
        return page_response(CommentOut, items, total, query)

    @api.post("/documents/<document_id>/comments", responses={201: CommentOut})
    def add_comment(path: DocumentPath, body: CommentIn):
        """Anyone who may read the document may comment on it."""
        principal, scope = reader()
        created = handlers.comment(
            principal.tenant_id, path.document_id, body.text, principal.subject_id, principal.name or principal.actor,
            scope, service.unit_of_work,
        )
        out = CommentOut(id=created.id, text=created.text, author_id=created.author_id, author=created.author, created_at=created.created_at)
        return Response(out.model_dump_json(), status=201, mimetype="application/json")

    @api.post("/documents/<document_id>/references", responses={200: DocumentOut})
    def add_reference(path: DocumentPath, body: ReferenceIn):
        """Refer to another document you may read (e.g. the letter this one answers)."""
        principal, scope = writer()
        handlers.refer(principal.tenant_id, path.document_id, body.document_id, body.note, scope, service.unit_of_work)
        return document_response(path.document_id)

    @api.delete("/documents/<document_id>/references/<referenced_id>", responses={200: DocumentOut})
    def remove_reference(path: ReferencePath):
        principal, scope = writer()
        handlers.drop_reference(principal.tenant_id, path.document_id, path.referenced_id, scope, service.unit_of_work)
        return document_response(path.document_id)

    @api.get("/settings/formats", responses={200: FormatsOut})
    def get_formats():
        """The formats the organisation accepts (detected from the bytes, never the name)."""
        principal, _ = reader()
        out = FormatsOut(allowed_formats=list(upload_rules.allowed_formats(principal.tenant_id)), supported_formats=list(SUPPORTED_FORMATS))
        return Response(out.model_dump_json(), mimetype="application/json")

    @api.put("/settings/formats", responses={200: FormatsOut})
    def set_formats(body: FormatsIn):
        """Administrators and archivists choose the accepted formats; files already stored stay."""
        principal, _ = writer()
        principal.require_role("administrator", "archivist")
        chosen = handlers.set_allowed_formats(principal.tenant_id, list(body.allowed_formats), service.unit_of_work)
        out = FormatsOut(allowed_formats=list(chosen), supported_formats=list(SUPPORTED_FORMATS))
        return Response(out.model_dump_json(), mimetype="application/json")

    app.register_api(api)
    app.register_api(create_search_blueprint(service))
    return app


def _form_document() -> DocumentIn:
    fields = {name: value for name, value in request.form.items() if value != ""}
    try:
        return DocumentIn.model_validate(fields)
    except ValidationError as error:
        raise _invalid(error) from None


def _invalid(error: ValidationError) -> InvalidField:
    first = pydantic_errors(error)[0]
    problem = InvalidField(first["field"], first["message"])
    problem.extra["errors"] = pydantic_errors(error)
    return problem


def _list_filters(query: DocumentListQuery) -> dict:
    names = ("case_id", "registration_id", "attached_to_document_id", "status", "document_type", "category")
    return {name: getattr(query, name) for name in names if getattr(query, name) is not None}


def _described(filters: dict) -> dict:
    return {f"filter_{name}": str(value) for name, value in filters.items()}


def _timestamped(name: str) -> str:
    return f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.csv"


def _blob_response(blobs, tenant_id: str, sha256: str, size: int, mime_type: str, filename: str, inline: bool = False) -> Response:
    if sha256 in request.if_none_match:
        response = Response(status=304)
        response.set_etag(sha256)
        return response

    def chunks():
        with blobs.open(tenant_id, sha256) as stream:
            while chunk := stream.read(DOWNLOAD_CHUNK):
                yield chunk

    response = Response(chunks(), mimetype=mime_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(size)
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    disposition = attachment(filename, fallback_name=f"document.{extension}")
    response.headers["Content-Disposition"] = disposition.replace("attachment", "inline", 1) if inline else disposition
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    response.set_etag(sha256)
    return response
