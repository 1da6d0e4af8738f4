"""Access administration data, always within one tenant (sign-in throttling is keyed by name)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from akta_identity.access.model import (
    AccessGroup,
    ApiKey,
    Grant,
    Group,
    RefreshToken,
    ServiceAccount,
    SignInThrottle,
    Unit,
)
from akta_identity.access.orm import group_members


class AccessRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set = set()

    def add(self, item) -> None:
        self.session.add(item)
        if hasattr(item, "events"):
            self.seen.add(item)

    def _one(self, cls, tenant_id: str, item_id: str):
        item = self.session.scalars(select(cls).where(cls.tenant_id == tenant_id, cls.id == item_id)).one_or_none()
        if item is not None and hasattr(item, "events"):
            self.seen.add(item)
        return item

    def unit(self, tenant_id: str, unit_id: str) -> Unit | None:
        return self._one(Unit, tenant_id, unit_id)

    def access_group(self, tenant_id: str, access_group_id: str) -> AccessGroup | None:
        return self._one(AccessGroup, tenant_id, access_group_id)

    def access_group_by_name(self, tenant_id: str, name: str) -> AccessGroup | None:
        return self.session.scalars(
            select(AccessGroup).where(AccessGroup.tenant_id == tenant_id, AccessGroup.name == name)
        ).one_or_none()

    def group(self, tenant_id: str, group_id: str) -> Group | None:
        return self._one(Group, tenant_id, group_id)

    def grant(self, tenant_id: str, grant_id: str) -> Grant | None:
        return self._one(Grant, tenant_id, grant_id)

    def service_account(self, tenant_id: str, account_id: str) -> ServiceAccount | None:
        return self._one(ServiceAccount, tenant_id, account_id)

    def api_key(self, key_id: str) -> ApiKey | None:
        return self.session.get(ApiKey, key_id)

    def is_member(self, group_id: str, user_id: str) -> bool:
        return self.session.scalar(
            select(group_members.c.user_id).where(group_members.c.group_id == group_id, group_members.c.user_id == user_id)
        ) is not None

    def add_member(self, group: Group, user_id: str, now: datetime) -> None:
        self.session.execute(group_members.insert().values(group_id=group.id, user_id=user_id, tenant_id=group.tenant_id, added_at=now))

    def remove_member(self, group: Group, user_id: str) -> None:
        self.session.execute(delete(group_members).where(group_members.c.group_id == group.id, group_members.c.user_id == user_id))

    def refresh_token_by_hash(self, token_sha256: str) -> RefreshToken | None:
        return self.session.scalars(select(RefreshToken).where(RefreshToken.token_sha256 == token_sha256)).one_or_none()

    def refresh_family(self, family_id: str) -> list[RefreshToken]:
        return list(self.session.scalars(select(RefreshToken).where(RefreshToken.family_id == family_id)))

    def throttle(self, key: str, now: datetime) -> SignInThrottle:
        throttle = self.session.get(SignInThrottle, key, with_for_update=True)
        if throttle is None:
            throttle = SignInThrottle(key, 0, now, None)
            self.session.add(throttle)
        return throttle
