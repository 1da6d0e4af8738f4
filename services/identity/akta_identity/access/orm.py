"""Tables of access administration, on identity's metadata."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint

from akta.db.mapping import map_aggregate, map_once
from akta.db.types import UtcDateTime
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
from akta_identity.adapters.orm import mapper_registry, metadata

units = Table(
    "units", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("parent_id", String(36), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)
access_groups = Table(
    "access_groups", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", String(1000), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant_id", "name", name="uq_access_groups_tenant_name"),
)
groups = Table(
    "groups", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant_id", "name", name="uq_groups_tenant_name"),
)
group_members = Table(
    "group_members", metadata,
    Column("group_id", String(36), ForeignKey("groups.id"), primary_key=True),
    Column("user_id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
)
grants = Table(
    "grants", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False, index=True),
    Column("grantee_kind", String(20), nullable=False),
    Column("grantee_id", String(64), nullable=False),
    Column("scope_kind", String(20), nullable=False),
    Column("scope_id", String(64), nullable=False),
    Column("permission", String(10), nullable=False),
    Column("valid_from", UtcDateTime, nullable=False),
    Column("valid_until", UtcDateTime, nullable=True),
    Column("granted_by", String(200), nullable=False),
    Column("granted_at", UtcDateTime, nullable=False),
    Column("grantee_unit_id", String(36), nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("revoked_by", String(200), nullable=True),
)
service_accounts = Table(
    "service_accounts", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
api_keys = Table(
    "api_keys", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("account_id", String(36), ForeignKey("service_accounts.id"), nullable=False, index=True),
    Column("secret_sha256", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)
refresh_tokens = Table(
    "refresh_tokens", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("user_id", String(36), nullable=False),
    Column("family_id", String(36), nullable=False, index=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
)
sign_in_throttle = Table(
    "sign_in_throttle", metadata,
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_started_at", UtcDateTime, nullable=False),
    Column("locked_until", UtcDateTime, nullable=True),
)

def start_mappers() -> None:
    map_once(__name__, _map)


def _map() -> None:
    for aggregate_class, table in (
        (Unit, units), (AccessGroup, access_groups), (Group, groups), (Grant, grants), (ServiceAccount, service_accounts),
    ):
        map_aggregate(mapper_registry, aggregate_class, table)
    for plain_class, table in ((ApiKey, api_keys), (RefreshToken, refresh_tokens), (SignInThrottle, sign_in_throttle)):
        mapper_registry.map_imperatively(plain_class, table)
