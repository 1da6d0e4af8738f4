"""Pooled PostgreSQL connections cut by the server: replaced after idling, and at worst one
failed statement when cut moments after use."""

import pytest
from sqlalchemy import exc, text

from akta.db import database as database_module
from akta.db.database import Database
from akta.db.errors import is_database_unavailable


@pytest.fixture
def database(postgres_url):
    built = Database(postgres_url, pool_size=1)
    yield built
    built.dispose()


def _backend_pid(database: Database) -> int:
    with database.session() as session:
        return session.execute(text("SELECT pg_backend_pid()")).scalar()


def _terminate(database: Database, pid: int) -> None:
    other = Database(database.url.render_as_string(hide_password=False), pool_size=1)
    try:
        with other.engine.begin() as connection:
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    finally:
        other.dispose()


def test_a_connection_cut_while_idling_in_the_pool_is_replaced_unnoticed(database, monkeypatch):
    monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    cut = _backend_pid(database)
    _terminate(database, cut)
    assert _backend_pid(database) != cut


def test_a_connection_used_moments_ago_is_not_pinged_and_a_cut_costs_one_statement(database, monkeypatch):
    monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    cut = _backend_pid(database)
    _terminate(database, cut)
    with pytest.raises(exc.DBAPIError) as raised, database.session() as session:
        session.execute(text("SELECT 1"))
    assert is_database_unavailable(raised.value), "callers treat it as an outage and retry"
    assert _backend_pid(database) != cut, "the pool replaced the cut connection"
