"""registrations (journal entries), their correspondents and documents, numbers per case

Revision ID: 0006_registrations
Revises: 0005_contacts
"""
import sqlalchemy as sa
from alembic import op

from akta.db.types import UtcDateTime

revision = "0006_registrations"
down_revision = "0005_contacts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registrations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(1), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("document_date", sa.Date, nullable=True),
        sa.Column("received_date", sa.Date, nullable=True),
        sa.Column("sent_date", sa.Date, nullable=True),
        sa.Column("journal_date", sa.Date, nullable=False),
        sa.Column("screening_code", sa.String(40), nullable=True),
        sa.Column("reply_to_registration_id", sa.String(36), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("tenant_id", "case_id", "sequence", name="uq_registrations_case_sequence"),
    )
    op.create_index(
        "ix_registrations_tenant_journal_date",
        "registrations",
        ["tenant_id", sa.text("journal_date DESC"), sa.text("created_at DESC"), "id"],
    )
    op.create_index(
        "ix_registrations_tenant_status", "registrations", ["tenant_id", "status", sa.text("journal_date DESC")]
    )
    op.create_index("ix_registrations_tenant_kind", "registrations", ["tenant_id", "kind", sa.text("journal_date DESC")])
    op.create_index("ix_registrations_tenant_reply_to", "registrations", ["tenant_id", "reply_to_registration_id"])
    op.create_table(
        "registration_correspondents",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column(
            "registration_id", sa.String(36), sa.ForeignKey("registrations.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("contact_id", sa.String(36), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address_lines", sa.JSON, nullable=False),
        sa.Column("postal_code", sa.String(20), nullable=True),
        sa.Column("city", sa.String(100), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
    )
    op.create_index(
        "ix_registration_correspondents_registration", "registration_correspondents", ["registration_id"]
    )
    op.create_index(
        "ix_registration_correspondents_contact", "registration_correspondents", ["tenant_id", "contact_id"]
    )
    op.create_table(
        "registration_documents",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column(
            "registration_id", sa.String(36), sa.ForeignKey("registrations.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
    )
    op.create_index("ix_registration_documents_registration", "registration_documents", ["registration_id"])
    op.create_index("ix_registration_documents_document", "registration_documents", ["tenant_id", "document_id"])
    op.create_table(
        "registration_number_sequences",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("last_value", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("registration_number_sequences")
    op.drop_table("registration_documents")
    op.drop_table("registration_correspondents")
    op.drop_table("registrations")
