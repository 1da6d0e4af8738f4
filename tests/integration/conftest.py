import pytest

from tests.support.stack import Stack

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The same tests on both engines: embedded SQLite and real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(params=["memory", "rabbitmq"])
def stack(request, tmp_path, bus_namespace, tokens):
    """Every service composed in this process, on both pairs: SQLite with the in-process bus, and
    PostgreSQL with RabbitMQ. A module may define its own `stack` instead."""
    if request.param == "memory":
        database_url, bus_url = None, "memory://"
    else:
        database_url = request.getfixturevalue("postgres_url")
        bus_url = request.getfixturevalue("rabbitmq_url")
    built = Stack.build(tmp_path, database_url, bus_url, bus_namespace, tokens)
    yield built
    built.shutdown()
