"""HTTP API of the retention service."""

from __future__ import annotations

from datetime import datetime

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from akta import audit
from akta.service import Service
from akta.web.app import create_app
from akta.web.auth import current_scope
from akta.web.pagination import Page, PageQuery, page_response
from akta_retention import views


class RetentionEntryOut(BaseModel):
    id: str
    item_kind: str
    item_id: str
    item_reference: str
    recorded_at: datetime


class EntryQuery(PageQuery):
    item_id: str | None = Field(default=None, max_length=64)


def create_api(service: Service):
    app = create_app("retention", "Akta retention", service.readiness_checks())
    api = APIBlueprint("retention", __name__, abp_security=[{"bearer": []}], abp_tags=[Tag(name="retention")])

    @api.get("/entries", responses={200: Page[RetentionEntryOut]})
    def list_entries(query: EntryQuery):
        """Items retention tracks, newest first; filter by the item's id."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("retention:read")
        items, total = views.list_entries(service.database, scope, query.offset, query.page_size, query.item_id)
        audit.record_read(service, principal.tenant_id, "retention_entry", query.item_id or "*", action="list", shown=len(items))
        return page_response(RetentionEntryOut, items, total, query)

    app.register_api(api)
    return app
