"""web sessions: the gateway's only table

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from akta.db.types import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("organisation", sa.String(63), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("sealed_tokens", sa.Text, nullable=False),
        sa.Column("access_expires_at", UtcDateTime, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("last_seen_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_web_sessions_created_at", "web_sessions", ["created_at"])
    op.create_index("ix_web_sessions_last_seen_at", "web_sessions", ["last_seen_at"])


def downgrade() -> None:
    op.drop_table("web_sessions")
