"""Pupils, guardians, staff and classes as the student administrative system knows them.

`PersonRecord` and `ClassRecord` are what one import says (or what is stored, seen the same
way); `Person` and `SchoolClass` are what identity keeps. Pure Python.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime

from akta.aggregate import Aggregate
from akta.contracts.identity import PersonCreated, PersonDeactivated, PersonUpdated
from akta.errors import InvalidField, NotFound
from akta.identifiers import InvalidNationalId, parse_national_id

PERSON_KINDS = ("pupil", "guardian", "staff")
EXTERNAL_ID_MAX_LENGTH = 100
NAME_MAX_LENGTH = 200
# The rule User.create applies: staff become users under this name.
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,100}$")


class PersonNotFound(NotFound):
    def __init__(self, person_id: str) -> None:
        super().__init__(f"no person {person_id}")


@dataclass(frozen=True)
class ClassRecord:
    code: str
    name: str
    active: bool = True
    source: str = field(default="", compare=False)  # where in the file, e.g. "rows[17]"


@dataclass(frozen=True)
class PersonRecord:
    kind: str
    external_id: str
    given_name: str
    family_name: str
    national_id: str | None = None
    class_code: str | None = None
    guardians: tuple[str, ...] = ()  # the guardians' external ids, sorted
    username: str | None = None
    active: bool = True
    source: str = field(default="", compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.external_id

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


# Compared field by field to tell what an update changes; the public names of the fields.
PERSON_FIELDS = tuple(f.name for f in fields(PersonRecord) if f.name not in ("kind", "external_id", "source"))
CLASS_FIELDS = ("name", "active")


@dataclass(frozen=True)
class DirectoryImport:
    classes: tuple[ClassRecord, ...]
    persons: tuple[PersonRecord, ...]


def class_record(source: str, code: str | None, name: str | None) -> ClassRecord:
    code = _required_text(source, "external_id", code, EXTERNAL_ID_MAX_LENGTH)
    name = _optional_text(source, "name", name, NAME_MAX_LENGTH) or code
    return ClassRecord(code=code, name=name, source=source)


def person_record(
    source: str,
    kind: str | None,
    external_id: str | None,
    given_name: str | None,
    family_name: str | None,
    national_id: str | None = None,
    class_code: str | None = None,
    guardians: list[str] | tuple[str, ...] = (),
    username: str | None = None,
) -> PersonRecord:
    """One person of an import, cleaned and checked; errors name `source` and the column."""
    kind = (kind or "").strip().lower()
    if kind not in PERSON_KINDS:
        raise InvalidField(f"{source}.kind", f"must be one of {', '.join(PERSON_KINDS)}, not {kind!r}")
    external_id = _required_text(source, "external_id", external_id, EXTERNAL_ID_MAX_LENGTH)
    given_name = _required_text(source, "given_name", given_name, NAME_MAX_LENGTH)
    family_name = _required_text(source, "family_name", family_name, NAME_MAX_LENGTH)
    national_id = _national_id(source, kind, national_id)
    class_code = _optional_text(source, "class", class_code, EXTERNAL_ID_MAX_LENGTH)
    if class_code and kind != "pupil":
        raise InvalidField(f"{source}.class", f"only pupils have a class, this is a {kind}")
    guardian_ids = sorted({g.strip() for g in guardians if g.strip()})
    if guardian_ids and kind != "pupil":
        raise InvalidField(f"{source}.guardians", f"only pupils have guardians, this is a {kind}")
    if external_id in guardian_ids:
        raise InvalidField(f"{source}.guardians", "a pupil cannot be their own guardian")
    username = _optional_text(source, "username", username, 100)
    if kind == "staff":
        if not username:
            raise InvalidField(f"{source}.username", "staff need a user name: they become users")
        if not _USERNAME.match(username):
            raise InvalidField(f"{source}.username", "1-100 letters, digits and . _ @ -")
    elif username:
        raise InvalidField(f"{source}.username", f"only staff have a user name, this is a {kind}")
    return PersonRecord(
        kind=kind,
        external_id=external_id,
        given_name=given_name,
        family_name=family_name,
        national_id=national_id,
        class_code=class_code,
        guardians=tuple(guardian_ids),
        username=username,
        source=source,
    )


def directory_import(classes: list[ClassRecord], persons: list[PersonRecord]) -> DirectoryImport:
    """The whole import, once no two rows claim the same class, person, user name or number."""
    _no_duplicates(classes, lambda c: c.code, "external_id", "class")
    _no_duplicates(persons, lambda p: p.key, "external_id", "person")
    staff = [p for p in persons if p.kind == "staff"]
    _no_duplicates(staff, lambda p: p.username.lower(), "username", "user name")
    with_number = [p for p in persons if p.national_id]
    _no_duplicates(with_number, lambda p: (p.kind, p.national_id), "national_id", "national id")
    return DirectoryImport(tuple(classes), tuple(persons))


def _no_duplicates(records, key, column: str, what: str) -> None:
    first_seen: dict = {}
    for record in records:
        earlier = first_seen.setdefault(key(record), record)
        if earlier is not record:
            raise InvalidField(f"{record.source}.{column}", f"the same {what} as {earlier.source}")


def _national_id(source: str, kind: str, text: str | None) -> str | None:
    if not text or not text.strip():
        if kind == "pupil":
            raise InvalidField(f"{source}.national_id", "pupils need a CPR number or fødselsnummer")
        return None
    try:
        return parse_national_id(text).number
    except InvalidNationalId as error:
        raise InvalidField(f"{source}.national_id", str(error)) from None


def _required_text(source: str, column: str, text: str | None, max_length: int) -> str:
    cleaned = _optional_text(source, column, text, max_length)
    if not cleaned:
        raise InvalidField(f"{source}.{column}", "must not be empty")
    return cleaned


def _optional_text(source: str, column: str, text: str | None, max_length: int) -> str | None:
    cleaned = " ".join((text or "").split())
    if len(cleaned) > max_length:
        raise InvalidField(f"{source}.{column}", f"must be at most {max_length} characters")
    return cleaned or None


class SchoolClass:
    def __init__(
        self, id: str, tenant_id: str, code: str, name: str, active: bool, created_at: datetime, updated_at: datetime
    ) -> None:
        self.id = id
        self.tenant_id = tenant_id
        self.code = code
        self.name = name
        self.active = active
        self.created_at = created_at
        self.updated_at = updated_at

    @classmethod
    def create(cls, tenant_id: str, record: ClassRecord, now: datetime) -> SchoolClass:
        return cls(str(uuid.uuid4()), tenant_id, record.code, record.name, True, now, now)

    def as_record(self) -> ClassRecord:
        return ClassRecord(code=self.code, name=self.name, active=self.active)

    def change(self, record: ClassRecord, now: datetime) -> None:
        self.name = record.name
        self.active = record.active
        self.updated_at = now


class GuardianLink:
    """A pupil's guardian; the pupil's `Person` holds its links."""

    def __init__(self, tenant_id: str, guardian_id: str) -> None:
        self.tenant_id = tenant_id
        self.guardian_id = guardian_id


class Person(Aggregate):
    def __init__(
        self,
        id: str,
        tenant_id: str,
        kind: str,
        external_id: str,
        given_name: str,
        family_name: str,
        national_id: str | None,
        class_code: str | None,
        username: str | None,
        user_id: str | None,
        active: bool,
        created_at: datetime,
        updated_at: datetime,
    ) -> None:
        super().__init__()
        self.id = id
        self.tenant_id = tenant_id
        self.kind = kind
        self.external_id = external_id
        self.given_name = given_name
        self.family_name = family_name
        self.national_id = national_id
        self.class_code = class_code
        self.username = username
        self.user_id = user_id
        self.active = active
        self.created_at = created_at
        self.updated_at = updated_at
        self.guardian_links: list[GuardianLink] = []

    @classmethod
    def create(
        cls, tenant_id: str, record: PersonRecord, guardian_ids: list[str], user_id: str | None, now: datetime
    ) -> Person:
        person = cls(
            str(uuid.uuid4()), tenant_id, record.kind, record.external_id, record.given_name,
            record.family_name, record.national_id, record.class_code, record.username, user_id,
            True, now, now,
        )
        person.guardian_links = [GuardianLink(tenant_id, guardian_id) for guardian_id in sorted(guardian_ids)]
        person.record(PersonCreated(**person._event_fields()))
        return person

    @property
    def guardian_ids(self) -> list[str]:
        return sorted(link.guardian_id for link in self.guardian_links)

    def as_record(self, guardian_external_ids: tuple[str, ...]) -> PersonRecord:
        return PersonRecord(
            kind=self.kind,
            external_id=self.external_id,
            given_name=self.given_name,
            family_name=self.family_name,
            national_id=self.national_id,
            class_code=self.class_code,
            guardians=tuple(sorted(guardian_external_ids)),
            username=self.username,
            active=self.active,
        )

    def change(self, record: PersonRecord, guardian_ids: list[str], changed_fields: tuple[str, ...], now: datetime) -> None:
        """Take the state of `record`; the planner has compared them and names what differs."""
        self.given_name = record.given_name
        self.family_name = record.family_name
        self.national_id = record.national_id
        self.class_code = record.class_code
        self.username = record.username
        self.active = record.active
        self._set_guardians(guardian_ids)
        self.updated_at = now
        self.record(
            PersonUpdated(**self._event_fields(), active=self.active, changed_fields=list(changed_fields))
        )

    def deactivate(self, now: datetime) -> None:
        self.active = False
        self.updated_at = now
        self.record(PersonDeactivated(**self._event_fields()))

    def _set_guardians(self, guardian_ids: list[str]) -> None:
        wanted = set(guardian_ids)
        # Links are removed and added one by one: replacing an unchanged link would delete and
        # insert the same row in one flush.
        for link in [link for link in self.guardian_links if link.guardian_id not in wanted]:
            self.guardian_links.remove(link)
        for guardian_id in sorted(wanted - set(self.guardian_ids)):
            self.guardian_links.append(GuardianLink(self.tenant_id, guardian_id))

    def _event_fields(self) -> dict:
        # Never the national id: events travel to every service; they look it up over HTTP.
        return {
            "person_id": self.id,
            "kind": self.kind,
            "external_id": self.external_id,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "class_code": self.class_code,
            "guardian_ids": self.guardian_ids,
            "user_id": self.user_id,
        }
