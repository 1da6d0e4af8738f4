"""What only the built-in engine promises, on SQLite and PostgreSQL: its tables come with the
docstore's migrations (an index made before a migration is searched the same after it), and its
writes join the caller's transaction."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import insert, inspect

import akta_docstore
from akta.access.scope import AccessScope
from akta.bus.tables import inbox_table
from akta.db.database import Database
from akta.db.migrations import upgrade
from akta.search.builtin import BuiltinSearchEngine
from akta.search.interface import IndexEntry, SearchQuery, SearchUnavailable
from tests.conftest import POSTGRES_ADMIN_URL
from tests.support.environment import fresh_postgres_database

pytestmark = pytest.mark.integration

MIGRATIONS_DIR = Path(akta_docstore.__file__).parent / "migrations"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SCOPE = AccessScope(tenant_id="t1", read_groups=frozenset({"g1"}))


def _entry(entry_id: str, text: str) -> IndexEntry:
    return IndexEntry(tenant_id="t1", kind="document", id=entry_id, title="Sag", text=text, access_group_id="g1",
                      updated_at=NOW)


def _found(engine: BuiltinSearchEngine, text: str) -> list[str]:
    return [hit.id for hit in engine.search(SCOPE, SearchQuery(text=text)).hits]


@pytest.fixture
def database(database_url):
    database = Database(database_url, schema="docstore")
    upgrade(database, MIGRATIONS_DIR, "0003_search_index")
    yield database
    database.dispose()


def _downgrade(database: Database, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["schema"] = database.schema
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_the_docstore_migration_creates_and_drops_the_search_tables(database):
    engine = BuiltinSearchEngine(database)
    engine.check()
    engine.index([_entry("d1", "migreret")])
    assert _found(engine, "migreret") == ["d1"]

    _downgrade(database, "0002_access_replica")
    with pytest.raises(SearchUnavailable):
        engine.check()

    upgrade(database, MIGRATIONS_DIR, "0003_search_index")
    engine.check()
    assert _found(engine, "migreret") == []


def _search_schema(database: Database) -> dict:
    """Per search table: its columns, primary key, foreign keys and indexes."""
    with database.engine.connect() as connection:
        found = inspect(connection)
        return {
            table: (
                [(column["name"], str(column["type"]), column["nullable"]) for column in found.get_columns(table)],
                found.get_pk_constraint(table)["constrained_columns"],
                sorted((key["constrained_columns"], key["referred_table"], key["referred_columns"])
                       for key in found.get_foreign_keys(table)),
                sorted((index["name"], index["column_names"], index["unique"]) for index in found.get_indexes(table)),
            )
            for table in found.get_table_names() if table.startswith("search")
        }


@contextmanager
def _fresh_database(database: Database, tmp_path: Path):
    if database.is_sqlite:
        fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield fresh
        fresh.dispose()
    else:
        with fresh_postgres_database(POSTGRES_ADMIN_URL) as url:
            fresh = Database(url, schema="docstore")
            yield fresh
            fresh.dispose()


def _answers(engine: BuiltinSearchEngine) -> list:
    """What a few searches answer: hits in order, total and facets."""
    scopes = [
        AccessScope(tenant_id="t1", read_groups=frozenset({"g1"})),
        AccessScope(tenant_id="t1", read_groups=frozenset({"g1", "g2"}), read_codes=frozenset({"pupil"})),
        AccessScope(tenant_id="t1", read_cases=frozenset({"c2"})),
    ]
    queries = [
        SearchQuery(text="ansøgning"),
        SearchQuery(text="ansøgning", sort="title", facets=("kind", "document_type", "category", "status", "class_code")),
        SearchQuery(text="ansøgning", document_types=("letter",), date_from=date(2025, 1, 2)),
        SearchQuery(text="ansøgning", sort="date_asc", case_id="c2"),
    ]
    answers = []
    for scope in scopes:
        for query in queries:
            results = engine.search(scope, query)
            answers.append(([(hit.id, hit.title, hit.snippet) for hit in results.hits], results.total, results.facets))
    return answers


def test_an_index_made_before_search_filters_is_searched_the_same_after_the_migration(database_url, tmp_path):
    """0005 fills SQLite's `search_filters` from the entries; PostgreSQL is left as it was. Upgraded
    and new installations end with the same tables."""
    database = Database(database_url, schema="docstore")
    upgrade(database, MIGRATIONS_DIR, "0004_documents")
    engine = BuiltinSearchEngine(database)
    engine.index([
        IndexEntry(tenant_id="t1", kind="document", id=f"d{number}", title=f"Ansøgning {number}",
                   text="ansøgning om orlov " * (number % 4 + 1), access_group_id=("g1", "g2", "g3")[number % 3],
                   screening_code="pupil" if number % 5 == 0 else None, case_id=f"c{number % 3}",
                   document_type=("letter", "decision")[number % 2], category=("in", "out")[number % 2],
                   status="final", class_code=f"17.0{number % 3}", date=date(2025, 1, number + 1), updated_at=NOW)
        for number in range(12)
    ] + [IndexEntry(tenant_id="t2", kind="case", id="c2", title="Ansøgning", access_group_id="g1", updated_at=NOW)])
    expected = _answers(engine)
    assert sorted(hit_id for hit_id, _, _ in expected[0][0]) == ["d3", "d6", "d9"]  # group g1, not screened
    assert sorted(hit_id for hit_id, _, _ in expected[8][0]) == ["d11", "d2", "d8"]  # case c2, not screened
    if database.is_sqlite:
        with database.engine.begin() as connection:
            # As migration 0003 made the search tables before search_filters existed.
            connection.exec_driver_sql("DROP TABLE search_filters")

    upgrade(database, MIGRATIONS_DIR, "0005_search_filters")
    assert _answers(engine) == expected
    with _fresh_database(database, tmp_path) as fresh:
        upgrade(fresh, MIGRATIONS_DIR, "0005_search_filters")
        assert _search_schema(database) == _search_schema(fresh)

    _downgrade(database, "0004_documents")
    assert "search_filters" not in _search_schema(database)
    upgrade(database, MIGRATIONS_DIR, "0005_search_filters")
    assert _answers(engine) == expected
    database.dispose()


def test_writes_with_a_session_commit_and_roll_back_with_the_callers_work(database):
    engine = BuiltinSearchEngine(database)
    engine.index([_entry("kept", "beholdes")])

    with database.session() as session:
        session.execute(insert(inbox_table).values(
            consumer="docstore.indexer", event_id="e1", tenant_id="t1", event_type="x", processed_at=NOW))
        engine.index([_entry("lost", "rulles tilbage")], session=session)
        engine.delete("t1", "document", ["kept"], session=session)
        session.rollback()
    assert _found(engine, "tilbage") == []
    assert _found(engine, "beholdes") == ["kept"]

    with database.session() as session:
        session.execute(insert(inbox_table).values(
            consumer="docstore.indexer", event_id="e2", tenant_id="t1", event_type="x", processed_at=NOW))
        engine.index([_entry("new", "gemmes sammen")], session=session)
        engine.delete("t1", "document", ["kept"], session=session)
        session.commit()
    assert _found(engine, "gemmes") == ["new"]
    assert _found(engine, "beholdes") == []


def test_a_search_does_not_wait_for_a_writer(database):
    """A unit of work holding the write lock (SQLite) or uncommitted rows (PostgreSQL) while
    searches go on: they answer at once, from what is committed."""
    engine = BuiltinSearchEngine(database)
    engine.index([_entry("old", "synlig")])
    with database.session() as session:
        engine.index([_entry("pending", "synlig ventende")], session=session)
        answers: list[list[str]] = []
        started = time.perf_counter()
        reader = threading.Thread(target=lambda: answers.append(_found(engine, "synlig")))
        reader.start()
        reader.join(timeout=10)
        assert answers == [["old"]]
        assert time.perf_counter() - started < 5
        session.commit()
    assert sorted(_found(engine, "synlig")) == ["old", "pending"]
