"""Organisations and users, pure Python."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from akta.aggregate import Aggregate
from akta.contracts.access import SubjectDeactivated
from akta.contracts.identity import OrganisationCreated, UserCreated
from akta.errors import Conflict, InvalidField, Unauthenticated

ROLES = ("caseworker", "post_room", "archivist", "administrator", "external", "integration")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,100}$")


class SignInFailed(Unauthenticated):
    """Never says whether the name or the password was wrong."""

    def __init__(self) -> None:
        super().__init__("unknown organisation, user name or password")


class AlreadyExists(Conflict):
    pass


class Organisation(Aggregate):
    def __init__(self, id: str, slug: str, name: str, created_at: datetime) -> None:
        super().__init__()
        self.id = id
        self.slug = slug
        self.name = name
        self.created_at = created_at

    @property
    def tenant_id(self) -> str:
        return self.id

    @classmethod
    def create(cls, slug: str, name: str, now: datetime) -> Organisation:
        if not _SLUG.match(slug):
            raise InvalidField("slug", "2-63 lower-case letters, digits and dashes")
        if not name.strip():
            raise InvalidField("name", "must not be empty")
        organisation = cls(str(uuid.uuid4()), slug, name.strip(), now)
        organisation.record(OrganisationCreated(organisation_id=organisation.id, slug=slug, name=organisation.name))
        return organisation


class User(Aggregate):
    def __init__(
        self,
        id: str,
        tenant_id: str,
        username: str,
        display_name: str,
        password_hash: str,
        roles: list[str],
        active: bool,
        created_at: datetime,
        unit_id: str | None = None,
        last_sign_in_at: datetime | None = None,
    ) -> None:
        super().__init__()
        self.id = id
        self.tenant_id = tenant_id
        self.username = username
        self.display_name = display_name
        self.password_hash = password_hash
        self.roles = roles
        self.active = active
        self.created_at = created_at
        self.unit_id = unit_id
        self.last_sign_in_at = last_sign_in_at

    @classmethod
    def create(
        cls,
        tenant_id: str,
        username: str,
        display_name: str,
        password_hash: str,
        roles: list[str],
        now: datetime,
    ) -> User:
        if not _USERNAME.match(username):
            raise InvalidField("username", "1-100 letters, digits and . _ @ -")
        unknown = sorted(set(roles) - set(ROLES))
        if unknown:
            raise InvalidField("roles", f"unknown role(s) {', '.join(unknown)}; known: {', '.join(ROLES)}")
        user = cls(
            str(uuid.uuid4()), tenant_id, username, display_name.strip() or username,
            password_hash, sorted(set(roles)), True, now,
        )
        user.record(UserCreated(user_id=user.id, username=username, display_name=user.display_name, roles=user.roles))
        return user

    def change(self, display_name: str | None = None, roles: list[str] | None = None, unit_id: str | None = None) -> None:
        if display_name is not None:
            self.display_name = display_name.strip() or self.username
        if roles is not None:
            unknown = sorted(set(roles) - set(ROLES))
            if unknown:
                raise InvalidField("roles", f"unknown role(s) {', '.join(unknown)}; known: {', '.join(ROLES)}")
            self.roles = sorted(set(roles))
        if unit_id is not None:
            self.unit_id = unit_id

    def deactivate(self) -> None:
        """Users who acted are never deleted: the audit trail names them."""
        if self.active:
            self.active = False
            self.record(SubjectDeactivated(subject_id=self.id, subject_kind="user"))
