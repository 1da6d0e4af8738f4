"""saved searches over cases and who they are shared with

Revision ID: 0008_saved_searches
Revises: 0007_idempotency
"""
import sqlalchemy as sa
from alembic import op

from akta.db.types import UtcDateTime

revision = "0008_saved_searches"
down_revision = "0007_idempotency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("criteria", sa.JSON, nullable=False),
        sa.Column("sharing", sa.String(20), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("tenant_id", "owner", "name", name="uq_saved_searches_owner_name"),
    )
    op.create_index("ix_saved_searches_tenant_sharing", "saved_searches", ["tenant_id", "sharing"])
    op.create_table(
        "saved_search_shares",
        sa.Column(
            "saved_search_id", sa.String(36), sa.ForeignKey("saved_searches.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("grantee_kind", sa.String(20), primary_key=True),
        sa.Column("grantee_id", sa.String(64), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
    )
    op.create_index(
        "ix_saved_search_shares_grantee", "saved_search_shares", ["tenant_id", "grantee_kind", "grantee_id"]
    )


def downgrade() -> None:
    op.drop_table("saved_search_shares")
    op.drop_table("saved_searches")
