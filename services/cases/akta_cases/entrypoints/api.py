"""HTTP API of the cases service: parse, authenticate, build a command, map errors."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Response, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from akta import audit
from akta.errors import InvalidField
from akta.service import Service
from akta.web.app import create_app
from akta.web.auth import current_scope
from akta.web.pagination import Page, PageQuery, page_response
from akta_cases import views
from akta_cases.domain import commands
from akta_cases.domain.model import TITLE_MAX_LENGTH, UNCHANGED, CaseNotFound
from akta_cases.service_layer import handlers

SECURITY = [{"bearer": []}]


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH)
    access_group_id: str = Field(min_length=1, max_length=36, description="Who may see the case.")
    screening_code: str | None = Field(default=None, max_length=40, description="See GET /api/identity/screening-codes.")


class CaseChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX_LENGTH)
    status: Literal["open", "closed"] | None = None
    access_group_id: str | None = Field(default=None, min_length=1, max_length=36)
    screening_code: str | None = Field(default=None, max_length=40, description="Send null to lift the screening.")


class CaseOut(BaseModel):
    id: str
    number: str
    title: str
    status: str
    access_group_id: str | None
    screening_code: str | None
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class CasePath(BaseModel):
    case_id: str = Field(max_length=64)


class CaseListQuery(PageQuery):
    status: Literal["open", "closed"] | None = None


def create_api(service: Service):
    app = create_app("cases", "Akta cases", service.readiness_checks())
    api = APIBlueprint("cases", __name__, abp_security=SECURITY, abp_tags=[Tag(name="cases")])

    @api.post("/cases", responses={201: CaseOut})
    def create_case(body: CaseCreate):
        """Create a case; it gets the next case number of its tenant and year."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:write")
        case = handlers.create_case(
            commands.CreateCase(
                tenant_id=principal.tenant_id,
                title=body.title,
                access_group_id=body.access_group_id,
                screening_code=body.screening_code,
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
                expected_version=_if_match_version(),
                access_group_id=body.access_group_id,
                screening_code=body.screening_code if "screening_code" in body.model_fields_set else UNCHANGED,
            ),
            service.unit_of_work(),
            scope,
        )
        return _case_response(views.get_case(service.database, scope, path.case_id), 200)

    app.register_api(api)
    return app


def _case_response(case: dict, status: int) -> Response:
    response = Response(CaseOut(**case).model_dump_json(), status=status, mimetype="application/json")
    response.set_etag(str(case["version"]))
    if status == 201:
        response.headers["Location"] = f"{request.script_root}/cases/{case['id']}"
    return response


def _if_match_version() -> int | None:
    if_match = request.if_match
    if not request.headers.get("If-Match") or if_match.star_tag:
        return None
    tags = list(if_match.as_set())
    if len(tags) != 1 or not tags[0].isdigit():
        raise InvalidField("If-Match", "must be the single ETag of the case you read")
    return int(tags[0])


