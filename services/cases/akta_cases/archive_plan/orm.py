"""Tables of the archive plan and case templates, on the cases metadata."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, String, Table, UniqueConstraint

from akta.db.mapping import map_aggregate, map_once
from akta.db.types import UtcDateTime
from akta_cases.adapters.orm import mapper_registry, metadata
from akta_cases.archive_plan.model import ArchiveClass, CaseTemplate

archive_classes = Table(
    "archive_classes", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("code", String(40), nullable=False),
    Column("title", String(200), nullable=False),
    Column("parent_id", String(36), nullable=True),
    Column("retention_rule", String(40), nullable=True),
    Column("access_group_id", String(36), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant_id", "code", name="uq_archive_classes_tenant_code"),
)

case_templates = Table(
    "case_templates", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("description", String(2000), nullable=False),
    Column("fields", JSON, nullable=False),
    Column("class_id", String(36), nullable=True),
    Column("access_group_id", String(36), nullable=True),
    Column("screening_code", String(40), nullable=True),
    Column("retention_rule", String(40), nullable=True),
    Column("default_tasks", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("tenant_id", "name", name="uq_case_templates_tenant_name"),
)


def start_mappers() -> None:
    map_once(__name__, _map)


def _map() -> None:
    map_aggregate(mapper_registry, ArchiveClass, archive_classes)
    map_aggregate(mapper_registry, CaseTemplate, case_templates, version_id_col=case_templates.c.version, version_id_generator=False)
