"""Use cases of access administration."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from akta import audit, context
from akta.access.api_keys import new_api_key
from akta.errors import Conflict, InvalidField, NotFound
from akta_identity.access.model import AccessGroup, ApiKey, Grant, Group, RefreshToken, ServiceAccount, Unit
from akta_identity.domain.model import User

REFRESH_TOKEN_LIFETIME = timedelta(days=30)


def _now() -> datetime:
    return datetime.now(UTC)


def _user(uow, tenant_id: str, user_id: str) -> User:
    user = uow.directory.user(tenant_id, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def create_unit(uow, tenant_id: str, name: str, parent_id: str | None = None) -> Unit:
    with uow:
        if parent_id is not None and uow.access.unit(tenant_id, parent_id) is None:
            raise InvalidField("parent_id", f"no unit {parent_id}")
        unit = Unit.create(tenant_id, name, parent_id, _now())
        uow.access.add(unit)
        audit.record(uow, tenant_id, "create", "unit", unit.id, name=unit.name)
        uow.commit()
    return unit


def create_access_group(uow, tenant_id: str, name: str, description: str = "") -> AccessGroup:
    with uow:
        if uow.access.access_group_by_name(tenant_id, " ".join(name.split())) is not None:
            raise Conflict(f"an access group {name!r} exists already")
        access_group = AccessGroup.create(tenant_id, name, description, _now())
        uow.access.add(access_group)
        audit.record(uow, tenant_id, "create", "access_group", access_group.id, name=access_group.name)
        uow.commit()
    return access_group


def create_group(uow, tenant_id: str, name: str) -> Group:
    with uow:
        group = Group.create(tenant_id, name, _now())
        uow.access.add(group)
        audit.record(uow, tenant_id, "create", "group", group.id, name=group.name)
        uow.commit()
    return group


def add_group_member(uow, tenant_id: str, group_id: str, user_id: str) -> None:
    with uow:
        group = uow.access.group(tenant_id, group_id)
        if group is None:
            raise NotFound(f"no group {group_id}")
        _user(uow, tenant_id, user_id)
        if not uow.access.is_member(group_id, user_id):
            uow.access.add_member(group, user_id, _now())
            group.member_added(user_id)
            audit.record(uow, tenant_id, "grant", "group", group_id, member_added=user_id)
        uow.commit()


def remove_group_member(uow, tenant_id: str, group_id: str, user_id: str) -> None:
    with uow:
        group = uow.access.group(tenant_id, group_id)
        if group is None:
            raise NotFound(f"no group {group_id}")
        if uow.access.is_member(group_id, user_id):
            uow.access.remove_member(group, user_id)
            group.member_removed(user_id)
            audit.record(uow, tenant_id, "revoke", "group", group_id, member_removed=user_id)
        uow.commit()


def give_grant(
    uow,
    tenant_id: str,
    grantee_kind: str,
    grantee_id: str,
    scope_kind: str,
    scope_id: str,
    permission: str,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> Grant:
    now = _now()
    with uow:
        unit_id = None
        if grantee_kind == "user":
            unit_id = _user(uow, tenant_id, grantee_id).unit_id
        elif grantee_kind == "group" and uow.access.group(tenant_id, grantee_id) is None:
            raise InvalidField("grantee_id", f"no group {grantee_id}")
        elif grantee_kind == "service" and uow.access.service_account(tenant_id, grantee_id) is None:
            raise InvalidField("grantee_id", f"no service account {grantee_id}")
        if scope_kind == "access_group" and uow.access.access_group(tenant_id, scope_id) is None:
            raise InvalidField("scope_id", f"no access group {scope_id}")
        grant = Grant.give(
            tenant_id, grantee_kind, grantee_id, scope_kind, scope_id, permission,
            valid_from or now, valid_until, context.current().actor, unit_id, now,
        )
        uow.access.add(grant)
        audit.record(
            uow, tenant_id, "grant", "grant", grant.id, grantee=f"{grantee_kind}:{grantee_id}",
            scope=f"{scope_kind}:{scope_id}", permission=permission,
            valid_until=valid_until.isoformat() if valid_until else None,
        )
        uow.commit()
    return grant


def revoke_grant(uow, tenant_id: str, grant_id: str) -> Grant:
    with uow:
        grant = uow.access.grant(tenant_id, grant_id)
        if grant is None:
            raise NotFound(f"no grant {grant_id}")
        grant.revoke(context.current().actor, _now())
        audit.record(uow, tenant_id, "revoke", "grant", grant.id, grantee=f"{grant.grantee_kind}:{grant.grantee_id}")
        uow.commit()
    return grant


def create_service_account(uow, tenant_id: str, name: str, scopes: list[str]) -> ServiceAccount:
    with uow:
        account = ServiceAccount.create(tenant_id, name, scopes, _now())
        uow.access.add(account)
        audit.record(uow, tenant_id, "create", "service_account", account.id, name=account.name, scopes=" ".join(account.scopes))
        uow.commit()
    return account


def issue_api_key(uow, tenant_id: str, account_id: str) -> tuple[ApiKey, str]:
    """A new key for the account; the full key is returned this once and never stored."""
    with uow:
        account = uow.access.service_account(tenant_id, account_id)
        if account is None:
            raise NotFound(f"no service account {account_id}")
        key_id, full_key, secret_hash = new_api_key()
        key = ApiKey(key_id, tenant_id, account_id, secret_hash, _now())
        account.key_issued(key)
        uow.access.add(key)
        audit.record(uow, tenant_id, "create", "api_key", key.id, service_account=account_id)
        uow.commit()
    return key, full_key


def revoke_api_key(uow, tenant_id: str, account_id: str, key_id: str) -> None:
    with uow:
        account = uow.access.service_account(tenant_id, account_id)
        key = uow.access.api_key(key_id)
        if account is None or key is None or key.account_id != account.id:
            raise NotFound(f"no API key {key_id} on service account {account_id}")
        account.key_revoked(key, _now())
        audit.record(uow, tenant_id, "revoke", "api_key", key.id, service_account=account_id)
        uow.commit()


def deactivate_service_account(uow, tenant_id: str, account_id: str) -> None:
    with uow:
        account = uow.access.service_account(tenant_id, account_id)
        if account is None:
            raise NotFound(f"no service account {account_id}")
        account.deactivate()
        audit.record(uow, tenant_id, "deactivate", "service_account", account_id)
        uow.commit()


def change_user(uow, tenant_id: str, user_id: str, display_name=None, roles=None, unit_id=None) -> User:
    with uow:
        user = _user(uow, tenant_id, user_id)
        if unit_id is not None and uow.access.unit(tenant_id, unit_id) is None:
            raise InvalidField("unit_id", f"no unit {unit_id}")
        user.change(display_name=display_name, roles=roles, unit_id=unit_id)
        audit.record(
            uow, tenant_id, "change", "user", user_id, roles=" ".join(user.roles), unit_id=user.unit_id,
        )
        uow.commit()
    return user


def deactivate_user(uow, tenant_id: str, user_id: str) -> None:
    with uow:
        _user(uow, tenant_id, user_id).deactivate()
        audit.record(uow, tenant_id, "deactivate", "user", user_id)
        uow.commit()


def new_refresh_token(uow, user: User, family_id: str | None = None) -> str:
    """Stage a refresh token for `user` in the caller's transaction; returns the token."""
    token = f"rt_{secrets.token_urlsafe(32)}"
    uow.access.add(
        RefreshToken(
            str(uuid.uuid4()), user.tenant_id, user.id, family_id or str(uuid.uuid4()),
            _token_hash(token), _now() + REFRESH_TOKEN_LIFETIME,
        )
    )
    return token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
