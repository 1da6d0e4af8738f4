"""Pure domain of access administration."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from akta.access.screening import check_screening_code
from akta.aggregate import Aggregate
from akta.contracts.access import (
    ApiKeyIssued,
    ApiKeyRevoked,
    GrantGiven,
    GrantRevoked,
    GroupMemberAdded,
    GroupMemberRemoved,
    SubjectDeactivated,
)
from akta.errors import Conflict, InvalidField

GRANTEE_KINDS = ("user", "group", "service")
SCOPE_KINDS = ("access_group", "screening_code", "case")
PERMISSIONS = ("read", "write")
# What a service account's key may be scoped to; users are limited by roles and grants instead.
API_SCOPES = (
    "cases:read", "cases:write", "documents:read", "documents:write", "dispatch:send",
    "intake:write", "retention:read", "persons:read", "audit:read",
)


def _name(value: str, field: str = "name", limit: int = 200) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidField(field, "must not be empty")
    if len(cleaned) > limit:
        raise InvalidField(field, f"must be at most {limit} characters")
    return cleaned


class Unit(Aggregate):
    def __init__(self, id: str, tenant_id: str, name: str, parent_id: str | None, created_at: datetime) -> None:
        super().__init__()
        self.id, self.tenant_id, self.name, self.parent_id, self.created_at = id, tenant_id, name, parent_id, created_at

    @classmethod
    def create(cls, tenant_id: str, name: str, parent_id: str | None, now: datetime) -> Unit:
        return cls(str(uuid.uuid4()), tenant_id, _name(name), parent_id, now)


class AccessGroup(Aggregate):
    def __init__(self, id: str, tenant_id: str, name: str, description: str, created_at: datetime) -> None:
        super().__init__()
        self.id, self.tenant_id, self.name, self.description, self.created_at = id, tenant_id, name, description, created_at

    @classmethod
    def create(cls, tenant_id: str, name: str, description: str, now: datetime) -> AccessGroup:
        return cls(str(uuid.uuid4()), tenant_id, _name(name), description.strip(), now)


class Group(Aggregate):
    def __init__(self, id: str, tenant_id: str, name: str, created_at: datetime) -> None:
        super().__init__()
        self.id, self.tenant_id, self.name, self.created_at = id, tenant_id, name, created_at

    @classmethod
    def create(cls, tenant_id: str, name: str, now: datetime) -> Group:
        return cls(str(uuid.uuid4()), tenant_id, _name(name), now)

    def member_added(self, user_id: str) -> None:
        self.record(GroupMemberAdded(group_id=self.id, user_id=user_id))

    def member_removed(self, user_id: str) -> None:
        self.record(GroupMemberRemoved(group_id=self.id, user_id=user_id))


class Grant(Aggregate):
    def __init__(
        self,
        id: str,
        tenant_id: str,
        grantee_kind: str,
        grantee_id: str,
        scope_kind: str,
        scope_id: str,
        permission: str,
        valid_from: datetime,
        valid_until: datetime | None,
        granted_by: str,
        granted_at: datetime,
        grantee_unit_id: str | None,
        revoked_at: datetime | None = None,
        revoked_by: str | None = None,
    ) -> None:
        super().__init__()
        self.id, self.tenant_id = id, tenant_id
        self.grantee_kind, self.grantee_id = grantee_kind, grantee_id
        self.scope_kind, self.scope_id, self.permission = scope_kind, scope_id, permission
        self.valid_from, self.valid_until = valid_from, valid_until
        self.granted_by, self.granted_at, self.grantee_unit_id = granted_by, granted_at, grantee_unit_id
        self.revoked_at, self.revoked_by = revoked_at, revoked_by

    @classmethod
    def give(
        cls,
        tenant_id: str,
        grantee_kind: str,
        grantee_id: str,
        scope_kind: str,
        scope_id: str,
        permission: str,
        valid_from: datetime,
        valid_until: datetime | None,
        granted_by: str,
        grantee_unit_id: str | None,
        now: datetime,
    ) -> Grant:
        if grantee_kind not in GRANTEE_KINDS:
            raise InvalidField("grantee_kind", f"must be one of {', '.join(GRANTEE_KINDS)}")
        if scope_kind not in SCOPE_KINDS:
            raise InvalidField("scope_kind", f"must be one of {', '.join(SCOPE_KINDS)}")
        if permission not in PERMISSIONS:
            raise InvalidField("permission", "must be read or write")
        if scope_kind == "screening_code":
            check_screening_code(scope_id, "scope_id")
        if valid_until is not None and valid_until <= valid_from:
            raise InvalidField("valid_until", "must be after valid_from")
        grant = cls(
            str(uuid.uuid4()), tenant_id, grantee_kind, grantee_id, scope_kind, scope_id, permission,
            valid_from, valid_until, granted_by, now, grantee_unit_id,
        )
        grant.record(
            GrantGiven(
                grant_id=grant.id, grantee_kind=grantee_kind, grantee_id=grantee_id, scope_kind=scope_kind,
                scope_id=scope_id, permission=permission, valid_from=valid_from, valid_until=valid_until,
            )
        )
        return grant

    def revoke(self, by: str, now: datetime) -> None:
        if self.revoked_at is not None:
            raise Conflict(f"grant {self.id} is already revoked")
        self.revoked_at, self.revoked_by = now, by
        self.record(GrantRevoked(grant_id=self.id))

    def in_force(self, now: datetime) -> bool:
        return self.revoked_at is None and self.valid_from <= now and (self.valid_until is None or now < self.valid_until)


class ServiceAccount(Aggregate):
    def __init__(self, id: str, tenant_id: str, name: str, scopes: list[str], active: bool, created_at: datetime) -> None:
        super().__init__()
        self.id, self.tenant_id, self.name, self.scopes, self.active, self.created_at = id, tenant_id, name, scopes, active, created_at

    @classmethod
    def create(cls, tenant_id: str, name: str, scopes: list[str], now: datetime) -> ServiceAccount:
        unknown = sorted(set(scopes) - set(API_SCOPES))
        if unknown:
            raise InvalidField("scopes", f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(API_SCOPES)}")
        if not scopes:
            raise InvalidField("scopes", "give the account at least one scope")
        return cls(str(uuid.uuid4()), tenant_id, _name(name), sorted(set(scopes)), True, now)

    def key_issued(self, key: ApiKey) -> None:
        if not self.active:
            raise Conflict("the service account is deactivated")
        self.record(
            ApiKeyIssued(key_id=key.id, account_id=self.id, account_name=self.name, secret_sha256=key.secret_sha256, scopes=self.scopes)
        )

    def key_revoked(self, key: ApiKey, now: datetime) -> None:
        if key.revoked_at is not None:
            raise Conflict(f"API key {key.id} is already revoked")
        key.revoked_at = now
        self.record(ApiKeyRevoked(key_id=key.id))

    def deactivate(self) -> None:
        if self.active:
            self.active = False
            self.record(SubjectDeactivated(subject_id=self.id, subject_kind="service"))


class ApiKey:
    def __init__(self, id: str, tenant_id: str, account_id: str, secret_sha256: str, created_at: datetime, revoked_at: datetime | None = None) -> None:
        self.id, self.tenant_id, self.account_id = id, tenant_id, account_id
        self.secret_sha256, self.created_at, self.revoked_at = secret_sha256, created_at, revoked_at


class RefreshToken:
    """One use only: each refresh hands out a successor in the same family. A used or revoked
    token presented again means it was copied, and the whole family is revoked."""

    def __init__(self, id: str, tenant_id: str, user_id: str, family_id: str, token_sha256: str, expires_at: datetime, used_at: datetime | None = None, revoked_at: datetime | None = None) -> None:
        self.id, self.tenant_id, self.user_id, self.family_id = id, tenant_id, user_id, family_id
        self.token_sha256, self.expires_at, self.used_at, self.revoked_at = token_sha256, expires_at, used_at, revoked_at


@dataclass(frozen=True)
class LockoutPolicy:
    """Failed sign-ins allowed within `window` before the name is locked for `lock_for`."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lock_for: timedelta = timedelta(minutes=15)


class SignInThrottle:
    """Failed attempts per organisation and user name, known or not, so lockout reveals nothing."""

    def __init__(self, key: str, failures: int, window_started_at: datetime, locked_until: datetime | None) -> None:
        self.key, self.failures, self.window_started_at, self.locked_until = key, failures, window_started_at, locked_until

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def failed(self, now: datetime, policy: LockoutPolicy) -> None:
        if now - self.window_started_at > policy.window:
            self.failures, self.window_started_at = 0, now
        self.failures += 1
        if self.failures >= policy.max_failures:
            self.locked_until = now + policy.lock_for
            self.failures, self.window_started_at = 0, now
