"""case_documents: the copy of docstore's documents that the dashboard's latest documents reads

Revision ID: 0011_case_documents
Revises: 0010_case_list_index
"""
import sqlalchemy as sa
from alembic import op

from akta.db.types import UtcDateTime

revision = "0011_case_documents"
down_revision = "0010_case_list_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_documents",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("document_type", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("screening_code", sa.String(40), nullable=True),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index(
        "ix_case_documents_tenant_created", "case_documents", ["tenant_id", sa.text("created_at DESC"), "document_id"]
    )
    op.create_index("ix_case_documents_tenant_case", "case_documents", ["tenant_id", "case_id"])


def downgrade() -> None:
    op.drop_table("case_documents")
