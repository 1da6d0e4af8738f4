"""Cases, pure Python: the rules live here, persistence and HTTP do not."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime

from akta.access.screening import check_screening_code
from akta.aggregate import Aggregate
from akta.contracts.cases import CaseCreated, CaseUpdated
from akta.errors import InvalidField, NotFound, PreconditionFailed

CASE_STATUSES = ("open", "closed")


class Unchanged:
    """Marks an optional field left as it is (None is a real value for a screening code)."""


UNCHANGED = Unchanged()
TITLE_MAX_LENGTH = 500


class CaseNotFound(NotFound):
    def __init__(self, case_id: str) -> None:
        super().__init__(f"no case {case_id}")


class StaleCase(PreconditionFailed):
    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"the case changed since you read it (you had version {expected}, it is now {actual})",
            current_version=actual,
        )


@dataclass(frozen=True)
class CaseNumber:
    """Numbered per tenant and year, without gaps: 2026/000123."""

    year: int
    sequence: int

    def __str__(self) -> str:
        return f"{self.year}/{self.sequence:06d}"


def clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise InvalidField("title", "must not be empty")
    if len(cleaned) > TITLE_MAX_LENGTH:
        raise InvalidField("title", f"must be at most {TITLE_MAX_LENGTH} characters")
    if any(unicodedata.category(char) == "Cc" for char in cleaned):
        raise InvalidField("title", "must not contain control characters")
    return cleaned


class Case(Aggregate):
    def __init__(
        self,
        id: str,
        tenant_id: str,
        number: str,
        title: str,
        status: str,
        created_at: datetime,
        updated_at: datetime,
        created_by: str,
        access_group_id: str,
        screening_code: str | None = None,
        version: int = 1,
    ) -> None:
        super().__init__()
        self.id = id
        self.tenant_id = tenant_id
        self.number = number
        self.title = title
        self.status = status
        self.created_at = created_at
        self.updated_at = updated_at
        self.created_by = created_by
        self.access_group_id = access_group_id
        self.screening_code = screening_code
        self.version = version

    @classmethod
    def open(
        cls,
        tenant_id: str,
        number: CaseNumber,
        title: str,
        actor: str,
        now: datetime,
        access_group_id: str,
        screening_code: str | None = None,
    ) -> Case:
        case = cls(
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            number=str(number),
            title=clean_title(title),
            status="open",
            created_at=now,
            updated_at=now,
            created_by=actor,
            access_group_id=access_group_id,
            screening_code=check_screening_code(screening_code),
        )
        case.record(
            CaseCreated(
                case_id=case.id,
                number=case.number,
                title=case.title,
                status=case.status,
                access_group_id=case.access_group_id,
                screening_code=case.screening_code,
            )
        )
        return case

    def change(
        self,
        now: datetime,
        title: str | None = None,
        status: str | None = None,
        expected_version: int | None = None,
        access_group_id: str | None = None,
        screening_code: str | None | Unchanged = UNCHANGED,
    ) -> list[str]:
        """Apply the given changes; returns the names of the fields that really changed."""
        if expected_version is not None and expected_version != self.version:
            raise StaleCase(expected_version, self.version)
        changed = []
        if title is not None:
            cleaned = clean_title(title)
            if cleaned != self.title:
                self.title = cleaned
                changed.append("title")
        if status is not None:
            if status not in CASE_STATUSES:
                raise InvalidField("status", f"must be one of {', '.join(CASE_STATUSES)}")
            if status != self.status:
                self.status = status
                changed.append("status")
        if access_group_id is not None and access_group_id != self.access_group_id:
            self.access_group_id = access_group_id
            changed.append("access_group_id")
        if screening_code is not UNCHANGED and screening_code != self.screening_code:
            self.screening_code = check_screening_code(screening_code)
            changed.append("screening_code")
        if changed:
            self.updated_at = now
            self.version += 1
            self.record(
                CaseUpdated(
                    case_id=self.id,
                    number=self.number,
                    title=self.title,
                    status=self.status,
                    changed_fields=changed,
                    version=self.version,
                    access_group_id=self.access_group_id,
                    screening_code=self.screening_code,
                )
            )
        return changed
