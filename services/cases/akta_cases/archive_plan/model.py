"""Classes of the archive plan and case templates, pure Python."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from akta.access.screening import check_screening_code
from akta.aggregate import Aggregate
from akta.contracts.cases import ArchiveClassSaved, CaseTemplateSaved
from akta.errors import Conflict, InvalidField
from akta.identifiers import InvalidNationalId, parse_national_id

_KLE_CODE = re.compile(r"^\d{2}(\.\d{2}){0,2}$")
_FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
FIELD_TYPES = ("text", "number", "date", "choice", "person")
MAX_TEXT_LENGTH = 2000


def _text(value: str, field_name: str, limit: int = 200) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidField(field_name, "must not be empty")
    if len(cleaned) > limit:
        raise InvalidField(field_name, f"must be at most {limit} characters")
    return cleaned


def kle_parent_code(code: str) -> str | None:
    """The parent of a KLE-style number: 28.01.02 → 28.01.00 → 28.00.00 → none."""
    if not _KLE_CODE.match(code):
        return None
    parts = code.split(".")
    significant = len(parts)
    while significant > 0 and parts[significant - 1] == "00":
        significant -= 1
    if significant <= 1:
        return None
    return ".".join(parts[: significant - 1] + ["00"] * (len(parts) - significant + 1))


class ArchiveClass(Aggregate):
    """One class of the archive plan. Unset defaults are inherited from the parent."""

    def __init__(
        self,
        id: str,
        tenant_id: str,
        code: str,
        title: str,
        parent_id: str | None,
        retention_rule: str | None,
        access_group_id: str | None,
        active: bool,
        created_at: datetime,
    ) -> None:
        super().__init__()
        self.id, self.tenant_id, self.code, self.title = id, tenant_id, code, title
        self.parent_id, self.retention_rule, self.access_group_id = parent_id, retention_rule, access_group_id
        self.active, self.created_at = active, created_at

    @classmethod
    def create(
        cls,
        tenant_id: str,
        code: str,
        title: str,
        parent: ArchiveClass | None,
        retention_rule: str | None,
        access_group_id: str | None,
        now: datetime,
    ) -> ArchiveClass:
        code = code.strip()
        if not code or len(code) > 40 or any(c.isspace() for c in code):
            raise InvalidField("code", "1-40 characters without spaces, e.g. 28.00.00")
        archive_class = cls(
            str(uuid.uuid4()), tenant_id, code, _text(title, "title"), parent.id if parent else None,
            (retention_rule or "").strip() or None, access_group_id or None, True, now,
        )
        archive_class.saved()
        return archive_class

    def saved(self) -> None:
        self.record(
            ArchiveClassSaved(
                class_id=self.id, code=self.code, title=self.title, parent_id=self.parent_id,
                retention_rule=self.retention_rule, access_group_id=self.access_group_id, active=self.active,
            )
        )

    def change(self, title: str | None, retention_rule: str | None, access_group_id: str | None, active: bool | None) -> None:
        if title is not None:
            self.title = _text(title, "title")
        if retention_rule is not None:
            self.retention_rule = retention_rule.strip() or None
        if access_group_id is not None:
            self.access_group_id = access_group_id or None
        if active is not None:
            self.active = active
        self.saved()


@dataclass(frozen=True)
class ClassDefaults:
    retention_rule: str | None
    access_group_id: str | None


def effective_defaults(chain: list[ArchiveClass]) -> ClassDefaults:
    """Defaults of the first class in `chain` (the class, then its parent, …): each unset value
    comes from the nearest ancestor that sets it."""
    retention_rule = next((c.retention_rule for c in chain if c.retention_rule), None)
    access_group_id = next((c.access_group_id for c in chain if c.access_group_id), None)
    return ClassDefaults(retention_rule, access_group_id)


@dataclass(frozen=True)
class FieldDefinition:
    """A custom metadata field of a case template."""

    key: str
    label: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: dict, position: int) -> FieldDefinition:
        where = f"fields[{position}]"
        key = str(raw.get("key", ""))
        if not _FIELD_KEY.match(key):
            raise InvalidField(f"{where}.key", "lower-case letters, digits and _, starting with a letter (max 40)")
        kind = raw.get("type")
        if kind not in FIELD_TYPES:
            raise InvalidField(f"{where}.type", f"must be one of {', '.join(FIELD_TYPES)}")
        choices = tuple(str(c) for c in raw.get("choices") or ())
        if kind == "choice" and not choices:
            raise InvalidField(f"{where}.choices", "a choice field needs its choices")
        if kind != "choice" and choices:
            raise InvalidField(f"{where}.choices", "only a choice field has choices")
        return cls(key, _text(str(raw.get("label") or key), f"{where}.label"), kind, bool(raw.get("required", False)), choices)

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "type": self.type, "required": self.required, "choices": list(self.choices)}

    def clean(self, value):
        """The value as stored, or InvalidField naming `metadata.<key>`."""
        where = f"metadata.{self.key}"
        if self.type == "text":
            if not isinstance(value, str):
                raise InvalidField(where, "must be text")
            if len(value) > MAX_TEXT_LENGTH:
                raise InvalidField(where, f"must be at most {MAX_TEXT_LENGTH} characters")
            return value.strip()
        if self.type == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidField(where, "must be a number")
            return value
        if self.type == "date":
            try:
                return date.fromisoformat(value).isoformat()
            except (TypeError, ValueError):
                raise InvalidField(where, "must be a date, YYYY-MM-DD") from None
        if self.type == "choice":
            if value not in self.choices:
                raise InvalidField(where, f"must be one of {', '.join(self.choices)}")
            return value
        try:
            return parse_national_id(str(value)).number
        except InvalidNationalId as error:
            raise InvalidField(where, str(error)) from None


@dataclass(frozen=True)
class DefaultTask:
    title: str
    days_to_deadline: int | None = None

    def as_dict(self) -> dict:
        return {"title": self.title, "days_to_deadline": self.days_to_deadline}


class CaseTemplate(Aggregate):
    """Preset metadata, access and retention for a kind of case. Every case comes from one."""

    def __init__(
        self,
        id: str,
        tenant_id: str,
        name: str,
        description: str,
        fields: list[dict],
        class_id: str | None,
        access_group_id: str | None,
        screening_code: str | None,
        retention_rule: str | None,
        default_tasks: list[dict],
        active: bool,
        created_at: datetime,
        version: int = 1,
    ) -> None:
        super().__init__()
        self.id, self.tenant_id, self.name, self.description = id, tenant_id, name, description
        self.fields, self.class_id, self.access_group_id = fields, class_id, access_group_id
        self.screening_code, self.retention_rule, self.default_tasks = screening_code, retention_rule, default_tasks
        self.active, self.created_at, self.version = active, created_at, version

    @classmethod
    def create(cls, tenant_id: str, name: str, now: datetime, **settings) -> CaseTemplate:
        template = cls(str(uuid.uuid4()), tenant_id, _text(name, "name"), "", [], None, None, None, None, [], True, now, 0)
        template.configure(**settings)
        return template

    def configure(
        self,
        name: str | None = None,
        description: str | None = None,
        fields: list[dict] | None = None,
        class_id: str | None = None,
        access_group_id: str | None = None,
        screening_code: str | None = None,
        retention_rule: str | None = None,
        default_tasks: list[dict] | None = None,
        active: bool | None = None,
    ) -> None:
        if name is not None:
            self.name = _text(name, "name")
        if description is not None:
            self.description = description.strip()
        if fields is not None:
            parsed = [FieldDefinition.parse(raw, n) for n, raw in enumerate(fields)]
            keys = [f.key for f in parsed]
            duplicate = next((k for k in keys if keys.count(k) > 1), None)
            if duplicate:
                raise InvalidField("fields", f"the key {duplicate!r} is used twice")
            self.fields = [f.as_dict() for f in parsed]
        if class_id is not None:
            self.class_id = class_id or None
        if access_group_id is not None:
            self.access_group_id = access_group_id or None
        if screening_code is not None:
            self.screening_code = check_screening_code(screening_code or None)
        if retention_rule is not None:
            self.retention_rule = retention_rule.strip() or None
        if default_tasks is not None:
            tasks = []
            for n, raw in enumerate(default_tasks):
                days = raw.get("days_to_deadline")
                if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days < 0):
                    raise InvalidField(f"default_tasks[{n}].days_to_deadline", "must be a whole number of days, 0 or more")
                tasks.append(DefaultTask(_text(str(raw.get("title", "")), f"default_tasks[{n}].title"), days).as_dict())
            self.default_tasks = tasks
        if active is not None:
            self.active = active
        self.version += 1
        self.record(
            CaseTemplateSaved(
                template_id=self.id, name=self.name, class_id=self.class_id, access_group_id=self.access_group_id,
                screening_code=self.screening_code, retention_rule=self.retention_rule, active=self.active,
            )
        )

    def field_definitions(self) -> list[FieldDefinition]:
        return [FieldDefinition(f["key"], f["label"], f["type"], f["required"], tuple(f["choices"])) for f in self.fields]

    def clean_metadata(self, values: dict, partial: bool = False) -> dict:
        """Check custom metadata against the fields: unknown keys, wrong types and missing
        required values are refused, each naming `metadata.<key>`."""
        definitions = {f.key: f for f in self.field_definitions()}
        unknown = sorted(set(values) - set(definitions))
        if unknown:
            raise InvalidField(f"metadata.{unknown[0]}", f"the template {self.name!r} has no such field")
        cleaned = {key: definitions[key].clean(value) for key, value in values.items() if value is not None}
        if not partial:
            missing = [f.key for f in definitions.values() if f.required and f.key not in cleaned]
            if missing:
                raise InvalidField(f"metadata.{missing[0]}", "is required by the template")
        return cleaned

    def ensure_usable(self) -> None:
        if not self.active:
            raise Conflict(f"the template {self.name!r} is retired; choose another")


@dataclass
class ImportedClass:
    code: str
    title: str
    parent_code: str | None
    retention_rule: str | None
    access_group_id: str | None
    line: int = field(default=0)
