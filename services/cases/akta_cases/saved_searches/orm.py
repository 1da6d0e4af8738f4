"""Tables of saved searches, on the cases metadata."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from akta.db.types import UtcDateTime
from akta_cases.adapters.orm import metadata

saved_searches = Table(
    "saved_searches", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("owner", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("criteria", JSON, nullable=False),
    Column("sharing", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("tenant_id", "owner", "name", name="uq_saved_searches_owner_name"),
)
Index("ix_saved_searches_tenant_sharing", saved_searches.c.tenant_id, saved_searches.c.sharing)

saved_search_shares = Table(
    "saved_search_shares", metadata,
    Column("saved_search_id", String(36), ForeignKey("saved_searches.id", ondelete="CASCADE"), primary_key=True),
    Column("grantee_kind", String(20), primary_key=True),
    Column("grantee_id", String(64), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
)
Index(
    "ix_saved_search_shares_grantee",
    saved_search_shares.c.tenant_id, saved_search_shares.c.grantee_kind, saved_search_shares.c.grantee_id,
)
