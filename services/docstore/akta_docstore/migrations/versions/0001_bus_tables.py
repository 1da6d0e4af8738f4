"""outbox and inbox

Revision ID: 0001
Revises:
"""
from alembic import op

from akta.bus.tables import create_bus_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_bus_tables(op)


def downgrade() -> None:
    op.drop_table("inbox")
    op.drop_table("outbox")
