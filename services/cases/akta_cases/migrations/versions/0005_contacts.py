"""contacts registry (de-duplicated by identifier) and case parties

Revision ID: 0005_contacts
Revises: 0003_case_access
"""
import sqlalchemy as sa
from alembic import op

from akta.db.types import UtcDateTime

revision = "0005_contacts"
down_revision = "0003_case_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("search_name", sa.String(200), nullable=False),
        sa.Column("identifier_scheme", sa.String(30), nullable=True),
        sa.Column("identifier", sa.String(20), nullable=True),
        sa.Column("address_lines", sa.JSON, nullable=False),
        sa.Column("postal_code", sa.String(20), nullable=True),
        sa.Column("city", sa.String(100), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("tenant_id", "identifier_scheme", "identifier", name="uq_contacts_tenant_identifier"),
    )
    op.create_index("ix_contacts_tenant_search_name", "contacts", ["tenant_id", "search_name", "id"])
    op.create_table(
        "case_parties",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("contact_id", sa.String(36), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("tenant_id", "case_id", "contact_id", "role", name="uq_case_parties_case_contact_role"),
    )
    op.create_index("ix_case_parties_tenant_contact", "case_parties", ["tenant_id", "contact_id"])


def downgrade() -> None:
    op.drop_index("ix_case_parties_tenant_contact", "case_parties")
    op.drop_table("case_parties")
    op.drop_index("ix_contacts_tenant_search_name", "contacts")
    op.drop_table("contacts")
