from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, UniqueConstraint
from sqlalchemy.orm import registry

from akta.db.mapping import map_aggregate, map_once
from akta.db.types import UtcDateTime
from akta_retention.domain.model import RetentionEntry

metadata = MetaData()
mapper_registry = registry(metadata=metadata)

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

def start_mappers() -> None:
    map_once(__name__, _map)


def _map() -> None:
    map_aggregate(mapper_registry, RetentionEntry, retention_entries)
