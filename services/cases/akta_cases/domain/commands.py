"""What callers ask the cases service to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CreateCase:
    tenant_id: str
    title: str


@dataclass(frozen=True)
class UpdateCase:
    tenant_id: str
    case_id: str
    title: str | None = None
    status: str | None = None
    expected_version: int | None = None
