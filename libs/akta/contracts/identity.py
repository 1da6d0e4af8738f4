"""Events published by the identity service."""

from __future__ import annotations

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
