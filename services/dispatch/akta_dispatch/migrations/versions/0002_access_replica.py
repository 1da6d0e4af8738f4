"""the local copy of identity's access state (grants, group members, API keys, deactivations)

Revision ID: 0002_access_replica
Revises: 0001
"""
from alembic import op

from akta.access.tables import create_access_tables

revision = "0002_access_replica"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_access_tables(op)


def downgrade() -> None:
    for table in ("access_tenants", "access_deactivated_subjects", "access_api_keys", "access_group_members", "access_grants"):
        op.drop_table(table)
