"""Tables of the cases service, mapped onto the pure domain classes."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, MetaData, String, Table, Text, UniqueConstraint
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
    Column("template_id", String(36), nullable=True),
    Column("class_id", String(36), nullable=True),
    Column("retention_rule", String(40), nullable=True),
    Column("owner_id", String(36), nullable=True),
    Column("unit_id", String(36), nullable=True),
    Column("metadata", JSON, nullable=False, default=dict),
    Column("closed_at", UtcDateTime, nullable=True),
    UniqueConstraint("tenant_id", "number", name="uq_cases_tenant_number"),
)
Index("ix_cases_tenant_updated", cases.c.tenant_id, cases.c.updated_at.desc(), cases.c.id)
Index("ix_cases_tenant_access_group", cases.c.tenant_id, cases.c.access_group_id, cases.c.updated_at.desc())
Index("ix_cases_tenant_owner", cases.c.tenant_id, cases.c.owner_id, cases.c.status)
Index("ix_cases_tenant_access_status", cases.c.tenant_id, cases.c.access_group_id, cases.c.status, cases.c.screening_code)

case_links = Table(
    "case_links",
    metadata,
    Column("tenant_id", String(64), nullable=False),
    Column("case_id", String(36), primary_key=True),
    Column("linked_case_id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("case_id", String(36), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

person_cases = Table(
    "person_cases",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("template_id", String(36), primary_key=True),
    # SHA-256 of the identifier: the key finds the case without keeping the CPR in one more place.
    Column("identifier_hash", String(64), primary_key=True),
    Column("case_id", String(36), nullable=False),
)

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
