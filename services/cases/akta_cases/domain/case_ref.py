"""What parties and registrations need to know of the case they belong to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaseRef:
    """The case's identity and access at this moment, as a handler read it."""

    id: str
    tenant_id: str
    number: str
    access_group_id: str | None
    screening_code: str | None

    @classmethod
    def of(cls, case) -> CaseRef:
        return cls(case.id, case.tenant_id, case.number, case.access_group_id, case.screening_code)
