"""Events published by the cases service."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from akta.contracts.base import Event

CaseStatus = Literal["open", "closed"]


class CaseCreated(Event):
    event_type = "cases.case.created.v1"
    subject_field = "case_id"
    summary = "A case was created."

    case_id: str
    number: str = Field(description="Case number per tenant and year, e.g. 2026/000123.")
    title: str
    status: CaseStatus
    access_group_id: str | None = Field(default=None, description="Who may see it: the access group.")
    screening_code: str | None = Field(default=None, description="Restriction level (skjerming), if any.")


class CaseUpdated(Event):
    event_type = "cases.case.updated.v1"
    subject_field = "case_id"
    summary = "A case's title or status changed."

    case_id: str
    number: str
    title: str
    status: CaseStatus
    changed_fields: list[str]
    version: int
    access_group_id: str | None = None
    screening_code: str | None = None
