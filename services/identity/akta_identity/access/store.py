"""Identity checks credentials against its own tables, the source the others copy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from akta.access.scope import AccessScope, scope_from_grants
from akta.access.store import AccessStore, ApiKeyRecord
from akta.auth.principal import Principal
from akta.db.database import Database
from akta_identity.access.orm import api_keys, grants, group_members, service_accounts
from akta_identity.adapters.orm import organisations, users


class IdentityAccessStore(AccessStore):
    def __init__(self, database: Database) -> None:
        self.database = database

    def api_key(self, key_id: str) -> ApiKeyRecord | None:
        with self.database.read_session() as session:
            row = session.execute(
                select(api_keys, service_accounts.c.name, service_accounts.c.scopes)
                .join(service_accounts, service_accounts.c.id == api_keys.c.account_id)
                .where(api_keys.c.id == key_id)
            ).mappings().one_or_none()
        if row is None:
            return None
        return ApiKeyRecord(
            key_id=row["id"],
            tenant_id=row["tenant_id"],
            account_id=row["account_id"],
            account_name=row["name"],
            secret_sha256=row["secret_sha256"],
            scopes=frozenset(row["scopes"]),
            revoked=row["revoked_at"] is not None,
        )

    def is_deactivated(self, subject_id: str) -> bool:
        with self.database.read_session() as session:
            user_active = session.scalar(select(users.c.active).where(users.c.id == subject_id))
            account_active = session.scalar(select(service_accounts.c.active).where(service_accounts.c.id == subject_id))
        return user_active is False or account_active is False

    def tenant_exists(self, tenant_id: str) -> bool:
        with self.database.read_session() as session:
            return session.scalar(select(organisations.c.id).where(organisations.c.id == tenant_id)) is not None

    def scope(self, principal: Principal, now: datetime) -> AccessScope:
        grantee_kind = "service" if principal.is_service else "user"
        my_groups = select(group_members.c.group_id).where(group_members.c.user_id == principal.subject_id)
        with self.database.read_session() as session:
            rows = session.execute(
                select(grants.c.scope_kind, grants.c.scope_id, grants.c.permission).where(
                    grants.c.tenant_id == principal.tenant_id,
                    grants.c.revoked_at.is_(None),
                    grants.c.valid_from <= now,
                    or_(grants.c.valid_until.is_(None), grants.c.valid_until > now),
                    or_(
                        and_(grants.c.grantee_kind == grantee_kind, grants.c.grantee_id == principal.subject_id),
                        and_(grants.c.grantee_kind == "group", grants.c.grantee_id.in_(my_groups)),
                    ),
                )
            ).all()
        return scope_from_grants(principal.tenant_id, rows)
