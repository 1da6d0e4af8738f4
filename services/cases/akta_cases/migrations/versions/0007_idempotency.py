"""idempotency keys of POST requests from partner systems

Revision ID: 0007_idempotency
Revises: 0003_case_access
"""
from alembic import op

from akta.db.idempotency_keys import create_idempotency_table

revision = "0007_idempotency"
down_revision = "0003_case_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table(op)


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created", "idempotency_keys")
    op.drop_table("idempotency_keys")
