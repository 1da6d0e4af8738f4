"""retention entries, outbox and inbox

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from akta.bus.tables import create_bus_tables
from akta.db.types import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_entries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("item_kind", sa.String(40), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("item_reference", sa.String(100), nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("tenant_id", "item_kind", "item_id", name="uq_retention_entries_item"),
    )
    create_bus_tables(op)


def downgrade() -> None:
    op.drop_table("inbox")
    op.drop_table("outbox")
    op.drop_table("retention_entries")
