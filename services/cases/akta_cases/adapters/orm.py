"""Tables of the cases service, mapped onto the pure domain classes."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, UniqueConstraint
from sqlalchemy.orm import registry

from akta.db.mapping import map_aggregate, map_once
from akta.db.types import UtcDateTime
from akta_cases.domain.model import Case

metadata = MetaData()
mapper_registry = registry(metadata=metadata)

cases = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("number", String(20), nullable=False),
    Column("title", String(500), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("access_group_id", String(36), nullable=True),
    Column("screening_code", String(40), nullable=True),
    UniqueConstraint("tenant_id", "number", name="uq_cases_tenant_number"),
)
Index("ix_cases_tenant_updated", cases.c.tenant_id, cases.c.updated_at.desc(), cases.c.id)
Index("ix_cases_tenant_access_group", cases.c.tenant_id, cases.c.access_group_id, cases.c.updated_at.desc())

case_number_sequences = Table(
    "case_number_sequences",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_value", Integer, nullable=False),
)

def start_mappers() -> None:
    map_once(__name__, _map)


def _map() -> None:
    # The domain counts versions itself; the mapper checks the old one in every UPDATE.
    map_aggregate(mapper_registry, Case, cases, version_id_col=cases.c.version, version_id_generator=False)
