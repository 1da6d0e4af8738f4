"""What an import would change: compares it with what is stored and lists creates, updates and
deactivations. Pure; the same records in give the same plan out.

A partial import creates and updates what it names and leaves everything else alone. A full
import is the whole directory: active persons and classes missing from it are deactivated.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from akta.errors import InvalidField
from akta_identity.directory_sync.model import (
    CLASS_FIELDS,
    PERSON_FIELDS,
    ClassRecord,
    DirectoryImport,
    PersonRecord,
)

ACTIONS = ("create", "update", "deactivate")
# Guardians before pupils: a pupil's new guardian must exist when the pupil links to it.
_KIND_ORDER = {"class": 0, "guardian": 1, "staff": 2, "pupil": 3}


@dataclass(frozen=True)
class StoredDirectory:
    classes: dict[str, ClassRecord]
    persons: dict[tuple[str, str], PersonRecord]


@dataclass(frozen=True)
class Change:
    action: str
    kind: str  # "class" or a person kind
    external_id: str
    before: ClassRecord | PersonRecord | None
    after: ClassRecord | PersonRecord
    changed_fields: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.after.name if isinstance(self.after, ClassRecord) else self.after.full_name

    def summary(self) -> str:
        line = f"{self.action} {self.kind} {self.external_id} ({self.name})"
        if self.action != "update":
            return line
        return f"{line}: " + ", ".join(self._describe(field) for field in self.changed_fields)

    def _describe(self, field: str) -> str:
        if field == "national_id":
            return "national_id changed"  # never printed: reports end up in terminals and logs
        before, after = getattr(self.before, field), getattr(self.after, field)
        return f"{field} {_shown(before)} -> {_shown(after)}"


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    unchanged: int

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)


def plan(incoming: DirectoryImport, stored: StoredDirectory, full: bool) -> Plan:
    """The changes that make the stored directory say what `incoming` says."""
    _check_guardians(incoming, stored, full)
    classes = _classes_wanted(incoming, stored)
    compared = [
        *(_change("class", c.code, stored.classes.get(c.code), c, CLASS_FIELDS) for c in classes.values()),
        *(_change(p.kind, p.external_id, stored.persons.get(p.key), p, PERSON_FIELDS) for p in incoming.persons),
    ]
    changes = [change for change in compared if change is not None]
    unchanged = len(compared) - len(changes)

    if full:
        named = {record.key for record in incoming.persons}
        for code, record in stored.classes.items():
            if code not in classes and record.active:
                changes.append(Change("deactivate", "class", code, record, replace(record, active=False), ("active",)))
        for key, record in stored.persons.items():
            if key not in named and record.active:
                changes.append(
                    Change("deactivate", record.kind, record.external_id, record, replace(record, active=False), ("active",))
                )

    changes.sort(key=lambda c: (_KIND_ORDER[c.kind], ACTIONS.index(c.action), c.external_id))
    return Plan(tuple(changes), unchanged)


def _change(kind: str, external_id: str, before, after, compared: tuple[str, ...]) -> Change | None:
    if before is None:
        return Change("create", kind, external_id, None, after)
    changed = tuple(field for field in compared if getattr(before, field) != getattr(after, field))
    return Change("update", kind, external_id, before, after, changed) if changed else None


def _classes_wanted(incoming: DirectoryImport, stored: StoredDirectory) -> dict[str, ClassRecord]:
    """The classes the import lists, and those its pupils are in: a class only named on pupil
    rows keeps its stored name, or takes its code as name when it is new."""
    wanted = {record.code: record for record in incoming.classes}
    for person in incoming.persons:
        code = person.class_code
        if code and code not in wanted:
            known = stored.classes.get(code)
            wanted[code] = ClassRecord(code=code, name=known.name if known else code)
    return wanted


def _check_guardians(incoming: DirectoryImport, stored: StoredDirectory, full: bool) -> None:
    in_import = {person.external_id for person in incoming.persons if person.kind == "guardian"}
    for pupil in incoming.persons:
        for guardian in pupil.guardians:
            if guardian in in_import:
                continue
            known = stored.persons.get(("guardian", guardian))
            if not full and known is not None and known.active:
                continue
            where = "in this full import" if full else "in the import or among the active guardians"
            raise InvalidField(f"{pupil.source}.guardians", f"no guardian {guardian!r} {where}")


def _shown(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "-" if value is None else str(value)
