"""Carries out a plan through the unit of work; staff become users of the organisation."""

from __future__ import annotations

from datetime import datetime

from akta import audit
from akta.errors import InvalidField
from akta_identity.directory_sync.model import Person, PersonRecord, SchoolClass
from akta_identity.directory_sync.planner import Change, Plan
from akta_identity.domain.model import User

AUDIT_ACTIONS = {"create": "create", "update": "change", "deactivate": "deactivate"}
STAFF_ROLES = ["caseworker"]
# Not an argon2 hash, so no password ever verifies: staff sign in some other way.
NO_PASSWORD = "!"


def apply(
    plan: Plan,
    tenant_id: str,
    classes: dict[str, SchoolClass],
    persons: dict[tuple[str, str], Person],
    uow,
    now: datetime,
) -> list[str]:
    """Make the changes on the loaded `classes` and `persons` (new ones are added to both).
    Returns notes on what could not be done as the import says."""
    notes: list[str] = []
    for change in plan.changes:
        if change.kind == "class":
            _apply_class(change, tenant_id, classes, uow, now)
        else:
            _apply_person(change, tenant_id, persons, uow, now, notes)
    return notes


def _apply_class(change: Change, tenant_id: str, classes: dict[str, SchoolClass], uow, now: datetime) -> None:
    if change.action == "create":
        school_class = SchoolClass.create(tenant_id, change.after, now)
        uow.persons.add_class(school_class)
        classes[school_class.code] = school_class
    else:
        school_class = classes[change.external_id]
        school_class.change(change.after, now)
    _audit(uow, tenant_id, change, "school_class", school_class.id)


def _apply_person(
    change: Change, tenant_id: str, persons: dict[tuple[str, str], Person], uow, now: datetime, notes: list[str]
) -> None:
    record: PersonRecord = change.after
    guardian_ids = [persons["guardian", external_id].id for external_id in record.guardians]
    if change.action == "create":
        user = _user_for_new_staff(record, tenant_id, uow, now, notes) if record.kind == "staff" else None
        person = Person.create(tenant_id, record, guardian_ids, user.id if user else None, now)
        uow.persons.add(person)
        persons[record.key] = person
    else:
        person = persons[record.key]
        if change.action == "update":
            person.change(record, guardian_ids, change.changed_fields, now)
        else:
            person.deactivate(now)
        if person.user_id:
            _follow_staff_change(person, change, tenant_id, uow, notes)
    _audit(uow, tenant_id, change, "person", person.id)


def _audit(uow, tenant_id: str, change: Change, entity_type: str, entity_id: str) -> None:
    audit.record(
        uow, tenant_id, AUDIT_ACTIONS[change.action], entity_type, entity_id,
        kind=change.kind, external_id=change.external_id, fields=",".join(change.changed_fields),
    )


def _user_for_new_staff(record: PersonRecord, tenant_id: str, uow, now: datetime, notes: list[str]) -> User:
    existing = uow.directory.user_by_username(tenant_id, record.username)
    if existing is None:
        user = User.create(tenant_id, record.username, record.full_name, NO_PASSWORD, STAFF_ROLES, now)
        uow.directory.add(user)
        audit.record(uow, tenant_id, "create", "user", user.id, username=user.username, roles=",".join(user.roles))
        return user
    holder = uow.persons.holder_of_user(tenant_id, existing.id)
    if holder is not None:
        # Handing a former colleague's user to a newcomer would hand over their grants too.
        raise InvalidField(
            f"{record.source}.username",
            f"the user {record.username!r} belongs to {holder.kind} {holder.external_id} "
            f"({holder.given_name} {holder.family_name}); give the newcomer another user name",
        )
    # A user made by hand before the first import (often the administrator) is taken over.
    user = uow.directory.user(tenant_id, existing.id)
    user.change(display_name=record.full_name)
    if not user.active:
        notes.append(_stays_deactivated(record))
    return user


def _follow_staff_change(person: Person, change: Change, tenant_id: str, uow, notes: list[str]) -> None:
    user = uow.directory.user(tenant_id, person.user_id)
    if change.action == "deactivate":
        if user.active:
            user.deactivate()
            audit.record(uow, tenant_id, "deactivate", "user", user.id, username=user.username)
        return
    record: PersonRecord = change.after
    if {"given_name", "family_name"} & set(change.changed_fields):
        user.change(display_name=record.full_name)
    if "username" in change.changed_fields:
        notes.append(
            f"staff {record.external_id}: signs in as {user.username!r} still; user names are not renamed by imports"
        )
    if record.active and not user.active:
        notes.append(_stays_deactivated(record))


def _stays_deactivated(record: PersonRecord) -> str:
    # Deactivation is final for now: other services drop a deactivated user's tokens for good.
    return (
        f"staff {record.external_id}: the user {record.username!r} is deactivated and stays so; "
        "deactivated users cannot be reactivated"
    )
