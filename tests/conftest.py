"""Fixtures shared by every layer of tests.

Integration and end-to-end tests use the real PostgreSQL and RabbitMQ of this machine. When
one cannot be reached they skip with the reason, unless AKTA_REQUIRE_SERVICES=1 (set by CI),
which turns the skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from tests.support.environment import (
    SHARED_SCHEMAS,
    fresh_postgres_database,
    rabbitmq_reachable,
    unique_namespace,
)
from tests.support.tokens import TestTokens

REQUIRE_SERVICES = os.environ.get("AKTA_REQUIRE_SERVICES") == "1"
POSTGRES_ADMIN_URL = os.environ.get(
    "AKTA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
RABBITMQ_URL = os.environ.get("AKTA_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def unavailable(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (AKTA_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(reason)


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    try:
        with fresh_postgres_database(POSTGRES_ADMIN_URL) as url:
            yield url
    except ConnectionError as error:
        unavailable(f"PostgreSQL is not reachable: {error}")


@pytest.fixture
def rabbitmq_url() -> str:
    reason = rabbitmq_reachable(RABBITMQ_URL)
    if reason:
        unavailable(f"RabbitMQ is not reachable: {reason}")
    return RABBITMQ_URL


@pytest.fixture
def bus_namespace() -> str:
    return unique_namespace()


@pytest.fixture
def tokens(tmp_path: Path) -> TestTokens:
    return TestTokens.create(tmp_path / "keys")


@pytest.fixture
def tenant_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def shared_schemas() -> Path:
    if not SHARED_SCHEMAS.exists():
        unavailable(f"{SHARED_SCHEMAS} is absent")
    return SHARED_SCHEMAS
