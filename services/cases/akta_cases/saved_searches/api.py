"""HTTP API of saved searches: keep the case list's criteria under a name, share them, run them.

A run always shows the cases the CALLER may read, whoever saved the search.

No `from __future__ import annotations` here: the case list's query and item models are handed in
at run time, and flask-openapi3 reads the views' annotations as the objects they are."""

from datetime import datetime
from typing import Literal

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from akta import audit
from akta.auth.principal import Principal
from akta.service import Service
from akta.web.auth import current_principal, current_scope
from akta.web.etags import if_match_version, versioned_response
from akta.web.idempotency import idempotent
from akta.web.pagination import Page, PageQuery, page_response
from akta_cases import views as case_views
from akta_cases.entrypoints.exports import case_csv_response
from akta_cases.saved_searches import handlers, views
from akta_cases.saved_searches.criteria import check_criteria, described, list_filters, parse_criteria
from akta_cases.saved_searches.model import MAX_SHARES, NAME_MAX_LENGTH, SavedSearchNotFound, Share, Viewer
from akta_cases.saved_searches.unit_of_work import SavedSearchesUnitOfWork

SECURITY = [{"bearer": []}]
SHARING_DESCRIPTION = (
    "private: only you; organisation: everyone in your organisation; named: the users and groups in "
    "shared_with. Whoever runs it sees only the cases they may read themselves."
)


class ShareModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["user", "group"]
    id: str = Field(min_length=1, max_length=64)


class SavedSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=NAME_MAX_LENGTH)
    criteria: dict = Field(
        default_factory=dict,
        description="Filters of GET /cases by query parameter name, e.g. {\"status\": \"open\"}; paging is not a criterion.",
    )
    sharing: Literal["private", "organisation", "named"] = Field(default="private", description=SHARING_DESCRIPTION)
    shared_with: list[ShareModel] = Field(default_factory=list, max_length=MAX_SHARES)


class SavedSearchChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX_LENGTH)
    criteria: dict | None = Field(default=None, description="Replaces the criteria.")
    sharing: Literal["private", "organisation", "named"] | None = Field(default=None, description=SHARING_DESCRIPTION)
    shared_with: list[ShareModel] | None = Field(default=None, max_length=MAX_SHARES)


class SavedSearchOut(BaseModel):
    id: str
    name: str
    owner: str
    owned: bool = Field(description="Whether you own it (and so may change or delete it).")
    criteria: dict
    sharing: str
    shared_with: list[ShareModel]
    created_at: datetime
    updated_at: datetime
    version: int


class SavedSearchPath(BaseModel):
    search_id: str = Field(max_length=64)


class SavedSearchQuery(PageQuery):
    owned: bool | None = Field(default=None, description="true: only yours; false: only those shared with you.")


def create_saved_searches_blueprint(
    service: Service, list_query: type[BaseModel], case_out: type[BaseModel]
) -> APIBlueprint:
    """`list_query` and `case_out` are GET /cases's query and item models: criteria are checked
    against the one, results answered with the other."""
    api = APIBlueprint("saved_searches", __name__, abp_security=SECURITY, abp_tags=[Tag(name="saved searches")])

    def unit_of_work() -> SavedSearchesUnitOfWork:
        return SavedSearchesUnitOfWork(service.database, service.publishes, on_commit=service.relay.wakeup.set)

    def viewer(scope_name: str) -> tuple[Principal, Viewer]:
        principal = current_principal(service.authenticator)
        principal.require_scope(scope_name)
        return principal, views.viewer_for(service.database, principal)

    def visible_search(principal: Principal, viewer: Viewer, search_id: str, action: str) -> dict:
        search = views.get_saved_search(service.database, viewer, search_id)
        if search is None:
            audit.record_read(service, principal.tenant_id, "saved_search", search_id, "denied", action=action)
            raise SavedSearchNotFound(search_id)
        return search

    def recover_created(resources: list[dict[str, str]]) -> Response | None:
        _, me = viewer("cases:write")
        for resource in resources:
            if resource["type"] == "SavedSearch":
                found = views.get_saved_search(service.database, me, resource["id"])
                return _search_response(found, 201) if found else None
        return None

    @api.post("/saved-searches", responses={201: SavedSearchOut})
    @idempotent(service, recover=recover_created)
    def create_saved_search(body: SavedSearchIn):
        """Save the case list's criteria under a name (unique among yours)."""
        principal, me = viewer("cases:write")
        search = handlers.create_saved_search(
            unit_of_work(),
            me,
            body.name,
            check_criteria(list_query, body.criteria),
            body.sharing,
            _shares(body.shared_with),
        )
        return _search_response(views.get_saved_search(service.database, me, search.id), 201)

    @api.get("/saved-searches", responses={200: Page[SavedSearchOut]})
    def list_saved_searches(query: SavedSearchQuery):
        """Your saved searches and those shared with you, by name."""
        principal, me = viewer("cases:read")
        items, total = views.list_saved_searches(service.database, me, query.offset, query.page_size, query.owned)
        audit.record_read(service, principal.tenant_id, "saved_search", "*", action="list", page=query.page, shown=len(items))
        return page_response(SavedSearchOut, items, total, query)

    @api.get("/saved-searches/<search_id>", responses={200: SavedSearchOut})
    def get_saved_search(path: SavedSearchPath):
        """One saved search you own or that is shared with you. Its ETag is its version."""
        principal, me = viewer("cases:read")
        search = visible_search(principal, me, path.search_id, "read")
        audit.record_read(service, principal.tenant_id, "saved_search", path.search_id)
        return _search_response(search, 200)

    @api.patch("/saved-searches/<search_id>", responses={200: SavedSearchOut})
    def change_saved_search(path: SavedSearchPath, body: SavedSearchChange):
        """Rename, change the criteria or the sharing; only the owner may. Send If-Match with the
        ETag you read to avoid lost updates."""
        principal, me = viewer("cases:write")
        handlers.change_saved_search(
            unit_of_work(),
            me,
            path.search_id,
            name=body.name,
            criteria=check_criteria(list_query, body.criteria) if body.criteria is not None else None,
            sharing=body.sharing,
            shared_with=_shares(body.shared_with) if body.shared_with is not None else None,
            expected_version=if_match_version("saved search"),
        )
        return _search_response(views.get_saved_search(service.database, me, path.search_id), 200)

    @api.delete("/saved-searches/<search_id>", responses={204: None})
    def delete_saved_search(path: SavedSearchPath):
        """Delete a saved search; only the owner may."""
        principal, me = viewer("cases:write")
        handlers.delete_saved_search(unit_of_work(), me, path.search_id, if_match_version("saved search"))
        return Response(status=204)

    @api.get("/saved-searches/<search_id>/results", responses={200: Page[case_out]})
    def saved_search_results(path: SavedSearchPath, query: PageQuery):
        """Run the saved criteria through the case list (as GET /cases would with them): only the
        cases you may read, whoever saved the search."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:read")
        search = visible_search(principal, views.viewer_for(service.database, principal), path.search_id, "run")
        filters = list_filters(parse_criteria(list_query, search["criteria"]))
        items, total = case_views.list_cases(service.database, scope, query.offset, query.page_size, **filters)
        audit.record_read(
            service, principal.tenant_id, "saved_search", path.search_id, action="run",
            page=query.page, shown=len(items), **described(filters),
        )
        return page_response(case_out, items, total, query)

    @api.get("/saved-searches/<search_id>/results.csv", responses={200: None})
    def export_saved_search_results(path: SavedSearchPath):
        """Every case of the saved search you may read, in the order of its results, as CSV,
        streamed. Audited as an export."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:read")
        search = visible_search(principal, views.viewer_for(service.database, principal), path.search_id, "export")
        filters = list_filters(parse_criteria(list_query, search["criteria"]))
        audit.record_read(
            service, principal.tenant_id, "saved_search", path.search_id, action="export", **described(filters)
        )
        return case_csv_response(service.database, scope, filters, f"{search['name']}.csv")

    return api


def _shares(shares: list[ShareModel]) -> tuple[Share, ...]:
    return tuple(Share(share.kind, share.id) for share in shares)


def _search_response(search: dict, status: int) -> Response:
    return versioned_response(SavedSearchOut, search, status, f"/saved-searches/{search['id']}" if status == 201 else None)

