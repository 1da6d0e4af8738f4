"""HTTP API of the cases service: parse, authenticate, build a command, map errors."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Response, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from akta.errors import InvalidField
from akta.service import Service
from akta.web.app import create_app
from akta.web.auth import current_principal
from akta.web.pagination import Page, PageQuery, page_response
from akta_cases import views
from akta_cases.domain import commands
from akta_cases.domain.model import TITLE_MAX_LENGTH, CaseNotFound
from akta_cases.service_layer import handlers

SECURITY = [{"bearer": []}]


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH)


class CaseChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX_LENGTH)
    status: Literal["open", "closed"] | None = None


class CaseOut(BaseModel):
    id: str
    number: str
    title: str
    status: str
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
        principal = current_principal(service.token_verifier)
        case = handlers.create_case(
            commands.CreateCase(tenant_id=principal.tenant_id, title=body.title), service.unit_of_work()
        )
        return _case_response(views.get_case(service.database, principal.tenant_id, case.id), 201)

    @api.get("/cases", responses={200: Page[CaseOut]})
    def list_cases(query: CaseListQuery):
        """List the caller's cases, most recently changed first."""
        principal = current_principal(service.token_verifier)
        items, total = views.list_cases(
            service.database, principal.tenant_id, query.offset, query.page_size, query.status
        )
        return page_response(CaseOut, items, total, query)

    @api.get("/cases/<case_id>", responses={200: CaseOut})
    def get_case(path: CasePath):
        """One case. Its ETag is its version, for If-Match on changes."""
        principal = current_principal(service.token_verifier)
        case = views.get_case(service.database, principal.tenant_id, path.case_id)
        if case is None:
            raise CaseNotFound(path.case_id)
        return _case_response(case, 200)

    @api.patch("/cases/<case_id>", responses={200: CaseOut})
    def change_case(path: CasePath, body: CaseChange):
        """Change title or status. Send If-Match with the ETag you read to avoid lost updates."""
        principal = current_principal(service.token_verifier)
        handlers.update_case(
            commands.UpdateCase(
                tenant_id=principal.tenant_id,
                case_id=path.case_id,
                title=body.title,
                status=body.status,
                expected_version=_if_match_version(),
            ),
            service.unit_of_work(),
        )
        return _case_response(views.get_case(service.database, principal.tenant_id, path.case_id), 200)

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


