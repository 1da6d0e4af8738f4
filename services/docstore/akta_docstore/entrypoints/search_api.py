"""HTTP API of search: free text over documents and cases, filters, facets, highlights, saved
searches and CSV export. The caller's grants filter hits, counts and facets inside the engine."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Literal

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, or_, select, update

from akta import audit
from akta.access.scope import AccessScope
from akta.errors import Forbidden, InvalidField, NotFound
from akta.search import InvalidSearchQuery, SearchQuery
from akta.web.auth import current_scope
from akta.web.csv_export import csv_response
from akta_docstore.adapters.orm import saved_searches

SECURITY = [{"bearer": []}]
EXPORT_MAX_ROWS = 10_000
EXPORT_PAGE = 100
FACETS = ("kind", "document_type", "status", "class_code")
HIT_FIELDS = ("kind", "id", "title", "case_number", "case_id", "document_type", "status", "date", "score", "snippet")


class SearchCriteria(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    q: str = Field(default="", max_length=500, description="Words; \"quoted phrases\"; every word must match.")
    kind: list[Literal["document", "case"]] = Field(default_factory=list, max_length=2)
    document_type: list[str] = Field(default_factory=list, max_length=50)
    status: list[str] = Field(default_factory=list, max_length=20)
    class_code: list[str] = Field(default_factory=list, max_length=50)
    case_id: str | None = Field(default=None, max_length=36)
    party_id: str | None = Field(default=None, max_length=36, description="A contact id: what concerns this party.")
    date_from: date | None = Field(default=None, alias="from")
    date_to: date | None = Field(default=None, alias="to")
    sort: Literal["relevance", "date_desc", "date_asc", "title"] = "relevance"

    def query(self, offset: int, limit: int) -> SearchQuery:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidField("to", "must not be before from")
        return SearchQuery(
            text=self.q,
            kinds=tuple(self.kind),
            document_types=tuple(self.document_type),
            statuses=tuple(self.status),
            class_codes=tuple(self.class_code),
            case_id=self.case_id,
            party_id=self.party_id,
            date_from=self.date_from,
            date_to=self.date_to,
            sort=self.sort,
            offset=offset,
            limit=limit,
            facets=FACETS,
        )


class SearchParams(SearchCriteria):
    page: int = Field(default=1, ge=1, le=500)
    page_size: int = Field(default=20, ge=1, le=100)


class PageParams(BaseModel):
    page: int = Field(default=1, ge=1, le=500)
    page_size: int = Field(default=20, ge=1, le=100)


class HitOut(BaseModel):
    kind: str
    id: str
    score: float
    title: str
    snippet: str = Field(description="HTML-escaped text with <mark>…</mark> around the matches.")
    case_id: str | None
    case_number: str | None
    document_type: str | None
    status: str | None
    date: date | datetime | None


class FacetValueOut(BaseModel):
    value: str
    count: int


class SearchResultsOut(BaseModel):
    total: int
    page: int
    page_size: int
    hits: list[HitOut]
    facets: dict[str, list[FacetValueOut]]


class SavedSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    criteria: SearchCriteria
    shared: bool = Field(default=False, description="Everyone in the organisation may run it (each with their own grants).")


class SavedSearchOut(BaseModel):
    id: str
    name: str
    criteria: dict
    shared: bool
    owner_id: str
    created_at: datetime
    updated_at: datetime


class SavedSearchListOut(BaseModel):
    items: list[SavedSearchOut]


class SavedSearchPath(BaseModel):
    search_id: str = Field(max_length=64)


def create_search_blueprint(service) -> APIBlueprint:
    api = APIBlueprint("search", __name__, abp_security=SECURITY, abp_tags=[Tag(name="search")])

    def reader():
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("docstore:read")
        return principal, scope

    def run(scope: AccessScope, criteria: SearchCriteria, page: int, page_size: int) -> SearchResultsOut:
        try:
            results = service.search.search(scope, criteria.query((page - 1) * page_size, page_size))
        except InvalidSearchQuery as error:
            raise InvalidField(error.field, error.message) from None
        return SearchResultsOut(
            total=results.total,
            page=page,
            page_size=page_size,
            hits=[HitOut(**_hit(hit)) for hit in results.hits],
            facets={name: [FacetValueOut(value=value, count=count) for value, count in values] for name, values in results.facets.items()},
        )

    def export(scope: AccessScope, criteria: SearchCriteria) -> Iterator[dict]:
        for offset in range(0, EXPORT_MAX_ROWS, EXPORT_PAGE):
            query = criteria.query(offset, EXPORT_PAGE)
            results = service.search.search(scope, query)
            yield from (_hit(hit) for hit in results.hits)
            if len(results.hits) < EXPORT_PAGE:
                return

    @api.get("/search", responses={200: SearchResultsOut})
    def search(query: SearchParams):
        """Search documents and cases you may read: ranked hits with highlighted snippets,
        filters, facets (kind, document_type, status, class_code), sort and pages."""
        principal, scope = reader()
        criteria = SearchCriteria.model_validate(query.model_dump(exclude={"page", "page_size"}))
        out = run(scope, criteria, query.page, query.page_size)
        audit.record_read(service, principal.tenant_id, "search", "*", action="search", q=query.q[:200], hits=out.total)
        return Response(out.model_dump_json(), mimetype="application/json")

    @api.get("/search.csv", responses={200: None})
    def export_search(query: SearchCriteria):
        """The hits of GET /search with the same criteria as CSV, in the same order, at most
        10,000 rows. Audited as an export."""
        principal, scope = reader()
        criteria = query.query(0, 1)  # checks the criteria before the stream starts
        service.search.search(scope, criteria)
        audit.record_read(service, principal.tenant_id, "search", "*", action="export", q=query.q[:200])
        return csv_response(HIT_FIELDS, export(scope, query), _timestamped("search"))

    @api.get("/saved-searches", responses={200: SavedSearchListOut})
    def list_saved_searches():
        """Your saved searches and those shared in the organisation."""
        principal, _ = reader()
        with service.database.read_session() as session:
            rows = session.execute(
                select(saved_searches)
                .where(
                    saved_searches.c.tenant_id == principal.tenant_id,
                    or_(saved_searches.c.owner_id == principal.subject_id, saved_searches.c.shared.is_(True)),
                )
                .order_by(saved_searches.c.name, saved_searches.c.id)
            ).mappings().all()
        out = SavedSearchListOut(items=[SavedSearchOut(**row) for row in rows])
        return Response(out.model_dump_json(), mimetype="application/json")

    @api.post("/saved-searches", responses={201: SavedSearchOut})
    def save_search(body: SavedSearchIn):
        principal, _ = reader()
        now = datetime.now(UTC)
        row = {
            "id": str(uuid.uuid4()), "tenant_id": principal.tenant_id, "owner_id": principal.subject_id, "name": body.name,
            "criteria": body.criteria.model_dump(mode="json", by_alias=True), "shared": body.shared,
            "created_at": now, "updated_at": now,
        }
        with service.unit_of_work() as uow:
            uow.session.execute(saved_searches.insert().values(**row))
            audit.record(uow, principal.tenant_id, "create", "saved_search", row["id"], name=body.name)
            uow.commit()
        return Response(SavedSearchOut(**row).model_dump_json(), status=201, mimetype="application/json")

    @api.put("/saved-searches/<search_id>", responses={200: SavedSearchOut})
    def change_saved_search(path: SavedSearchPath, body: SavedSearchIn):
        """Only its owner changes a saved search."""
        principal, _ = reader()
        with service.unit_of_work() as uow:
            _own(uow.session, principal, path.search_id)
            values = {
                "name": body.name, "criteria": body.criteria.model_dump(mode="json", by_alias=True),
                "shared": body.shared, "updated_at": datetime.now(UTC),
            }
            uow.session.execute(update(saved_searches).where(saved_searches.c.id == path.search_id).values(**values))
            audit.record(uow, principal.tenant_id, "change", "saved_search", path.search_id, name=body.name)
            uow.commit()
        return Response(SavedSearchOut(**_visible(service, principal, path.search_id)).model_dump_json(), mimetype="application/json")

    @api.delete("/saved-searches/<search_id>", responses={204: None})
    def delete_saved_search(path: SavedSearchPath):
        principal, _ = reader()
        with service.unit_of_work() as uow:
            _own(uow.session, principal, path.search_id)
            uow.session.execute(delete(saved_searches).where(saved_searches.c.id == path.search_id))
            audit.record(uow, principal.tenant_id, "delete", "saved_search", path.search_id)
            uow.commit()
        return Response(status=204)

    @api.get("/saved-searches/<search_id>/results", responses={200: SearchResultsOut})
    def run_saved_search(path: SavedSearchPath, query: PageParams):
        """Run a saved search now, with your own grants."""
        principal, scope = reader()
        criteria = SearchCriteria.model_validate(_visible(service, principal, path.search_id)["criteria"])
        out = run(scope, criteria, query.page, query.page_size)
        audit.record_read(service, principal.tenant_id, "saved_search", path.search_id, action="search", hits=out.total)
        return Response(out.model_dump_json(), mimetype="application/json")

    @api.get("/saved-searches/<search_id>/results.csv", responses={200: None})
    def export_saved_search(path: SavedSearchPath):
        principal, scope = reader()
        criteria = SearchCriteria.model_validate(_visible(service, principal, path.search_id)["criteria"])
        audit.record_read(service, principal.tenant_id, "saved_search", path.search_id, action="export")
        return csv_response(HIT_FIELDS, export(scope, criteria), _timestamped("search"))

    return api


def _visible(service, principal, search_id: str) -> dict:
    with service.database.read_session() as session:
        row = session.execute(
            select(saved_searches).where(
                saved_searches.c.tenant_id == principal.tenant_id,
                saved_searches.c.id == search_id,
                or_(saved_searches.c.owner_id == principal.subject_id, saved_searches.c.shared.is_(True)),
            )
        ).mappings().one_or_none()
    if row is None:
        raise NotFound(f"no saved search {search_id}")
    return dict(row)


def _own(session, principal, search_id: str) -> None:
    owner = session.scalar(
        select(saved_searches.c.owner_id).where(saved_searches.c.tenant_id == principal.tenant_id, saved_searches.c.id == search_id)
    )
    if owner is None:
        raise NotFound(f"no saved search {search_id}")
    if owner != principal.subject_id:
        raise Forbidden("only its owner changes a saved search")


def _hit(hit) -> dict:
    return {
        "kind": hit.kind, "id": hit.id, "score": hit.score, "title": hit.title, "snippet": hit.snippet,
        "case_id": hit.case_id, "case_number": hit.case_number, "document_type": hit.document_type,
        "status": hit.status, "date": hit.date,
    }


def _timestamped(name: str) -> str:
    return f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.csv"


