"""A service's copy of identity's access state, written directly as its worker would from
identity's events: for tests of one service over HTTP without identity and a bus."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from akta.access.tables import access_grants, access_group_members, access_tenants
from akta.service import Service


def known_tenant(service: Service, tenant_id: str, slug: str | None = None) -> None:
    with service.database.session() as session, session.begin():
        session.execute(access_tenants.insert().values(tenant_id=tenant_id, slug=slug or f"org-{tenant_id[:8]}"))


def grant(
    service: Service,
    tenant_id: str,
    grantee_id: str,
    scope_kind: str,
    scope_id: str,
    permission: str = "write",
    grantee_kind: str = "user",
) -> str:
    grant_id = str(uuid.uuid4())
    with service.database.session() as session, session.begin():
        session.execute(
            access_grants.insert().values(
                grant_id=grant_id, tenant_id=tenant_id, grantee_kind=grantee_kind, grantee_id=grantee_id,
                scope_kind=scope_kind, scope_id=scope_id, permission=permission,
                valid_from=datetime(2000, 1, 1, tzinfo=UTC), valid_until=None, revoked=False,
            )
        )
    return grant_id


def member(service: Service, tenant_id: str, group_id: str, user_id: str) -> None:
    with service.database.session() as session, session.begin():
        session.execute(
            access_group_members.insert().values(
                group_id=group_id, user_id=user_id, tenant_id=tenant_id, is_member=True, changed_at=datetime.now(UTC)
            )
        )
