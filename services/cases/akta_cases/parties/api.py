"""HTTP API of case parties: reading follows the case's read access, changing its write access."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Response, jsonify, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from akta import audit
from akta.errors import NotFound
from akta.service import Service
from akta.web.auth import current_scope
from akta.web.idempotency import idempotent
from akta.web.pagination import Page, PageQuery, page_response
from akta_cases import views as case_views
from akta_cases.contacts.api import ContactIn, ContactOut
from akta_cases.parties import commands, handlers, views
from akta_cases.parties.model import PARTY_ROLES

PartyRole = Literal[tuple(PARTY_ROLES)]


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: PartyRole
    contact_id: str | None = Field(default=None, max_length=36, description="A contact in the registry…")
    contact: ContactIn | None = Field(
        default=None, description="…or a contact to file: one with the same identifier is found and updated instead."
    )


class PartyOut(BaseModel):
    id: str
    case_id: str
    role: str
    role_labels: dict[str, str] = Field(description="The role in Danish (da), Norwegian (nb) and English (en).")
    added_at: datetime
    added_by: str
    contact: ContactOut


class RoleOut(BaseModel):
    code: str
    labels: dict[str, str]


class RolesOut(BaseModel):
    roles: list[RoleOut]


class CasePath(BaseModel):
    case_id: str = Field(max_length=64)


class PartyPath(CasePath):
    party_id: str = Field(max_length=64)


def create_parties_blueprint(service: Service) -> APIBlueprint:
    api = APIBlueprint("parties", __name__, abp_security=[{"bearer": []}], abp_tags=[Tag(name="parties")])

    def readable_case(case_id: str):
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:read")
        if case_views.get_case(service.database, scope, case_id) is None:
            audit.record_read(service, principal.tenant_id, "case", case_id, "denied")
            raise NotFound(f"no case {case_id}")
        return principal, scope

    @api.get("/party-roles", responses={200: RolesOut})
    def party_roles():
        """The roles a party can have, with their labels."""
        current_scope(service.authenticator)
        return jsonify(roles=[{"code": code, "labels": labels} for code, labels in PARTY_ROLES.items()])

    @api.get("/cases/<case_id>/parties", responses={200: Page[PartyOut]})
    def list_parties(path: CasePath, query: PageQuery):
        """The case's parties with their contacts, in the order they were added."""
        principal, scope = readable_case(path.case_id)
        items, total = views.list_parties(service.database, scope, path.case_id, query.offset, query.page_size)
        audit.record_read(
            service, principal.tenant_id, "case_party", "*", action="list", case_id=path.case_id, shown=len(items)
        )
        return page_response(PartyOut, items, total, query)

    @api.get("/cases/<case_id>/parties/<party_id>", responses={200: PartyOut})
    def get_party(path: PartyPath):
        principal, scope = readable_case(path.case_id)
        found = views.get_party(service.database, scope, path.case_id, path.party_id)
        audit.record_read(service, principal.tenant_id, "case_party", path.party_id, "success" if found else "failed")
        if found is None:
            raise NotFound(f"no party {path.party_id} on this case")
        return Response(PartyOut(**found).model_dump_json(), mimetype="application/json")

    @api.post("/cases/<case_id>/parties", responses={201: PartyOut, 200: PartyOut})
    @idempotent(service)
    def add_party(path: CasePath, body: PartyIn):
        """Make a contact a party of the case in a role; adding the same contact in the same role
        again changes nothing (200)."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:write")
        party, created = handlers.add_party(
            commands.AddParty(
                tenant_id=principal.tenant_id,
                case_id=path.case_id,
                role=body.role,
                contact_id=body.contact_id,
                contact=body.contact.details() if body.contact else None,
            ),
            service.unit_of_work(),
            scope,
        )
        found = views.get_party(service.database, scope, path.case_id, party.id)
        response = Response(PartyOut(**found).model_dump_json(), status=201 if created else 200, mimetype="application/json")
        if created:
            response.headers["Location"] = f"{request.script_root}/cases/{path.case_id}/parties/{party.id}"
        return response

    @api.delete("/cases/<case_id>/parties/<party_id>", responses={204: None})
    def remove_party(path: PartyPath):
        """The contact is no longer a party of the case (it stays in the registry)."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:write")
        handlers.remove_party(
            commands.RemoveParty(principal.tenant_id, path.case_id, path.party_id), service.unit_of_work(), scope
        )
        return Response(status=204)

    return api
