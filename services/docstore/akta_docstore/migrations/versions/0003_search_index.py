"""the built-in search engine's tables: entries, their parties, and the words (an FTS5 table of
stems on SQLite, a stored tsvector with a GIN index on PostgreSQL); see akta.search.tables

Revision ID: 0003_search_index
Revises: 0002_access_replica
"""
from alembic import op

from akta.search.builtin import create_schema, drop_schema

revision = "0003_search_index"
down_revision = "0002_access_replica"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_schema(op.get_bind())


def downgrade() -> None:
    drop_schema(op.get_bind())
