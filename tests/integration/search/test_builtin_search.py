"""What only the built-in engine promises, on SQLite and PostgreSQL: its tables come with the
docstore's migration, and its writes join the caller's transaction."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import insert

import akta_docstore
from akta.access.scope import AccessScope
from akta.bus.tables import inbox_table
from akta.db.database import Database
from akta.db.migrations import upgrade
from akta.search.builtin import BuiltinSearchEngine
from akta.search.interface import IndexEntry, SearchQuery, SearchUnavailable

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
