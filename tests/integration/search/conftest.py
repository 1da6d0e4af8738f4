"""The search engines the contract suite runs against: the built-in engine on a SQLite file and on
PostgreSQL (a fresh database per test module, the tables in a `docstore` schema as the service has
them), and OpenSearch when AKTA_TEST_OPENSEARCH_URL is set, e.g. `http://127.0.0.1:9200` (an index
prefix of its own per test module, removed afterwards). Every test writes under tenants of its own,
so tests sharing an engine do not see each other."""

from __future__ import annotations

import os
import uuid

import pytest

from akta.db.database import Database
from akta.search.builtin import BuiltinSearchEngine, create_schema
from tests.conftest import POSTGRES_ADMIN_URL, unavailable
from tests.support.environment import fresh_postgres_database

OPENSEARCH_URL = os.environ.get("AKTA_TEST_OPENSEARCH_URL")


def builtin_engine(url: str) -> BuiltinSearchEngine:
    database = Database(url, schema="docstore")
    with database.engine.begin() as connection:
        if database.is_postgresql:
            connection.exec_driver_sql('CREATE SCHEMA IF NOT EXISTS "docstore"')
        create_schema(connection)
    return BuiltinSearchEngine(database)


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "opensearch"])
def engine(request, tmp_path_factory):
    if request.param == "sqlite":
        search = builtin_engine(f"sqlite:///{tmp_path_factory.mktemp('search') / 'docstore.db'}")
        yield search
        search.database.dispose()
    elif request.param == "postgresql":
        try:
            with fresh_postgres_database(POSTGRES_ADMIN_URL) as url:
                search = builtin_engine(url)
                yield search
                search.database.dispose()
        except ConnectionError as error:
            unavailable(f"PostgreSQL is not reachable: {error}")
    else:
        if not OPENSEARCH_URL:
            pytest.skip("AKTA_TEST_OPENSEARCH_URL is not set: no OpenSearch to run the contract against")
        from opensearchpy import OpenSearch

        from akta.search.opensearch import OpenSearchEngine

        client = OpenSearch(OPENSEARCH_URL, timeout=30)
        search = OpenSearchEngine(client, index_prefix=f"akta-test-{uuid.uuid4().hex[:10]}", refresh="wait_for")
        yield search
        client.indices.delete(index=search.index_name, ignore=404)
        client.indices.delete_index_template(name=search.index_name, ignore=404)
        client.close()


@pytest.fixture
def tenant() -> str:
    return f"tenant-{uuid.uuid4().hex[:12]}"
