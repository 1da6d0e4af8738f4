"""persons (pupils, guardians, staff), school classes and guardian links from the student
administrative system

Revision ID: 0002_persons
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from akta.db.types import UtcDateTime

revision = "0002_persons"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "school_classes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("tenant_id", "code", name="uq_school_classes_tenant_code"),
    )
    op.create_table(
        "persons",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("external_id", sa.String(100), nullable=False),
        sa.Column("given_name", sa.String(200), nullable=False),
        sa.Column("family_name", sa.String(200), nullable=False),
        sa.Column("national_id", sa.String(11), nullable=True),
        sa.Column("class_code", sa.String(100), nullable=True),
        sa.Column("username", sa.String(100), nullable=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id", name="fk_persons_user"), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("search_text", sa.String(600), nullable=False),
        sa.UniqueConstraint("tenant_id", "kind", "external_id", name="uq_persons_tenant_kind_external_id"),
    )
    op.create_index("ix_persons_tenant_names", "persons", ["tenant_id", "family_name", "given_name"])
    op.create_index("ix_persons_tenant_class", "persons", ["tenant_id", "class_code"])
    op.create_index("ix_persons_tenant_national_id", "persons", ["tenant_id", "national_id"])
    op.create_index("ix_persons_user", "persons", ["user_id"])
    op.create_table(
        "guardian_links",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column(
            "pupil_id", sa.String(36), sa.ForeignKey("persons.id", name="fk_guardian_links_pupil"), primary_key=True
        ),
        sa.Column(
            "guardian_id",
            sa.String(36),
            sa.ForeignKey("persons.id", name="fk_guardian_links_guardian"),
            primary_key=True,
        ),
    )
    op.create_index("ix_guardian_links_guardian", "guardian_links", ["guardian_id"])


def downgrade() -> None:
    op.drop_table("guardian_links")
    op.drop_table("persons")
    op.drop_table("school_classes")
