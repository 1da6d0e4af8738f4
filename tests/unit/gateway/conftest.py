import json

import pytest

from akta_gateway.bootstrap import bootstrap
from akta_gateway.settings import GatewaySettings
from tests.unit.gateway.fake_identity import Clock, FakeIdentity


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def identity(clock) -> FakeIdentity:
    return FakeIdentity(clock)


def echo(environ, start_response):
    """A service that answers with what reached it."""
    seen = {
        "method": environ["REQUEST_METHOD"],
        "path": environ.get("PATH_INFO"),
        "authorization": environ.get("HTTP_AUTHORIZATION"),
        "cookie": environ.get("HTTP_COOKIE"),
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]


@pytest.fixture
def settings(tmp_path) -> GatewaySettings:
    return GatewaySettings(mode="embedded", data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'gateway.db'}")


@pytest.fixture
def gateway(settings, identity, clock):
    """The gateway as both modes build it, with echo services and the fake identity."""
    gateway = bootstrap({"cases": echo, "identity": echo}, identity.http(), settings)
    gateway.migrate()
    gateway.sessions.clock = clock
    yield gateway
    gateway.database.dispose()


@pytest.fixture
def sessions(gateway):
    return gateway.sessions
