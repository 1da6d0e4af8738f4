"""HTTP API of the audit trail: query, CSV export and chain verification, in the caller's tenant.
There is deliberately no way to change or remove a record."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from flask import jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akta import audit
from akta.auth.principal import Principal
from akta.contracts.audit import DetailValue
from akta.errors import Forbidden
from akta.service import Service
from akta.web.auth import current_principal
from akta.web.csv_export import csv_response
from akta.web.pagination import Page, PageQuery, page_response
from akta_identity.audit import views
from akta_identity.audit.views import RECORD_FIELDS, AuditFilters

SECURITY = [{"bearer": []}]
READER_ROLES = ("administrator", "archivist")


class AuditQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    entity_type: str | None = Field(default=None, max_length=60, description="e.g. case, document, letter.")
    entity_id: str | None = Field(default=None, max_length=200)
    actor: str | None = Field(default=None, max_length=200, description="e.g. user:<id> or service:<id>.")
    occurred_from: AwareDatetime | None = Field(default=None, alias="from", description="Inclusive.")
    to: AwareDatetime | None = Field(default=None, description="Exclusive.")
    action: str | None = Field(default=None, max_length=60, description="e.g. read, create, sign_in.")

    def filters(self) -> AuditFilters:
        return AuditFilters(
            entity_type=self.entity_type,
            entity_id=self.entity_id,
            actor=self.actor,
            occurred_from=self.occurred_from,
            occurred_to=self.to,
            action=self.action,
        )


class AuditRecordOut(BaseModel):
    sequence: int
    record_id: str
    tenant_id: str
    occurred_at: datetime
    service: str
    actor: str
    action: str
    entity_type: str
    entity_id: str
    outcome: str
    client_ip: str | None
    user_agent: str | None
    correlation_id: str
    event_id: str
    details: dict[str, DetailValue]
    previous_hash: str
    hash: str


class BrokenLinkOut(BaseModel):
    sequence: int
    record_id: str | None
    problem: str


class ChainOut(BaseModel):
    tenant_id: str
    ok: bool
    checked: int = Field(description="Records checked up to the first broken link, or all.")
    broken: BrokenLinkOut | None


def audit_api(service: Service) -> APIBlueprint:
    api = APIBlueprint("audit", __name__, abp_security=SECURITY, abp_tags=[Tag(name="audit")])

    @api.get("/audit", responses={200: Page[AuditRecordOut]})
    def list_audit_records(query: AuditQuery):
        """The caller's tenant's audit records, newest first: the history of an entity, of an
        actor, or of a time range. Needs the administrator or archivist role."""
        principal = _reader(service, READER_ROLES, "read")
        audit.record_read(service, principal.tenant_id, "audit_trail", principal.tenant_id, **_described(query))
        items, total = views.list_records(
            service.database, principal.tenant_id, query.filters(), query.offset, query.page_size
        )
        return page_response(AuditRecordOut, items, total, query)

    @api.get("/audit.csv", responses={200: None})
    def export_audit_records(query: AuditQuery):
        """The same records as CSV, oldest first, streamed. `page` and `page_size` are ignored."""
        principal = _reader(service, READER_ROLES, "export")
        audit.record_read(
            service, principal.tenant_id, "audit_trail", principal.tenant_id, action="export", **_described(query)
        )
        rows = views.iter_records(service.database, principal.tenant_id, query.filters())
        return csv_response(CSV_FIELDS, rows, f"audit-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.csv")

    @api.get("/audit/verify", responses={200: ChainOut})
    def verify_audit_chain():
        """Recompute the caller's tenant's hash chain; name the first broken link if any.
        Needs the administrator role."""
        principal = _reader(service, ("administrator",), "verify")
        [report] = views.verify_chains(service.database, [principal.tenant_id])
        audit.record_read(
            service, principal.tenant_id, "audit_trail", principal.tenant_id, action="verify",
            chain_ok=report.ok,
        )
        broken = report.broken
        return jsonify(
            ChainOut(
                tenant_id=report.tenant_id,
                ok=report.ok,
                checked=report.checked,
                broken=BrokenLinkOut(**vars(broken)) if broken else None,
            ).model_dump(mode="json")
        )

    return api


def _reader(service: Service, roles: tuple[str, ...], action: str) -> Principal:
    principal = current_principal(service.authenticator)
    if not principal.roles.intersection(roles):
        audit.record_read(
            service, principal.tenant_id, "audit_trail", principal.tenant_id, outcome="denied", action=action
        )
        raise Forbidden(f"the audit trail needs the role {' or '.join(roles)}")
    return principal


def _described(query: AuditQuery) -> dict[str, Any]:
    """The filters of a query, as details of the audit record of that query."""
    return {
        f"filter_{name}": value.isoformat() if isinstance(value, datetime) else value
        for name, value in dataclasses.asdict(query.filters()).items()
        if value is not None
    }


CSV_FIELDS = RECORD_FIELDS
