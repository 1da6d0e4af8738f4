"""HTTP API of registrations (journal entries)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from akta import audit
from akta.errors import InvalidField, NotFound
from akta.service import Service
from akta.web.auth import current_scope
from akta.web.csv_export import csv_response
from akta.web.etags import if_match_version, versioned_response
from akta.web.idempotency import idempotent
from akta.web.pagination import Page, PageQuery, page_response
from akta_cases import views as case_views
from akta_cases.contacts.api import AddressIn, AddressOut
from akta_cases.contacts.model import KEEP
from akta_cases.entrypoints.exports import timestamped
from akta_cases.registrations import commands, handlers, views
from akta_cases.registrations.model import (
    CORRESPONDENT_ROLES,
    DOCUMENT_ID_MAX_LENGTH,
    DOCUMENT_ROLES,
    KINDS,
    STATUSES,
    TITLE_MAX_LENGTH,
    CorrespondentInput,
    DocumentInput,
    RegistrationDraft,
    RegistrationNotFound,
)

Kind = Literal[tuple(KINDS)]
Status = Literal[STATUSES]
KIND_DESCRIPTION = "Noark 5 journalpost type: I incoming, U outgoing, N internal memo, X note."


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CorrespondentIn(Strict):
    role: Literal[CORRESPONDENT_ROLES]
    contact_id: str | None = Field(default=None, max_length=36, description="A contact in the registry; its name and address are copied unless given.")
    name: str | None = Field(default=None, max_length=200, description="As on the letter; required without contact_id.")
    address: AddressIn | None = None

    def value(self) -> CorrespondentInput:
        return CorrespondentInput(self.role, self.contact_id, self.name, self.address.value() if self.address else None)


class DocumentIn(Strict):
    document_id: str = Field(min_length=1, max_length=DOCUMENT_ID_MAX_LENGTH, description="The document's id in docstore.")
    role: Literal[DOCUMENT_ROLES]

    def value(self) -> DocumentInput:
        return DocumentInput(self.document_id, self.role)


class RegistrationIn(Strict):
    kind: Kind = Field(description=KIND_DESCRIPTION)
    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH)
    document_date: date | None = None
    received_date: date | None = Field(default=None, description="Incoming (I) only.")
    sent_date: date | None = Field(default=None, description="Outgoing (U) and internal memos (N) only; set when expedited.")
    journal_date: date | None = Field(default=None, description="Defaults to today.")
    correspondents: list[CorrespondentIn] = Field(default_factory=list, max_length=500)
    documents: list[DocumentIn] = Field(
        default_factory=list, max_length=500, description="Exactly one main document when any; main first, then attachments."
    )
    screening_code: str | None = Field(default=None, max_length=40, description="Defaults to the case's; may be stricter, never lifted.")
    reply_to_registration_id: str | None = Field(
        default=None, max_length=36, description="For an incoming registration: the outgoing one it answers, in any case of the organisation."
    )


class RegistrationChange(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX_LENGTH)
    document_date: date | None = None
    received_date: date | None = None
    sent_date: date | None = None
    correspondents: list[CorrespondentIn] | None = Field(default=None, max_length=500, description="Replaces the list.")
    documents: list[DocumentIn] | None = Field(default=None, max_length=500, description="Replaces the list.")
    screening_code: str | None = Field(default=None, max_length=40)
    reply_to_registration_id: str | None = Field(default=None, max_length=36, description="Null removes the link.")


class StatusIn(Strict):
    status: Status = Field(description="registered → journaled → expedited (outgoing only) → archived.")


class CorrespondentOut(BaseModel):
    role: str
    contact_id: str | None
    name: str
    address: AddressOut


class DocumentOut(BaseModel):
    document_id: str
    role: str


class RegistrationOut(BaseModel):
    id: str
    case_id: str
    number: str = Field(description="<case number>-<n>, e.g. 2026/000123-4.")
    kind: str
    kind_labels: dict[str, str]
    title: str
    status: str
    document_date: date | None
    received_date: date | None
    sent_date: date | None
    journal_date: date
    access_group_id: str | None = Field(description="The case's.")
    screening_code: str | None
    case_screening_code: str | None
    reply_to_registration_id: str | None
    correspondents: list[CorrespondentOut]
    documents: list[DocumentOut]
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


REGISTRATION_FIELDS = (
    "id", "case_id", "number", "kind", "title", "status", "document_date", "received_date", "sent_date", "journal_date",
    "access_group_id", "screening_code", "case_screening_code", "reply_to_registration_id", "correspondents",
    "documents", "created_at", "updated_at", "created_by", "version",
)


class CasePath(BaseModel):
    case_id: str = Field(max_length=64)


class RegistrationPath(BaseModel):
    registration_id: str = Field(max_length=64)


class RegistrationListQuery(PageQuery):
    model_config = ConfigDict(populate_by_name=True)
    kind: Kind | None = None
    status: Status | None = None
    date_from: date | None = Field(default=None, alias="from", description="Journal date from (inclusive).")
    date_to: date | None = Field(default=None, alias="to", description="Journal date to (inclusive).")
    case_id: str | None = Field(default=None, max_length=64)
    reply_to_registration_id: str | None = Field(default=None, max_length=64, description="The replies to this registration.")


def create_registrations_blueprint(service: Service) -> APIBlueprint:
    api = APIBlueprint("registrations", __name__, abp_security=[{"bearer": []}], abp_tags=[Tag(name="registrations")])

    def read(registration_id: str, status: int = 200, location: str | None = None):
        scope = current_scope(service.authenticator)[1]
        found = views.get_registration(service.database, scope, registration_id)
        if found is None:
            raise RegistrationNotFound(registration_id)
        return versioned_response(RegistrationOut, found, status, location)

    def writer():
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:write")
        return principal, scope

    def recover(resources: list[dict[str, str]]):
        created = next((r["id"] for r in resources if r["type"] == "Registration"), None)
        return read(created, 201, f"/registrations/{created}") if created else None

    @api.post("/cases/<case_id>/registrations", responses={201: RegistrationOut})
    @idempotent(service, recover=recover)
    def create_registration(path: CasePath, body: RegistrationIn):
        """File a registration in the case; it gets the case's next registration number."""
        principal, scope = writer()
        registration = handlers.create_registration(
            commands.CreateRegistration(
                tenant_id=principal.tenant_id,
                case_id=path.case_id,
                draft=RegistrationDraft(
                    kind=body.kind,
                    title=body.title,
                    document_date=body.document_date,
                    received_date=body.received_date,
                    sent_date=body.sent_date,
                    journal_date=body.journal_date,
                    correspondents=tuple(c.value() for c in body.correspondents),
                    documents=tuple(d.value() for d in body.documents),
                    screening_code=body.screening_code if "screening_code" in body.model_fields_set else KEEP,
                ),
                reply_to_registration_id=body.reply_to_registration_id,
            ),
            service.unit_of_work(),
            scope,
        )
        return read(registration.id, 201, f"/registrations/{registration.id}")

    @api.get("/cases/<case_id>/registrations", responses={200: Page[RegistrationOut]})
    def list_case_registrations(path: CasePath, query: PageQuery):
        """The case's registrations you may read, in number order."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:read")
        if case_views.get_case(service.database, scope, path.case_id) is None:
            audit.record_read(service, principal.tenant_id, "case", path.case_id, "denied")
            raise NotFound(f"no case {path.case_id}")
        items, total = views.list_case_registrations(service.database, scope, path.case_id, query.offset, query.page_size)
        audit.record_read(
            service, principal.tenant_id, "registration", "*", action="list", case_id=path.case_id, shown=len(items)
        )
        return page_response(RegistrationOut, items, total, query)

    @api.get("/registrations", responses={200: Page[RegistrationOut]})
    def list_registrations(query: RegistrationListQuery):
        """Registrations you may read across the organisation's cases, newest journal date first."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:read")
        if query.date_from and query.date_to and query.date_from > query.date_to:
            raise InvalidField("to", "must not be before from")
        items, total = views.list_registrations(
            service.database, scope, query.offset, query.page_size, query.kind, query.status,
            query.date_from, query.date_to, query.case_id, query.reply_to_registration_id,
        )
        audit.record_read(
            service, principal.tenant_id, "registration", "*", action="list", page=query.page, kind=query.kind or "",
            status=query.status or "", shown=len(items),
        )
        return page_response(RegistrationOut, items, total, query)

    @api.get("/registrations.csv", responses={200: None})
    def export_registrations(query: RegistrationListQuery):
        """The registrations of GET /registrations with the same filters and in its order (newest
        journal date first), as CSV (UTF-8, a header line; correspondents and documents as JSON),
        streamed. `page` and `page_size` are ignored: every matching registration you may read is
        in it. Audited as an export."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:read")
        if query.date_from and query.date_to and query.date_from > query.date_to:
            raise InvalidField("to", "must not be before from")
        filters = {
            "kind": query.kind, "status": query.status, "date_from": query.date_from, "date_to": query.date_to,
            "case_id": query.case_id, "reply_to_registration_id": query.reply_to_registration_id,
        }
        audit.record_read(
            service, principal.tenant_id, "registration", "*", action="export",
            **{f"filter_{name}": str(value) for name, value in filters.items() if value is not None},
        )
        rows = views.iter_registrations(service.database, scope, filters)
        return csv_response(REGISTRATION_FIELDS, rows, timestamped("registrations"))

    @api.get("/registrations/<registration_id>", responses={200: RegistrationOut})
    def get_registration(path: RegistrationPath):
        """One registration. Its ETag is its version, for If-Match on changes."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:read")
        found = views.get_registration(service.database, scope, path.registration_id)
        audit.record_read(service, principal.tenant_id, "registration", path.registration_id, "success" if found else "denied")
        if found is None:
            raise RegistrationNotFound(path.registration_id)
        return versioned_response(RegistrationOut, found)

    @api.patch("/registrations/<registration_id>", responses={200: RegistrationOut})
    def change_registration(path: RegistrationPath, body: RegistrationChange):
        """Change what was registered (until it is expedited or archived; the screening always).
        Send If-Match with the ETag you read."""
        principal, scope = writer()
        given = body.model_fields_set
        if "title" in given and body.title is None:
            raise InvalidField("title", "must not be empty")

        def kept(name: str, value):
            return value if name in given else KEEP

        handlers.change_registration(
            commands.ChangeRegistration(
                tenant_id=principal.tenant_id,
                registration_id=path.registration_id,
                expected_version=if_match_version(),
                title=kept("title", body.title),
                document_date=kept("document_date", body.document_date),
                received_date=kept("received_date", body.received_date),
                sent_date=kept("sent_date", body.sent_date),
                correspondents=kept("correspondents", tuple(c.value() for c in body.correspondents or ())),
                documents=kept("documents", tuple(d.value() for d in body.documents or ())),
                screening_code=kept("screening_code", body.screening_code),
                reply_to_registration_id=kept("reply_to_registration_id", body.reply_to_registration_id),
            ),
            service.unit_of_work(),
            scope,
        )
        return read(path.registration_id)

    @api.post("/registrations/<registration_id>/status", responses={200: RegistrationOut})
    def change_status(path: RegistrationPath, body: StatusIn):
        """Move the registration on; a move the lifecycle does not allow is 409 with the allowed ones."""
        principal, scope = writer()
        handlers.change_status(
            commands.ChangeRegistrationStatus(principal.tenant_id, path.registration_id, body.status, if_match_version()),
            service.unit_of_work(),
            scope,
        )
        return read(path.registration_id)

    return api
