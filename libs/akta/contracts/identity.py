"""Events published by the identity service."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from akta.contracts.base import Event


class OrganisationCreated(Event):
    event_type = "identity.organisation.created.v1"
    subject_field = "organisation_id"
    summary = "An organisation (tenant) was created."

    organisation_id: str
    slug: str
    name: str


class UserCreated(Event):
    event_type = "identity.user.created.v1"
    subject_field = "user_id"
    summary = "A user was created in an organisation."

    user_id: str
    username: str
    display_name: str
    roles: list[str]


PersonKind = Literal["pupil", "guardian", "staff"]


class PersonCreated(Event):
    """No national id (CPR/fødselsnummer) in person events: they reach every service; a service
    that needs the number looks the person up over identity's HTTP API."""

    event_type = "identity.person.created.v1"
    subject_field = "person_id"
    summary = "A pupil, guardian or staff member came in from the student administrative system."

    person_id: str
    kind: PersonKind
    external_id: str = Field(description="The person's id in the student administrative system.")
    given_name: str
    family_name: str
    class_code: str | None = Field(description="A pupil's class, as the source system names it.")
    guardian_ids: list[str] = Field(description="Person ids of a pupil's guardians.")
    user_id: str | None = Field(description="The user a staff member signs in as.")


class PersonUpdated(Event):
    event_type = "identity.person.updated.v1"
    subject_field = "person_id"
    summary = "A person's names, class, guardians or active state changed in the source system."

    person_id: str
    kind: PersonKind
    external_id: str
    given_name: str
    family_name: str
    class_code: str | None
    guardian_ids: list[str]
    user_id: str | None
    active: bool
    changed_fields: list[str] = Field(
        description="Of given_name, family_name, national_id, class_code, guardians, username, active."
    )


class PersonDeactivated(Event):
    event_type = "identity.person.deactivated.v1"
    subject_field = "person_id"
    summary = "A person left the source system's full export; kept, never deleted."

    person_id: str
    kind: PersonKind
    external_id: str
    given_name: str
    family_name: str
    class_code: str | None
    guardian_ids: list[str]
    user_id: str | None
