"""cases carry an access group and a screening code

Revision ID: 0003_case_access
Revises: 0002_access_replica
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_case_access"
down_revision = "0002_access_replica"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as cases:
        cases.add_column(sa.Column("access_group_id", sa.String(36), nullable=True))
        cases.add_column(sa.Column("screening_code", sa.String(40), nullable=True))
    op.create_index(
        "ix_cases_tenant_access_group", "cases", ["tenant_id", "access_group_id", sa.text("updated_at DESC")]
    )


def downgrade() -> None:
    op.drop_index("ix_cases_tenant_access_group", "cases")
    with op.batch_alter_table("cases") as cases:
        cases.drop_column("screening_code")
        cases.drop_column("access_group_id")
