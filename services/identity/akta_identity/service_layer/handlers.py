"""Use cases of the identity service."""

from __future__ import annotations

from datetime import UTC, datetime

from akta.auth.principal import Principal
from akta.auth.tokens import TokenSigner
from akta.db.unit_of_work import UnitOfWork
from akta.errors import InvalidField, NotFound
from akta_identity.adapters.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from akta_identity.domain.model import AlreadyExists, Organisation, SignInFailed, User


def create_organisation(slug: str, name: str, uow: UnitOfWork) -> Organisation:
    with uow:
        if uow.directory.organisation_by_slug(slug) is not None:
            raise AlreadyExists(f"an organisation {slug!r} exists already")
        organisation = Organisation.create(slug, name, datetime.now(UTC))
        uow.directory.add(organisation)
        uow.commit()
    return organisation


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
        uow.commit()
    return user


def sign_in(
    organisation_slug: str, username: str, password: str, uow: UnitOfWork, signer: TokenSigner
) -> tuple[str, datetime]:
    """Check the password and issue an access token; one answer for every kind of failure."""
    with uow:
        organisation = uow.directory.organisation_by_slug(organisation_slug)
        user = uow.directory.user_by_username(organisation.id, username) if organisation else None
        password_hash = user.password_hash if user is not None and user.active else None
        if not verify_password(password_hash, password):
            raise SignInFailed()
        principal = Principal(
            tenant_id=user.tenant_id,
            subject_id=user.id,
            subject_kind="user",
            name=user.display_name,
            roles=frozenset(user.roles),
        )
    return signer.issue(principal)
