"""Identity's access events: every service keeps a local copy of grants, group memberships and
API keys from these, so it checks access without calling identity per request."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from akta.contracts.base import Event
from akta.contracts.identity import OrganisationCreated

GranteeKind = Literal["user", "group", "service"]
ScopeKind = Literal["access_group", "screening_code", "case"]
Permission = Literal["read", "write"]


class GrantGiven(Event):
    event_type = "identity.grant.given.v1"
    subject_field = "grant_id"
    summary = "A user, group or service account was given read or write on an access group, a screening code or one case."

    grant_id: str
    grantee_kind: GranteeKind
    grantee_id: str
    scope_kind: ScopeKind
    scope_id: str
    permission: Permission
    valid_from: datetime
    valid_until: datetime | None = None


class GrantRevoked(Event):
    event_type = "identity.grant.revoked.v1"
    subject_field = "grant_id"
    summary = "A grant was withdrawn before its end."

    grant_id: str


class GroupMemberAdded(Event):
    event_type = "identity.group.member_added.v1"
    subject_field = "group_id"
    summary = "A user joined a group and holds the group's grants."

    group_id: str
    user_id: str


class GroupMemberRemoved(Event):
    event_type = "identity.group.member_removed.v1"
    subject_field = "group_id"
    summary = "A user left a group."

    group_id: str
    user_id: str


class ApiKeyIssued(Event):
    event_type = "identity.api_key.issued.v1"
    subject_field = "key_id"
    summary = "A service account got an API key; only the SHA-256 of its secret travels."

    key_id: str
    account_id: str
    account_name: str
    secret_sha256: str
    scopes: list[str]


class ApiKeyRevoked(Event):
    event_type = "identity.api_key.revoked.v1"
    subject_field = "key_id"
    summary = "An API key was revoked and is refused from now on."

    key_id: str


class SubjectDeactivated(Event):
    event_type = "identity.subject.deactivated.v1"
    subject_field = "subject_id"
    summary = "A user or service account was deactivated; its tokens stop working everywhere."

    subject_id: str
    subject_kind: Literal["user", "service"]


ACCESS_EVENTS: tuple[type[Event], ...] = (
    OrganisationCreated,
    GrantGiven,
    GrantRevoked,
    GroupMemberAdded,
    GroupMemberRemoved,
    ApiKeyIssued,
    ApiKeyRevoked,
    SubjectDeactivated,
)
