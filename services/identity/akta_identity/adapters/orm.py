from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, MetaData, String, Table, UniqueConstraint
from sqlalchemy.orm import registry

from akta.db.mapping import map_aggregate, map_once
from akta.db.types import UtcDateTime
from akta_identity.domain.model import Organisation, User

metadata = MetaData()
mapper_registry = registry(metadata=metadata)

organisations = Table(
    "organisations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("slug", String(63), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("username", String(100), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("unit_id", String(36), nullable=True),
    Column("last_sign_in_at", UtcDateTime, nullable=True),
    UniqueConstraint("tenant_id", "username", name="uq_users_tenant_username"),
)

def start_mappers() -> None:
    map_once(__name__, _map)


def _map() -> None:
    map_aggregate(mapper_registry, Organisation, organisations)
    map_aggregate(mapper_registry, User, users)
