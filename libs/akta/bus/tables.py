"""The outbox and inbox tables every service has in its own schema."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Boolean, Column, Index, MetaData, String, Table, Text

from akta.db.types import BigIntegerKey, UtcDateTime

bus_metadata = MetaData()


def _outbox_columns() -> list:
    return [
        Column("position", BigIntegerKey, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("tenant_id", String(64), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("sent_at", UtcDateTime, nullable=True),
        Column("unroutable", Boolean, nullable=False, default=False),
    ]


def _inbox_columns() -> list:
    return [
        Column("consumer", String(200), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("tenant_id", String(64), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", UtcDateTime, nullable=False),
    ]


outbox_table = Table("outbox", bus_metadata, *_outbox_columns())
Index(
    "ix_outbox_unsent",
    outbox_table.c.position,
    postgresql_where=outbox_table.c.sent_at.is_(None),
    sqlite_where=outbox_table.c.sent_at.is_(None),
)
inbox_table = Table("inbox", bus_metadata, *_inbox_columns())


def create_bus_tables(op) -> None:
    """For a service's first Alembic migration: create its outbox and inbox."""
    op.create_table("outbox", *_outbox_columns())
    op.create_index(
        "ix_outbox_unsent",
        "outbox",
        ["position"],
        postgresql_where=sa.text("sent_at IS NULL"),
        sqlite_where=sa.text("sent_at IS NULL"),
    )
    op.create_table("inbox", *_inbox_columns())
