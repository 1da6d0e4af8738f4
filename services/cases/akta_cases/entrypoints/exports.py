"""CSV exports of case lists: GET /cases.csv, and the case export saved searches use.

No `from __future__ import annotations` here: the list's query model is handed in at run time,
and flask-openapi3 reads the view's annotations as the objects they are."""

from datetime import UTC, datetime

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

from akta import audit
from akta.access.scope import AccessScope
from akta.db.database import Database
from akta.service import Service
from akta.web.auth import current_scope
from akta.web.csv_export import csv_response
from akta_cases import views
from akta_cases.saved_searches.criteria import described, list_filters

SECURITY = [{"bearer": []}]


def case_csv_response(database: Database, scope: AccessScope, filters: dict, filename: str) -> Response:
    """Every case the caller may read that matches `filters`, streamed a page at a time."""
    return csv_response(views.CASE_FIELDS, views.iter_cases(database, scope, filters), filename)


def timestamped(name: str) -> str:
    return f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.csv"


def create_case_export_blueprint(service: Service, list_query: type[BaseModel]) -> APIBlueprint:
    api = APIBlueprint("case_exports", __name__, abp_security=SECURITY, abp_tags=[Tag(name="cases")])

    @api.get("/cases.csv", responses={200: None})
    def export_cases(query: list_query):
        """The cases of GET /cases with the same filters and in its order (most recently changed
        first), as CSV (UTF-8, a header line), streamed. `page` and `page_size` are ignored: every
        matching case the caller may read is in it. Audited as an export."""
        principal, scope = current_scope(service.authenticator)
        principal.require_scope("cases:read")
        filters = list_filters(query)
        audit.record_read(service, principal.tenant_id, "case", "*", action="export", **described(filters))
        return case_csv_response(service.database, scope, filters, timestamped("cases"))

    return api
