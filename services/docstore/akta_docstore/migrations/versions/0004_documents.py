"""documents, versions, references, comments, renditions, the copy of cases, format policies, saved searches

Revision ID: 0004_documents
Revises: 0003_search_index
"""
import sqlalchemy as sa
from alembic import op

from akta.db.types import UtcDateTime

revision = "0004_documents"
down_revision = "0003_search_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("document_type", sa.String(64), nullable=False),
        sa.Column("category", sa.String(64), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=True),
        sa.Column("registration_id", sa.String(36), nullable=True),
        sa.Column("attached_to_document_id", sa.String(36), nullable=True),
        sa.Column("access_group_id", sa.String(36), nullable=True),
        sa.Column("screening_code", sa.String(40), nullable=True),
        sa.Column("owner_id", sa.String(64), nullable=True),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_documents_tenant_case", "documents", ["tenant_id", "case_id", "created_at"])
    op.create_index("ix_documents_tenant_updated", "documents", ["tenant_id", sa.text("updated_at DESC"), "id"])
    op.create_index("ix_documents_tenant_registration", "documents", ["tenant_id", "registration_id"])
    op.create_index("ix_documents_tenant_attached_to", "documents", ["tenant_id", "attached_to_document_id"])

    op.create_table(
        "document_versions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(36), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("mime_type", sa.String(120), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_index("uq_document_versions_number", "document_versions", ["document_id", "number"], unique=True)
    op.create_index("ix_document_versions_blob", "document_versions", ["tenant_id", "sha256"])

    op.create_table(
        "document_references",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(36), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("referenced_document_id", sa.String(36), primary_key=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )

    op.create_table(
        "document_comments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(36), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author_id", sa.String(64), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_document_comments_document", "document_comments", ["document_id", "created_at"])

    op.create_table(
        "renditions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(36), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version_number", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UtcDateTime, nullable=False),
        sa.Column("claimed_until", UtcDateTime, nullable=True),
        sa.Column("reason", sa.String(1000), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("size", sa.BigInteger, nullable=True),
        sa.Column("source", sa.String(20), nullable=True),
        sa.Column("correlation_id", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index("uq_renditions_version_kind", "renditions", ["document_id", "version_number", "kind"], unique=True)
    op.create_index("ix_renditions_due", "renditions", ["status", "priority", "next_attempt_at"])
    op.create_index("ix_renditions_blob", "renditions", ["tenant_id", "sha256"])

    op.create_table(
        "case_copies",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("access_group_id", sa.String(36), nullable=True),
        sa.Column("screening_code", sa.String(40), nullable=True),
        sa.Column("class_id", sa.String(36), nullable=True),
        sa.Column("class_code", sa.String(40), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("case_version", sa.Integer, nullable=False),
    )
    op.create_index("ix_case_copies_tenant", "case_copies", ["tenant_id", "case_id"])

    op.create_table(
        "case_copy_parties",
        sa.Column("party_id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("contact_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("removed", sa.Boolean, nullable=False),
    )
    op.create_index("ix_case_copy_parties_case", "case_copy_parties", ["tenant_id", "case_id"])

    op.create_table(
        "format_policies",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("allowed_formats", sa.JSON, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )

    op.create_table(
        "saved_searches",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("criteria", sa.JSON, nullable=False),
        sa.Column("shared", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_saved_searches_tenant_owner", "saved_searches", ["tenant_id", "owner_id"])


def downgrade() -> None:
    for table in (
        "saved_searches", "format_policies", "case_copy_parties", "case_copies", "renditions",
        "document_comments", "document_references", "document_versions", "documents",
    ):
        op.drop_table(table)
