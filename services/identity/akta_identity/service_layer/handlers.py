"""Use cases of the identity service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from akta import audit, context
from akta.auth.principal import Principal
from akta.auth.tokens import TokenSigner
from akta.bus.worker import BatchHandler
from akta.db.unit_of_work import UnitOfWork
from akta.errors import AktaError, InvalidField, NotFound, Unauthenticated
from akta_identity.access import handlers as access_handlers
from akta_identity.access.model import LockoutPolicy
from akta_identity.adapters.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from akta_identity.audit.handlers import record_audit
from akta_identity.domain.model import AlreadyExists, Organisation, SignInFailed, User


def create_organisation(slug: str, name: str, uow: UnitOfWork) -> Organisation:
    with uow:
        if uow.directory.organisation_by_slug(slug) is not None:
            raise AlreadyExists(f"an organisation {slug!r} exists already")
        organisation = Organisation.create(slug, name, datetime.now(UTC))
        uow.directory.add(organisation)
        audit.record(uow, organisation.id, "create", "organisation", organisation.id, slug=slug, name=organisation.name)
        uow.commit()
    return organisation


def organisation_slug(uow: UnitOfWork, tenant_id: str) -> str:
    with uow:
        organisation = uow.directory.organisation(tenant_id)
        if organisation is None:
            raise NotFound(f"no organisation {tenant_id}")
        return organisation.slug


def create_user(
    organisation_slug: str,
    username: str,
    display_name: str,
    password: str,
    roles: list[str],
    uow: UnitOfWork,
) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidField("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    with uow:
        organisation = uow.directory.organisation_by_slug(organisation_slug)
        if organisation is None:
            raise NotFound(f"no organisation {organisation_slug!r}")
        if uow.directory.user_by_username(organisation.id, username) is not None:
            raise AlreadyExists(f"a user {username!r} exists already in {organisation_slug}")
        user = User.create(
            organisation.id, username, display_name, hash_password(password), roles, datetime.now(UTC)
        )
        uow.directory.add(user)
        audit.record(
            uow, organisation.id, "create", "user", user.id, username=user.username, roles=",".join(user.roles)
        )
        uow.commit()
    return user


DEFAULT_LOCKOUT = LockoutPolicy()


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_at: datetime
    refresh_token: str


class SignInLocked(AktaError):
    status = 429
    title = "Too many failed sign-ins"
    problem_type = "urn:akta:problem:locked"


def sign_in(
    organisation_slug: str,
    username: str,
    password: str,
    uow: UnitOfWork,
    signer: TokenSigner,
    policy: LockoutPolicy = DEFAULT_LOCKOUT,
) -> TokenPair:
    """Check the password and issue tokens. One answer for every kind of failure, and the same
    lockout for names that do not exist, so neither reveals which part was wrong."""
    now = datetime.now(UTC)
    with uow:
        throttle = uow.access.throttle(f"{organisation_slug.lower()}/{username.lower()}", now)
        if throttle.locked(now):
            _audit_sign_in(uow, organisation_slug, username, "denied", reason="locked")
            uow.commit()
            raise SignInLocked(
                "too many failed sign-ins; try again later",
                retry_after_seconds=int((throttle.locked_until - now).total_seconds()) + 1,
            )
        organisation = uow.directory.organisation_by_slug(organisation_slug)
        user = uow.directory.user_by_username(organisation.id, username) if organisation else None
        password_hash = user.password_hash if user is not None and user.active else None
        if not verify_password(password_hash, password):
            throttle.failed(now, policy)
            _audit_sign_in(uow, organisation_slug, username, "denied", reason="bad_credentials")
            uow.commit()
            raise SignInFailed()
        throttle.failures, throttle.locked_until = 0, None
        user.last_sign_in_at = now
        refresh_token = access_handlers.new_refresh_token(uow, user)
        context.set_actor(_principal(user).actor)
        _audit_sign_in(uow, organisation_slug, username, "success")
        uow.commit()
        access_token, expires_at = signer.issue(_principal(user))
    return TokenPair(access_token, expires_at, refresh_token)


# Failed sign-ins naming no known organisation have no tenant; they form a chain of their own.
UNKNOWN_ORGANISATION_TENANT = "unknown-organisation"


def _audit_sign_in(uow: UnitOfWork, organisation_slug: str, username: str, outcome: str, **details) -> None:
    """Who tried, never with what password."""
    organisation = uow.directory.organisation_by_slug(organisation_slug)
    user = uow.directory.user_by_username(organisation.id, username) if organisation else None
    audit.record(
        uow,
        organisation.id if organisation else UNKNOWN_ORGANISATION_TENANT,
        "sign_in",
        "user",
        user.id if user else "",
        outcome,
        username=username,
        organisation=organisation_slug,
        **details,
    )


def refresh(refresh_token: str, uow: UnitOfWork, signer: TokenSigner) -> TokenPair:
    """Swap a refresh token for new tokens. A token presented twice was copied: the whole
    family is revoked and both holders must sign in again."""
    now = datetime.now(UTC)
    with uow:
        stored = uow.access.refresh_token_by_hash(access_handlers._token_hash(refresh_token))
        if stored is None or stored.expires_at <= now:
            raise Unauthenticated("unknown or expired refresh token")
        if stored.used_at is not None or stored.revoked_at is not None:
            for member in uow.access.refresh_family(stored.family_id):
                member.revoked_at = member.revoked_at or now
            audit.record(uow, stored.tenant_id, "refresh_token", "user", stored.user_id, "denied", reason="reused refresh token; family revoked")
            uow.commit()
            raise Unauthenticated("this refresh token was already used; sign in again")
        user = uow.directory.user(stored.tenant_id, stored.user_id)
        if user is None or not user.active:
            raise Unauthenticated("this account is deactivated")
        stored.used_at = now
        successor = access_handlers.new_refresh_token(uow, user, family_id=stored.family_id)
        audit.record(uow, user.tenant_id, "refresh_token", "user", user.id)
        uow.commit()
        access_token, expires_at = signer.issue(_principal(user))
    return TokenPair(access_token, expires_at, successor)


def sign_out(refresh_token: str, uow: UnitOfWork) -> None:
    """Revoke the refresh token's family; access tokens end at their short expiry."""
    now = datetime.now(UTC)
    with uow:
        stored = uow.access.refresh_token_by_hash(access_handlers._token_hash(refresh_token))
        if stored is not None:
            for member in uow.access.refresh_family(stored.family_id):
                member.revoked_at = member.revoked_at or now
            audit.record(uow, stored.tenant_id, "sign_out", "user", stored.user_id)
        uow.commit()


def _principal(user) -> Principal:
    return Principal(
        tenant_id=user.tenant_id,
        subject_id=user.id,
        subject_kind="user",
        name=user.display_name,
        roles=frozenset(user.roles),
    )


# A batch of audit records is appended at once: a few statements instead of 5 per record.
EVENT_HANDLERS = {"record_audit": BatchHandler(record_audit)}
