"""Reads for administration screens, within one tenant."""

from __future__ import annotations

from sqlalchemy import select

from akta.db.database import Database
from akta.db.paging import fetch_page
from akta_identity.access.orm import (
    access_groups,
    api_keys,
    grants,
    group_members,
    groups,
    service_accounts,
    units,
)
from akta_identity.adapters.orm import users

USER_FIELDS = ("id", "username", "display_name", "roles", "active", "unit_id", "created_at", "last_sign_in_at")


def _page(database: Database, query, offset: int, limit: int) -> tuple[list[dict], int]:
    with database.read_session() as session:
        rows, total = fetch_page(session, query, offset, limit)
    return [dict(row) for row in rows], total


def list_users(database: Database, tenant_id: str, offset: int, limit: int) -> tuple[list[dict], int]:
    query = select(*(users.c[name] for name in USER_FIELDS)).where(users.c.tenant_id == tenant_id).order_by(users.c.username)
    return _page(database, query, offset, limit)


def list_units(database: Database, tenant_id: str, offset: int, limit: int):
    return _page(database, select(units).where(units.c.tenant_id == tenant_id).order_by(units.c.name), offset, limit)


def list_access_groups(database: Database, tenant_id: str, offset: int, limit: int):
    query = select(access_groups).where(access_groups.c.tenant_id == tenant_id).order_by(access_groups.c.name)
    return _page(database, query, offset, limit)


def list_groups(database: Database, tenant_id: str, offset: int, limit: int):
    items, total = _page(database, select(groups).where(groups.c.tenant_id == tenant_id).order_by(groups.c.name), offset, limit)
    with database.read_session() as session:
        for item in items:
            item["member_ids"] = sorted(session.scalars(select(group_members.c.user_id).where(group_members.c.group_id == item["id"])))
    return items, total


def list_grants(database: Database, tenant_id: str, offset: int, limit: int, grantee_id: str | None = None, include_revoked: bool = False):
    query = select(grants).where(grants.c.tenant_id == tenant_id)
    if grantee_id:
        query = query.where(grants.c.grantee_id == grantee_id)
    if not include_revoked:
        query = query.where(grants.c.revoked_at.is_(None))
    return _page(database, query.order_by(grants.c.granted_at.desc(), grants.c.id), offset, limit)


def list_service_accounts(database: Database, tenant_id: str, offset: int, limit: int):
    query = select(service_accounts).where(service_accounts.c.tenant_id == tenant_id).order_by(service_accounts.c.name)
    items, total = _page(database, query, offset, limit)
    with database.read_session() as session:
        for item in items:
            item["keys"] = [
                dict(row)
                for row in session.execute(
                    select(api_keys.c.id, api_keys.c.created_at, api_keys.c.revoked_at)
                    .where(api_keys.c.account_id == item["id"])
                    .order_by(api_keys.c.created_at)
                ).mappings()
            ]
    return items, total
