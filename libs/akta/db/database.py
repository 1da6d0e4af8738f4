"""One engine per service: PostgreSQL with the service's own schema, or a SQLite file."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

READ_ONLY = "akta_read_only"
# A pooled connection idle for longer than this is pinged before it is handed out. One used
# moments ago is trusted: pinging on every checkout cost a round trip per session (seven per
# upload). A server restarted within this window fails one statement; the pool then replaces
# all its connections (SQLAlchemy invalidates the pool on a disconnect) and callers retry.
PING_AFTER_IDLE_SECONDS = 5.0


class Database:
    """A service's database: its engine, its schema and a session factory."""

    def __init__(self, url: str, schema: str | None = None, pool_size: int = 5) -> None:
        self.url = make_url(url)
        self.schema = schema if self.url.get_backend_name() == "postgresql" else None
        self.engine = self._create_engine(pool_size)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_postgresql(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    def session(self) -> Session:
        """A session for a unit of work: it may read, then write."""
        return self._sessions()

    def read_session(self) -> Session:
        """A session that only reads (views, access checks). On SQLite it does not queue for
        the write lock, so readers never wait for each other."""
        return self._read_sessions()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()

    def _create_engine(self, pool_size: int) -> Engine:
        if self.is_sqlite:
            return _sqlite_engine(self.url)
        # psycopg prepares a statement after its fifth run, and PostgreSQL may then keep one generic
        # plan for it; planned while a table was new and empty, that is a sequential scan (an inbox
        # check over an IN list went from 1 to 30 ms per batch as the table grew, the worker from
        # 1,400 to 550 events/s). Custom plans, made with each run's parameters, avoid that.
        connect_args = {"options": "-cplan_cache_mode=force_custom_plan"}
        if self.schema:
            connect_args["options"] += f" -csearch_path={self.schema}"
        engine = create_engine(
            self.url,
            connect_args=connect_args,
            pool_size=pool_size,
            max_overflow=pool_size * 2,
        )
        _ping_connections_after_idling(engine)
        return engine


def _ping_connections_after_idling(engine: Engine) -> None:
    """SQLAlchemy's `pool_pre_ping`, but only for connections that sat in the pool a while."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and hands out a fresh one.
            raise exc.DisconnectionError(f"a pooled connection failed its ping: {error}") from error


def _sqlite_engine(url) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    # The pysqlite driver's own transaction handling starts transactions late and deferred, so
    # two threads that read then write deadlock on the upgrade to a write lock. SQLAlchemy's
    # documented recipe: let the driver do nothing and begin IMMEDIATE ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        reads_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")

    return engine
