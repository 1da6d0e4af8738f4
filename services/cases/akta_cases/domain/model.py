"""Cases, pure Python: the rules live here, persistence and HTTP do not."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime

from akta.access.screening import check_screening_code
from akta.aggregate import Aggregate
from akta.contracts.cases import CaseArchived, CaseClosed, CaseCreated, CaseReopened, CaseUpdated
from akta.errors import Conflict, InvalidField, NotFound, PreconditionFailed

CASE_STATUSES = ("open", "closed", "archived")


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


@dataclass(frozen=True)
class CaseSettings:
    """Where a new case lands: from its template, its class (inherited) and the caller's choices."""

    template_id: str
    class_id: str | None
    class_code: str | None
    access_group_id: str
    screening_code: str | None
    retention_rule: str | None
    owner_id: str | None
    unit_id: str | None
    metadata: dict


class Case(Aggregate):
    # The class's number in the archive plan, which events carry. The plan owns it, so it is not
    # stored with the case: a handler that loads a case to change it sets it from the plan.
    class_code: str | None = None

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
        template_id: str | None = None,
        class_id: str | None = None,
        retention_rule: str | None = None,
        owner_id: str | None = None,
        unit_id: str | None = None,
        metadata: dict | None = None,
        closed_at: datetime | None = None,
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
        self.template_id = template_id
        self.class_id = class_id
        self.retention_rule = retention_rule
        self.owner_id = owner_id
        self.unit_id = unit_id
        self.metadata = metadata or {}
        self.closed_at = closed_at

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
        settings: CaseSettings | None = None,
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
        if settings is not None:
            case.template_id, case.class_id = settings.template_id, settings.class_id
            case.class_code = settings.class_code
            case.retention_rule, case.owner_id, case.unit_id = settings.retention_rule, settings.owner_id, settings.unit_id
            case.metadata = settings.metadata
        case.record(
            CaseCreated(
                case_id=case.id,
                number=case.number,
                title=case.title,
                status=case.status,
                access_group_id=case.access_group_id,
                screening_code=case.screening_code,
                template_id=case.template_id,
                class_id=case.class_id,
                class_code=case.class_code,
                retention_rule=case.retention_rule,
                owner_id=case.owner_id,
                unit_id=case.unit_id,
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
        owner_id: str | None = None,
        unit_id: str | None = None,
        class_id: str | None = None,
        metadata: dict | None = None,
        class_code: str | None = None,
    ) -> list[str]:
        """Apply the given changes; returns the names of the fields that really changed.
        `class_code` is the archive plan's number of `class_id`. Status moves through `close`,
        `reopen` and `archive`, never here, except the older clients' `status` field which maps
        onto them."""
        self._check_version(expected_version)
        if self.status == "archived":
            raise CaseArchivedError(self.number)
        changed = []
        if title is not None:
            cleaned = clean_title(title)
            if cleaned != self.title:
                self.title = cleaned
                changed.append("title")
        for name, value in (("access_group_id", access_group_id), ("owner_id", owner_id), ("unit_id", unit_id), ("class_id", class_id)):
            if value is not None and value != getattr(self, name):
                setattr(self, name, value)
                changed.append(name)
        if "class_id" in changed:
            self.class_code = class_code
        if screening_code is not UNCHANGED and screening_code != self.screening_code:
            self.screening_code = check_screening_code(screening_code)
            changed.append("screening_code")
        if metadata is not None and metadata != self.metadata:
            self.metadata = {**self.metadata, **metadata}
            changed.append("metadata")
        if status is not None:
            if status not in CASE_STATUSES:
                raise InvalidField("status", f"must be one of {', '.join(CASE_STATUSES)}")
            if status == "closed" and self.status == "open":
                self.close(now)
            elif status == "open" and self.status == "closed":
                self.reopen(now, "reopened by a change of status")
        if changed:
            self._changed(now, changed)
        return changed

    def close(self, now: datetime, reason: str | None = None, open_tasks: list[dict] | None = None) -> None:
        if self.status != "open":
            raise Conflict(f"case {self.number} is {self.status}, not open")
        if open_tasks:
            raise CaseHasOpenTasks(self.number, open_tasks)
        self.status, self.closed_at = "closed", now
        self._changed(now, ["status"])
        self.record(CaseClosed(case_id=self.id, number=self.number, closed_at=now, reason=reason))

    def reopen(self, now: datetime, reason: str) -> None:
        if self.status != "closed":
            raise Conflict(f"case {self.number} is {self.status}; only a closed case is reopened")
        reason = " ".join((reason or "").split())
        if not reason:
            raise InvalidField("reason", "say why the case is reopened")
        self.status, self.closed_at = "open", None
        self._changed(now, ["status"])
        self.record(CaseReopened(case_id=self.id, number=self.number, reason=reason))

    def archive(self, now: datetime) -> None:
        if self.status != "closed":
            raise Conflict(f"case {self.number} is {self.status}; close it before archiving")
        self.status = "archived"
        self._changed(now, ["status"])
        self.record(CaseArchived(case_id=self.id, number=self.number, archived_at=now))

    def _check_version(self, expected_version: int | None) -> None:
        if expected_version is not None and expected_version != self.version:
            raise StaleCase(expected_version, self.version)

    def _changed(self, now: datetime, fields: list[str]) -> None:
        self.updated_at = now
        self.version += 1
        self.record(
            CaseUpdated(
                case_id=self.id,
                number=self.number,
                title=self.title,
                status=self.status,
                changed_fields=fields,
                version=self.version,
                access_group_id=self.access_group_id,
                screening_code=self.screening_code,
                class_id=self.class_id,
                class_code=self.class_code,
            )
        )


class CaseArchivedError(Conflict):
    def __init__(self, number: str) -> None:
        super().__init__(f"case {number} is archived and can no longer change")


class CaseHasOpenTasks(Conflict):
    def __init__(self, number: str, open_tasks: list[dict]) -> None:
        super().__init__(
            f"case {number} has {len(open_tasks)} open task(s); finish or cancel them first",
            open_tasks=open_tasks,
        )
