"""The built-in engine's tables, in the schema of the service that searches (docstore).

`search_entries` holds one row per document or case with what filters, sorts and shows a hit; the
words are indexed beside it: on SQLite in the FTS5 table `search_fts` (Snowball stems, its rowid is
the entry's `row_id`), on PostgreSQL in the stored tsvector column `search_vector` with a GIN index.
On SQLite, `search_filters` repeats an entry's short columns (access, filters, facets, sorts) under
the same row id: a word's matches are checked there, a few dozen to a page, where the rows of
`search_entries` with their text take a page each.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Computed,
    Date,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    column,
    table,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

from akta.db.types import BigIntegerKey, UtcDateTime

# On PostgreSQL the words are stemmed with the entry's language; the title (and case number) weigh
# more (A) than the text and the parties' names (B). A tag-like "<b og c>" would be dropped whole by
# PostgreSQL's parser, so "<" and ">" count as spaces.
_VECTOR = """
CASE WHEN language = 'norwegian' THEN
    setweight(to_tsvector('pg_catalog.norwegian'::regconfig, translate(title || ' ' || coalesce(case_number, ''), '<>', '  ')), 'A')
    || setweight(to_tsvector('pg_catalog.norwegian'::regconfig, translate(text, '<>', '  ')), 'B')
    || setweight(to_tsvector('pg_catalog.norwegian'::regconfig, translate(party_names, '<>', '  ')), 'B')
ELSE
    setweight(to_tsvector('pg_catalog.danish'::regconfig, translate(title || ' ' || coalesce(case_number, ''), '<>', '  ')), 'A')
    || setweight(to_tsvector('pg_catalog.danish'::regconfig, translate(text, '<>', '  ')), 'B')
    || setweight(to_tsvector('pg_catalog.danish'::regconfig, translate(party_names, '<>', '  ')), 'B')
END"""

FTS_TABLE = "search_fts"
# Stems only (the originals stay in search_entries for snippets); diacritics are kept, as
# PostgreSQL keeps them: "år" is not "ar".
FTS_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
    "USING fts5(title, body, names, lang, tokenize = 'unicode61 remove_diacritics 0')"
)
search_fts = table(FTS_TABLE, column("rowid"), column("title"), column("body"), column("names"), column("lang"))


def _entry_columns() -> list:
    return [
        Column("row_id", BigIntegerKey, primary_key=True, autoincrement=True),
        Column("tenant_id", String(200), nullable=False),
        Column("kind", String(20), nullable=False),
        Column("id", String(200), nullable=False),
        Column("language", String(20), nullable=False),
        Column("access_group_id", String(200), nullable=True),
        Column("screening_code", String(200), nullable=True),
        Column("case_id", String(200), nullable=True),
        Column("case_number", String(200), nullable=True),
        Column("document_type", String(200), nullable=True),
        Column("category", String(200), nullable=True),
        Column("status", String(200), nullable=True),
        Column("class_code", String(200), nullable=True),
        Column("date", Date, nullable=True),
        Column("updated_at", UtcDateTime, nullable=False),
        # The long columns last: SQLite then reads the short ones without following overflow pages.
        Column("title_sort", String(200), nullable=False),
        Column("title", Text, nullable=False),
        Column("party_names", Text, nullable=False),
        Column("text", Text, nullable=False),
        UniqueConstraint("tenant_id", "kind", "id", name="uq_search_entries_key"),
    ]


# What a text search reads of each match on SQLite (`search_filters`); the rest of an entry is only
# read for the page of hits.
FILTER_COLUMNS = ("tenant_id", "kind", "id", "access_group_id", "screening_code", "case_id", "document_type",
                  "category", "status", "class_code", "date", "title_sort")


def _filter_columns() -> list:
    entry_columns = {column.name: column for column in _entry_columns() if isinstance(column, Column)}
    return [
        Column("row_id", BigIntegerKey, ForeignKey("search_entries.row_id", ondelete="CASCADE"), primary_key=True,
               autoincrement=False),
        *(entry_columns[name] for name in FILTER_COLUMNS),
    ]


def _party_columns() -> list:
    return [
        Column("row_id", BigIntegerKey, ForeignKey("search_entries.row_id", ondelete="CASCADE"), primary_key=True),
        Column("party_id", String(200), primary_key=True),
    ]


def _indexes(entries: Table, parties: Table) -> None:
    Index("ix_search_entries_access", entries.c.tenant_id, entries.c.access_group_id, entries.c.screening_code)
    Index("ix_search_entries_case", entries.c.tenant_id, entries.c.case_id)
    Index("ix_search_entries_date", entries.c.tenant_id, entries.c.date)
    Index("ix_search_entry_parties_party", parties.c.party_id)


sqlite_metadata = MetaData()
sqlite_entries = Table("search_entries", sqlite_metadata, *_entry_columns())
sqlite_parties = Table("search_entry_parties", sqlite_metadata, *_party_columns())
sqlite_filters = Table("search_filters", sqlite_metadata, *_filter_columns())
_indexes(sqlite_entries, sqlite_parties)

postgresql_metadata = MetaData()
postgresql_entries = Table(
    "search_entries",
    postgresql_metadata,
    *_entry_columns(),
    # Stored, not an expression index: ranking reads the vector of every match, and computing it
    # per row took 5.4 s for a common term at 200,000 entries against 370 ms stored.
    Column("search_vector", TSVECTOR, Computed(_VECTOR, persisted=True), nullable=False),
)
postgresql_parties = Table("search_entry_parties", postgresql_metadata, *_party_columns())
_indexes(postgresql_entries, postgresql_parties)
Index("ix_search_entries_vector", postgresql_entries.c.search_vector, postgresql_using="gin")
# Ranking reads the vector of every readable match. Left to PostgreSQL's defaults, a row over 2 KB
# moves its vector out to the TOAST table (some five more page reads per match); kept in the row,
# the text moved out instead, a ranked search of a common word took 53 instead of 76 ms (median,
# 5,800 ranked rows among 100,000 entries; see bench/search_latency.py). Long texts' vectors still
# move out.
POSTGRESQL_STORAGE = (
    "ALTER TABLE search_entries SET (toast_tuple_target = 4080)",
    "ALTER TABLE search_entries ALTER COLUMN search_vector SET STORAGE MAIN",
)
