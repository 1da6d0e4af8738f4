"""What callers ask the cases service to do."""

from __future__ import annotations

from dataclasses import dataclass, field

from akta_cases.domain.model import UNCHANGED, Unchanged


@dataclass(frozen=True)
class CreateCase:
    """A new case from a template; unset values come from the template, then its class."""

    tenant_id: str
    title: str
    access_group_id: str | None = None
    screening_code: str | None | Unchanged = UNCHANGED
    template_id: str | None = None
    class_id: str | None = None
    owner_id: str | None = None
    unit_id: str | None = None
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class UpdateCase:
    tenant_id: str
    case_id: str
    title: str | None = None
    status: str | None = None
    expected_version: int | None = None
    access_group_id: str | None = None
    screening_code: str | None | Unchanged = UNCHANGED
    owner_id: str | None = None
    unit_id: str | None = None
    class_id: str | None = None
    metadata: dict | None = None


@dataclass(frozen=True)
class FileForPerson:
    """Find the person's case under a template, or create it (dispatch and intake file into it)."""

    tenant_id: str
    identifier: str
    template_id: str
    title: str
    access_group_id: str | None = None
    party_role: str = "other"
