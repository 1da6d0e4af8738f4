"""Each service's local copy of identity's access state (in the service's own schema)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, MetaData, String, Table

from akta.db.types import UtcDateTime

access_metadata = MetaData()


def _grant_columns() -> list:
    return [
        Column("grant_id", String(36), primary_key=True),
        Column("tenant_id", String(64), nullable=False),
        # Null until the grant itself arrives, when its revocation overtook it on the bus.
        Column("grantee_kind", String(20), nullable=True),
        Column("grantee_id", String(64), nullable=True),
        Column("scope_kind", String(20), nullable=True),
        Column("scope_id", String(64), nullable=True),
        Column("permission", String(10), nullable=True),
        Column("valid_from", UtcDateTime, nullable=True),
        Column("valid_until", UtcDateTime, nullable=True),
        Column("revoked", Boolean, nullable=False),
    ]


def _member_columns() -> list:
    return [
        Column("group_id", String(36), primary_key=True),
        Column("user_id", String(36), primary_key=True),
        Column("tenant_id", String(64), nullable=False),
        Column("is_member", Boolean, nullable=False),
        Column("changed_at", UtcDateTime, nullable=False),
    ]


def _api_key_columns() -> list:
    return [
        Column("key_id", String(36), primary_key=True),
        Column("tenant_id", String(64), nullable=False),
        Column("account_id", String(36), nullable=True),
        Column("account_name", String(200), nullable=True),
        Column("secret_sha256", String(64), nullable=True),
        Column("scopes", JSON, nullable=True),
        Column("revoked", Boolean, nullable=False),
    ]


def _tenant_columns() -> list:
    return [Column("tenant_id", String(64), primary_key=True), Column("slug", String(63), nullable=False)]


def _deactivated_columns() -> list:
    return [
        Column("subject_id", String(36), primary_key=True),
        Column("tenant_id", String(64), nullable=False),
        Column("subject_kind", String(20), nullable=False),
    ]


access_grants = Table("access_grants", access_metadata, *_grant_columns())
Index("ix_access_grants_grantee", access_grants.c.tenant_id, access_grants.c.grantee_kind, access_grants.c.grantee_id)
access_group_members = Table("access_group_members", access_metadata, *_member_columns())
Index("ix_access_group_members_user", access_group_members.c.tenant_id, access_group_members.c.user_id)
access_api_keys = Table("access_api_keys", access_metadata, *_api_key_columns())
access_deactivated_subjects = Table("access_deactivated_subjects", access_metadata, *_deactivated_columns())
access_tenants = Table("access_tenants", access_metadata, *_tenant_columns())


def create_access_tables(op) -> None:
    """For a service's migration: create its local copy of the access state."""
    op.create_table("access_grants", *_grant_columns())
    op.create_index("ix_access_grants_grantee", "access_grants", ["tenant_id", "grantee_kind", "grantee_id"])
    op.create_table("access_group_members", *_member_columns())
    op.create_index("ix_access_group_members_user", "access_group_members", ["tenant_id", "user_id"])
    op.create_table("access_api_keys", *_api_key_columns())
    op.create_table("access_deactivated_subjects", *_deactivated_columns())
    op.create_table("access_tenants", *_tenant_columns())
