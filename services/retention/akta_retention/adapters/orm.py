"""The retention service's tables. Entries are plain domain objects: the repository reads and
writes their rows with Core statements (no ORM mapping, whose bookkeeping per object cost more
than the rest of handling an event)."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, UniqueConstraint

from akta.db.types import UtcDateTime

metadata = MetaData()

retention_entries = Table(
    "retention_entries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("item_kind", String(40), nullable=False),
    Column("item_id", String(64), nullable=False),
    Column("item_reference", String(100), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("access_group_id", String(36), nullable=True),
    Column("screening_code", String(40), nullable=True),
    Column("item_version", Integer, nullable=False, default=1),
    UniqueConstraint("tenant_id", "item_kind", "item_id", name="uq_retention_entries_item"),
)
