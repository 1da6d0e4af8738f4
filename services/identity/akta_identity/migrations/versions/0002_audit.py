"""audit trail: records in a hash chain per tenant, chain heads, append-only triggers

Revision ID: 0002_audit
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from akta.db.types import UtcDateTime

revision = "0002_audit"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = "audit_records is append-only"


def upgrade() -> None:
    op.create_table(
        "audit_records",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("sequence", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("record_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("service", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("entity_type", sa.String(60), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("occurred_at", UtcDateTime, nullable=False),
        sa.Column("client_ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(300), nullable=True),
        sa.Column("correlation_id", sa.String(128), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_records_entity", "audit_records", ["tenant_id", "entity_type", "entity_id"])
    op.create_index("ix_audit_records_actor", "audit_records", ["tenant_id", "actor"])
    op.create_index("ix_audit_records_occurred_at", "audit_records", ["tenant_id", "occurred_at"])
    op.create_table(
        "audit_chain_heads",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("last_sequence", sa.BigInteger, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}: % is not allowed', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records "
            "FOR EACH ROW EXECUTE FUNCTION audit_records_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_records_no_{operation.lower()} BEFORE {operation} ON audit_records "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}: {operation} is not allowed'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_records_no_truncate ON audit_records")
        op.execute("DROP TRIGGER audit_records_append_only ON audit_records")
        op.execute("DROP FUNCTION audit_records_append_only()")
    else:
        op.execute("DROP TRIGGER audit_records_no_update")
        op.execute("DROP TRIGGER audit_records_no_delete")
    op.drop_table("audit_chain_heads")
    op.drop_index("ix_audit_records_occurred_at", "audit_records")
    op.drop_index("ix_audit_records_actor", "audit_records")
    op.drop_index("ix_audit_records_entity", "audit_records")
    op.drop_table("audit_records")
