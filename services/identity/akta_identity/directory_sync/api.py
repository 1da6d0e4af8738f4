"""HTTP API of the directory sync: imports (administrators) and person look-ups."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from akta import audit
from akta.errors import Forbidden
from akta.service import Service
from akta.web.auth import current_principal
from akta.web.pagination import Page, PageQuery, page_response
from akta_identity.directory_sync import formats, handlers, views
from akta_identity.directory_sync.formats import ImportDocument
from akta_identity.directory_sync.model import PersonNotFound

SECURITY = [{"bearer": []}]
PersonKind = Literal["pupil", "guardian", "staff"]


class ImportQuery(BaseModel):
    dry_run: bool = Field(default=False, description="Report what would change and change nothing.")
    full: bool = Field(
        default=False, description="The body is the whole directory: deactivate persons and classes missing from it."
    )


class ChangeOut(BaseModel):
    action: Literal["create", "update", "deactivate"]
    kind: Literal["class", "pupil", "guardian", "staff"]
    external_id: str
    name: str
    changed_fields: list[str]
    summary: str


class ImportReportOut(BaseModel):
    dry_run: bool
    full: bool
    created: int
    updated: int
    deactivated: int
    unchanged: int
    changes: list[ChangeOut]
    notes: list[str] = Field(description="What could not be done as the import says, e.g. for staff users.")


class PersonOut(BaseModel):
    id: str
    kind: PersonKind
    external_id: str
    national_id: str | None = Field(description="CPR number or fødselsnummer, digits only.")
    given_name: str
    family_name: str
    class_code: str | None
    class_name: str | None
    username: str | None
    user_id: str | None
    active: bool
    guardian_ids: list[str]
    created_at: datetime
    updated_at: datetime


class GuardiansOut(BaseModel):
    items: list[PersonOut]


class PersonListQuery(PageQuery):
    kind: PersonKind | None = None
    class_code: str | None = Field(default=None, alias="class", max_length=100, description="A class's code.")
    q: str | None = Field(default=None, max_length=200, description="Words of the name or external id, or a national id.")
    active: bool | None = None


class PersonPath(BaseModel):
    person_id: str = Field(max_length=64)


def create_directory_blueprint(service: Service) -> APIBlueprint:
    api = APIBlueprint("directory_sync", __name__, abp_security=SECURITY, abp_tags=[Tag(name="persons")])

    def reader():
        principal = current_principal(service.authenticator)
        principal.require_scope("persons:read")
        return principal

    @api.post("/directory/imports", responses={200: ImportReportOut})
    def import_directory(query: ImportQuery, body: ImportDocument):
        """Import classes, pupils, guardians and staff from the student administrative system.
        The same import twice changes nothing; a bad row rejects the whole import."""
        principal = current_principal(service.authenticator)
        if "administrator" not in principal.roles:
            raise Forbidden("importing persons needs the role administrator")
        report = handlers.sync_persons(
            principal.tenant_id,
            formats.from_document(body),
            service.unit_of_work(),
            full=query.full,
            dry_run=query.dry_run,
        )
        return Response(_report_out(report).model_dump_json(), mimetype="application/json")

    @api.get("/persons", responses={200: Page[PersonOut]})
    def list_persons(query: PersonListQuery):
        """Pupils, guardians and staff of the caller's organisation, by family name."""
        principal = reader()
        items, total = views.list_persons(
            service.database, principal.tenant_id, query.offset, query.page_size,
            kind=query.kind, class_code=query.class_code, q=query.q, active=query.active,
        )
        # Not the search words: they may be a national id, and audit records travel the bus.
        audit.record_read(
            service, principal.tenant_id, "person", "*", action="list", page=query.page, kind=query.kind or "",
            class_code=query.class_code or "", searched=bool(query.q), shown=len(items),
        )
        return page_response(PersonOut, items, total, query)

    @api.get("/persons/<person_id>", responses={200: PersonOut})
    def get_person(path: PersonPath):
        """One person, with the national id."""
        principal = reader()
        person = views.get_person(service.database, principal.tenant_id, path.person_id)
        audit.record_read(service, principal.tenant_id, "person", path.person_id, "success" if person else "denied")
        if person is None:
            raise PersonNotFound(path.person_id)
        return Response(PersonOut(**person).model_dump_json(), mimetype="application/json")

    @api.get("/persons/<person_id>/guardians", responses={200: GuardiansOut})
    def get_guardians(path: PersonPath):
        """A pupil's guardians (none for guardians and staff)."""
        principal = reader()
        found = views.get_person(service.database, principal.tenant_id, path.person_id) is not None
        audit.record_read(
            service, principal.tenant_id, "person", path.person_id, "success" if found else "denied", action="list_guardians"
        )
        if not found:
            raise PersonNotFound(path.person_id)
        guardians = views.guardians_of(service.database, principal.tenant_id, path.person_id)
        body = GuardiansOut(items=[PersonOut(**guardian) for guardian in guardians])
        return Response(body.model_dump_json(), mimetype="application/json")

    return api


def _report_out(report: handlers.SyncReport) -> ImportReportOut:
    plan = report.plan
    return ImportReportOut(
        dry_run=report.dry_run,
        full=report.full,
        created=plan.count("create"),
        updated=plan.count("update"),
        deactivated=plan.count("deactivate"),
        unchanged=plan.unchanged,
        changes=[
            ChangeOut(
                action=change.action,
                kind=change.kind,
                external_id=change.external_id,
                name=change.name,
                changed_fields=list(change.changed_fields),
                summary=change.summary(),
            )
            for change in plan.changes
        ],
        notes=list(report.notes),
    )
