"""archive plan, case templates; cases get template, class, retention rule, owner, unit,
metadata, closing time; links, notes and person cases

Revision ID: 0004_archive_plan
Revises: 0003_case_access
"""
import sqlalchemy as sa
from alembic import op

from akta.db.types import UtcDateTime

revision = "0004_archive_plan"
down_revision = "0003_case_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archive_classes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.String(36), nullable=True),
        sa.Column("retention_rule", sa.String(40), nullable=True),
        sa.Column("access_group_id", sa.String(36), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("tenant_id", "code", name="uq_archive_classes_tenant_code"),
    )
    op.create_table(
        "case_templates",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("class_id", sa.String(36), nullable=True),
        sa.Column("access_group_id", sa.String(36), nullable=True),
        sa.Column("screening_code", sa.String(40), nullable=True),
        sa.Column("retention_rule", sa.String(40), nullable=True),
        sa.Column("default_tasks", sa.JSON, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("tenant_id", "name", name="uq_case_templates_tenant_name"),
    )
    with op.batch_alter_table("cases") as cases:
        cases.add_column(sa.Column("template_id", sa.String(36), nullable=True))
        cases.add_column(sa.Column("class_id", sa.String(36), nullable=True))
        cases.add_column(sa.Column("retention_rule", sa.String(40), nullable=True))
        cases.add_column(sa.Column("owner_id", sa.String(36), nullable=True))
        cases.add_column(sa.Column("unit_id", sa.String(36), nullable=True))
        cases.add_column(sa.Column("metadata", sa.JSON, nullable=False, server_default="{}"))
        cases.add_column(sa.Column("closed_at", UtcDateTime, nullable=True))
    op.create_index("ix_cases_tenant_owner", "cases", ["tenant_id", "owner_id", "status"])
    op.create_table(
        "case_links",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("linked_case_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "case_notes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "person_cases",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("template_id", sa.String(36), primary_key=True),
        sa.Column("identifier_hash", sa.String(64), primary_key=True),
        sa.Column("case_id", sa.String(36), nullable=False),
    )


def downgrade() -> None:
    for table in ("person_cases", "case_notes", "case_links"):
        op.drop_table(table)
    op.drop_index("ix_cases_tenant_owner", "cases")
    with op.batch_alter_table("cases") as cases:
        for column in ("closed_at", "metadata", "unit_id", "owner_id", "retention_rule", "class_id", "template_id"):
            cases.drop_column(column)
    op.drop_table("case_templates")
    op.drop_table("archive_classes")
