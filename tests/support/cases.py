"""Cases for tests: every case comes from a template, so tests make one first."""

from __future__ import annotations

import uuid

from akta_cases.archive_plan import handlers as archive_plan
from akta_cases.domain import commands
from akta_cases.service_layer import handlers
from tests.support.access import writer


def template(cases_service, tenant_id: str, access_group_id: str | None = "ag-1", **settings) -> str:
    """A template in `tenant_id` whose cases land in `access_group_id`."""
    return archive_plan.create_template(
        cases_service.unit_of_work(), tenant_id, f"Skabelon {uuid.uuid4().hex[:8]}", access_group_id=access_group_id, **settings
    ).id


def create_case(cases_service, tenant_id: str, title: str, template_id: str, access_group_id: str = "ag-1", **fields):
    return handlers.create_case(
        commands.CreateCase(tenant_id, title, template_id=template_id, **fields),
        cases_service.unit_of_work(),
        writer(tenant_id, access_group_id),
    )
