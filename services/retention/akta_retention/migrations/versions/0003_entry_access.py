"""retention entries carry their item's access group, screening code and version

Revision ID: 0003_entry_access
Revises: 0002_access_replica
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_entry_access"
down_revision = "0002_access_replica"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("retention_entries") as entries:
        entries.add_column(sa.Column("access_group_id", sa.String(36), nullable=True))
        entries.add_column(sa.Column("screening_code", sa.String(40), nullable=True))
        entries.add_column(sa.Column("item_version", sa.Integer, nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("retention_entries") as entries:
        entries.drop_column("item_version")
        entries.drop_column("screening_code")
        entries.drop_column("access_group_id")
