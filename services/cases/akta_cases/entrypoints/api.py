"""HTTP API of the cases service: parse, authenticate, build a command, map errors."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from akta import audit
from akta.service import Service
from akta.web.app import create_app
from akta.web.auth import current_scope
from akta.web.etags import if_match_version, versioned_response
from akta.web.idempotency import idempotent
from akta.web.pagination import Page, PageQuery, page_response
from akta_cases import views
from akta_cases.archive_plan.api import create_archive_plan_blueprint
from akta_cases.contacts.api import create_contacts_blueprint
from akta_cases.domain import commands
from akta_cases.domain.model import TITLE_MAX_LENGTH, UNCHANGED, CaseNotFound
from akta_cases.entrypoints.exports import create_case_export_blueprint
from akta_cases.parties import views as party_views
from akta_cases.parties.api import PartyRole, create_parties_blueprint
from akta_cases.registrations.api import create_registrations_blueprint
from akta_cases.saved_searches.api import create_saved_searches_blueprint
from akta_cases.service_layer import handlers
from akta_cases.tasks.api import create_tasks_blueprint

SECURITY = [{"bearer": []}]


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template_id: str = Field(min_length=1, max_length=36, description="Every case is created from a template (GET /templates).")
    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH)
    class_id: str | None = Field(default=None, max_length=36, description="Defaults to the template's class.")
    access_group_id: str | None = Field(default=None, max_length=36, description="Who may see the case; defaults from the template, then the class.")
    screening_code: str | None = Field(default=None, max_length=40, description="See GET /api/identity/screening-codes; defaults to the template's.")
    owner_id: str | None = Field(default=None, max_length=36, description="Defaults to the caller.")
    unit_id: str | None = Field(default=None, max_length=36)
    metadata: dict = Field(default_factory=dict, description="Values of the template's custom fields, by key.")


class CaseChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX_LENGTH)
    status: Literal["open", "closed"] | None = Field(default=None, description="Prefer POST …/close and …/reopen (with a reason).")
    access_group_id: str | None = Field(default=None, min_length=1, max_length=36)
    screening_code: str | None = Field(default=None, max_length=40, description="Send null to lift the screening.")
    owner_id: str | None = Field(default=None, min_length=1, max_length=36)
    unit_id: str | None = Field(default=None, min_length=1, max_length=36)
    class_id: str | None = Field(default=None, min_length=1, max_length=36)
    metadata: dict | None = Field(default=None, description="Changed custom fields only.")


class CaseOut(BaseModel):
    id: str
    number: str
    title: str
    status: str
    access_group_id: str | None
    screening_code: str | None
    template_id: str | None
    class_id: str | None
    retention_rule: str | None
    owner_id: str | None
    unit_id: str | None
    metadata: dict
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class CasePath(BaseModel):
    case_id: str = Field(max_length=64)


class CaseListQuery(PageQuery):
    status: Literal["open", "closed", "archived"] | None = None


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(default=None, max_length=2000)


class RequiredReason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case_id: str = Field(min_length=1, max_length=36)
    kind: Literal["related", "follows", "replaces"] = "related"


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=10_000)


class PersonCaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: str = Field(min_length=8, max_length=20, description="CPR, fødselsnummer, D-number, CVR or organisasjonsnummer.")
    template_id: str = Field(min_length=1, max_length=36)
    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH, description="Used when the case is created.")
    access_group_id: str | None = Field(default=None, max_length=36)
    party_role: PartyRole | None = Field(
        default=None, description="The person's role as a party of the case (GET /party-roles); defaults to other."
    )


class PersonCaseOut(BaseModel):
    case: CaseOut
    created: bool


def create_api(service: Service):
    app = create_app("cases", "Akta cases", service.readiness_checks())
    api = APIBlueprint("cases", __name__, abp_security=SECURITY, abp_tags=[Tag(name="cases")])

    def created_case(resources: list[dict[str, str]]) -> Response | None:
        """The answer to POST /cases rebuilt from the case it made (see akta.web.idempotency)."""
        _, scope = current_scope(service.authenticator)
        for resource in resources:
            if resource["type"] == "Case":
                case = views.get_case(service.database, scope, resource["id"])
                return _case_response(case, 201) if case else None
        return None

    @api.post("/cases", responses={201: CaseOut})
    @idempotent(service, recover=created_case)
    def create_case(body: CaseCreate):
        """Create a case; it gets the next case number of its tenant and year."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:write")
        case = handlers.create_case(
            commands.CreateCase(
                tenant_id=principal.tenant_id,
                title=body.title,
                access_group_id=body.access_group_id,
                screening_code=body.screening_code if "screening_code" in body.model_fields_set else UNCHANGED,
                template_id=body.template_id,
                class_id=body.class_id,
                owner_id=body.owner_id or (None if principal.is_service else principal.subject_id),
                unit_id=body.unit_id,
                metadata=body.metadata,
            ),
            service.unit_of_work(),
            scope,
        )
        return _case_response(views.get_case(service.database, scope, case.id), 201)

    @api.get("/cases", responses={200: Page[CaseOut]})
    def list_cases(query: CaseListQuery):
        """List the caller's cases, most recently changed first."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:read")
        items, total = views.list_cases(service.database, scope, query.offset, query.page_size, query.status)
        audit.record_read(
            service, principal.tenant_id, "case", "*", action="list", page=query.page, status=query.status or "", shown=len(items)
        )
        return page_response(CaseOut, items, total, query)

    @api.get("/cases/<case_id>", responses={200: CaseOut})
    def get_case(path: CasePath):
        """One case. Its ETag is its version, for If-Match on changes."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:read")
        case = views.get_case(service.database, scope, path.case_id)
        audit.record_read(service, principal.tenant_id, "case", path.case_id, "success" if case else "denied")
        if case is None:
            raise CaseNotFound(path.case_id)
        return _case_response(case, 200)

    @api.patch("/cases/<case_id>", responses={200: CaseOut})
    def change_case(path: CasePath, body: CaseChange):
        """Change title or status. Send If-Match with the ETag you read to avoid lost updates."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:write")
        handlers.update_case(
            commands.UpdateCase(
                tenant_id=principal.tenant_id,
                case_id=path.case_id,
                title=body.title,
                status=body.status,
                expected_version=if_match_version("case"),
                access_group_id=body.access_group_id,
                screening_code=body.screening_code if "screening_code" in body.model_fields_set else UNCHANGED,
                owner_id=body.owner_id,
                unit_id=body.unit_id,
                class_id=body.class_id,
                metadata=body.metadata,
            ),
            service.unit_of_work(),
            scope,
        )
        return _case_response(views.get_case(service.database, scope, path.case_id), 200)

    @api.post("/cases/<case_id>/close", responses={200: CaseOut})
    def close_case(path: CasePath, body: Reason):
        """Close the case (the usual start of its retention period). 409 lists open tasks."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:write")
        handlers.close_case(service.unit_of_work(), scope, principal.tenant_id, path.case_id, body.reason, if_match_version("case"))
        return _case_response(views.get_case(service.database, scope, path.case_id), 200)

    @api.post("/cases/<case_id>/reopen", responses={200: CaseOut})
    def reopen_case(path: CasePath, body: RequiredReason):
        """Reopen a closed case; the reason is kept in its history."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:write")
        handlers.reopen_case(service.unit_of_work(), scope, principal.tenant_id, path.case_id, body.reason, if_match_version("case"))
        return _case_response(views.get_case(service.database, scope, path.case_id), 200)

    @api.post("/cases/<case_id>/archive", responses={200: CaseOut})
    def archive_case(path: CasePath):
        """Archive a closed case (archivists): it no longer changes."""
        principal, scope = current_scope(service.authenticator)
        principal.require_role("archivist", "administrator")
        handlers.archive_case(service.unit_of_work(), scope, principal.tenant_id, path.case_id)
        return _case_response(views.get_case(service.database, scope, path.case_id), 200)

    @api.post("/cases/<case_id>/links", responses={204: None})
    def link_case(path: CasePath, body: LinkIn):
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:write")
        handlers.link_cases(service.unit_of_work(), scope, principal.tenant_id, path.case_id, body.case_id, body.kind)
        return Response(status=204)

    @api.get("/cases/<case_id>/links")
    def case_links(path: CasePath):
        """Linked cases, both ways; only those the caller may read."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:read")
        links = views.list_links(service.database, scope, path.case_id)
        if links is None:
            raise CaseNotFound(path.case_id)
        audit.record_read(service, principal.tenant_id, "case", path.case_id, action="read_links")
        return jsonify(items=links)

    @api.post("/cases/<case_id>/notes")
    def add_note(path: CasePath, body: NoteIn):
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:write")
        note_id = handlers.add_note(service.unit_of_work(), scope, principal.tenant_id, path.case_id, body.text)
        return jsonify(id=note_id), 201

    @api.get("/cases/<case_id>/notes")
    def case_notes(path: CasePath):
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:read")
        notes = views.list_notes(service.database, scope, path.case_id)
        if notes is None:
            raise CaseNotFound(path.case_id)
        audit.record_read(service, principal.tenant_id, "case", path.case_id, action="read_notes")
        return jsonify(items=notes)

    def filed_person_case(resources: list[dict[str, str]]) -> Response | None:
        """The answer to POST /person-cases rebuilt from the case and party it touched: created
        when the party was added together with the case (same time), else the case was found."""
        _, scope = current_scope(service.authenticator)
        case_id = next((r["id"] for r in resources if r["type"] == "Case"), None)
        party_id = next((r["id"] for r in resources if r["type"] == "CaseParty"), None)
        case = views.get_case(service.database, scope, case_id) if case_id else None
        party = party_views.get_party(service.database, scope, case_id, party_id) if case and party_id else None
        if case is None or party is None:
            return None
        created = party["added_at"] == case["created_at"]
        body_out = PersonCaseOut(case=CaseOut(**case), created=created).model_dump_json()
        return Response(body_out, status=201 if created else 200, mimetype="application/json")

    @api.post("/person-cases", responses={200: PersonCaseOut, 201: PersonCaseOut})
    @idempotent(service, recover=filed_person_case)
    def person_case(body: PersonCaseIn):
        """The person's open case under the template, created when missing (201). Dispatch and
        intake file letters, receipts and replies into it. The identifier is in the body, never
        in a URL, where access logs would keep it."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:write")
        case_id, created = handlers.file_for_person(
            commands.FileForPerson(
                principal.tenant_id, body.identifier, body.template_id, body.title, body.access_group_id,
                party_role=body.party_role or "other",
            ),
            service.unit_of_work(),
            scope,
        )
        found = views.get_case(service.database, scope, case_id)
        body_out = PersonCaseOut(case=CaseOut(**found), created=created).model_dump_json()
        return Response(body_out, status=201 if created else 200, mimetype="application/json")

    app.register_api(api)
    app.register_api(create_archive_plan_blueprint(service))
    app.register_api(create_contacts_blueprint(service))
    app.register_api(create_parties_blueprint(service))
    app.register_api(create_registrations_blueprint(service))
    app.register_api(create_case_export_blueprint(service, CaseListQuery))
    app.register_api(create_saved_searches_blueprint(service, CaseListQuery, CaseOut))
    app.register_api(create_tasks_blueprint(service))
    return app


def _case_response(case: dict, status: int) -> Response:
    return versioned_response(CaseOut, case, status, f"/cases/{case['id']}" if status == 201 else None)



