from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from akta_identity.domain.model import Organisation, User


class SqlAlchemyIdentityRepository:
    """Organisations and users. Users are always looked up within one organisation."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set = set()

    def add(self, aggregate: Organisation | User) -> None:
        self.session.add(aggregate)
        self.seen.add(aggregate)

    def organisation(self, organisation_id: str) -> Organisation | None:
        return self.session.get(Organisation, organisation_id)

    def organisation_by_slug(self, slug: str) -> Organisation | None:
        return self.session.scalars(select(Organisation).where(Organisation.slug == slug)).one_or_none()

    def user(self, tenant_id: str, user_id: str) -> User | None:
        user = self.session.scalars(select(User).where(User.tenant_id == tenant_id, User.id == user_id)).one_or_none()
        if user is not None:
            self.seen.add(user)
        return user

    def user_by_username(self, tenant_id: str, username: str) -> User | None:
        return self.session.scalars(
            select(User).where(User.tenant_id == tenant_id, User.username == username)
        ).one_or_none()
