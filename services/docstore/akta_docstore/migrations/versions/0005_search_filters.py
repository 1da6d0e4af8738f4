"""SQLite: `search_filters`, the short columns of each search entry under its row id, filled from
`search_entries` (a text search filters, counts and sorts its matches there); see akta.search.tables.
Nothing on PostgreSQL.

Revision ID: 0005_search_filters
Revises: 0004_documents
"""
from alembic import op
from sqlalchemy import insert, select

from akta.search.tables import FILTER_COLUMNS, sqlite_entries, sqlite_filters

revision = "0005_search_filters"
down_revision = "0004_documents"
branch_labels = None
depends_on = None

_COPIED = ("row_id", *FILTER_COLUMNS)


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    # An installation made since has the table from 0003 (`create_schema`), filled as it indexed.
    sqlite_filters.create(connection, checkfirst=True)
    connection.execute(
        insert(sqlite_filters).prefix_with("OR REPLACE")
        .from_select(_COPIED, select(*(sqlite_entries.c[name] for name in _COPIED)))
    )


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        sqlite_filters.drop(connection, checkfirst=True)
