"""What callers ask the cases service to do."""

from __future__ import annotations

from dataclasses import dataclass

from akta_cases.domain.model import UNCHANGED, Unchanged


@dataclass(frozen=True)
class CreateCase:
    tenant_id: str
    title: str
    access_group_id: str
    screening_code: str | None = None


@dataclass(frozen=True)
class UpdateCase:
    tenant_id: str
    case_id: str
    title: str | None = None
    status: str | None = None
    expected_version: int | None = None
    access_group_id: str | None = None
    screening_code: str | None | Unchanged = UNCHANGED
