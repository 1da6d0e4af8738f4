"""Reaching the real services of the machine, with fresh, cleaned-up resources per test."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy
from kombu import Connection
from sqlalchemy.engine import make_url

SHARED_SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "schemas"


@contextlib.contextmanager
def fresh_postgres_database(admin_url: str) -> Iterator[str]:
    """Create `akta_test_<random>`, yield its URL, drop it (even if connections linger)."""
    name = f"akta_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    except sqlalchemy.exc.OperationalError as error:
        raise ConnectionError(str(error).splitlines()[0]) from None
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def rabbitmq_reachable(url: str) -> str | None:
    """None when RabbitMQ answers, else why not."""
    try:
        with Connection(url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
    except Exception as error:  # any failure to connect is a reason to skip, reported as is
        return repr(error)
    return None


def unique_namespace() -> str:
    return f"akta-test-{uuid.uuid4().hex[:10]}"


def delete_bus_namespace(url: str, namespace: str, queues: list[str]) -> None:
    """Remove a test's exchanges and queues from RabbitMQ."""
    with Connection(url) as connection:
        channel = connection.channel()
        for queue in queues:
            channel.queue_delete(queue)
        for exchange in (f"{namespace}.events", f"{namespace}.dead"):
            channel.exchange_delete(exchange)
