"""The gateway's web sessions against the real identity service (in process, over WSGI as in
embedded mode), with the session table on SQLite and in its own PostgreSQL schema."""

import threading
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from werkzeug.test import Client

from akta_gateway.bootstrap import bootstrap
from akta_gateway.identity_client import SignInLocked, SignInRejected
from akta_gateway.settings import GatewaySettings
from akta_identity.service_layer import handlers
from tests.support.identity import build_identity

PASSWORD = "a-long-enough-password"


@pytest.fixture
def identity(database_url, tmp_path, tokens):
    service = build_identity(tmp_path, database_url, "memory://", "unused", tokens)
    handlers.create_organisation("skolen", "Skolen", service.unit_of_work())
    handlers.create_user("skolen", "anna", "Anna Caseworker", PASSWORD, ["caseworker"], service.unit_of_work())
    yield service
    service.database.dispose()


@pytest.fixture
def gateway(identity, database_url, tmp_path):
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path / 'gateway.db'}"  # a file per service, as embedded
    settings = GatewaySettings(mode="embedded", data_dir=tmp_path, database_url=database_url)
    identity_http = httpx.Client(transport=httpx.WSGITransport(app=identity.app), base_url="http://identity")
    gateway = bootstrap({"identity": identity.app}, identity_http, settings)
    gateway.migrate()
    yield gateway
    gateway.database.dispose()


def _age_access_token(gateway, session_id: str) -> None:
    """Make the stored access token look spent (identity's clock is the real one)."""
    gateway.sessions.store.change_locked(
        session_id, lambda session: replace(session, access_expires_at=datetime.now(UTC))
    )


def _refresh_at_identity(identity, refresh_token: str) -> int:
    return identity.app.test_client().post("/token/refresh", json={"refresh_token": refresh_token}).status_code


def _me_through_the_gateway(gateway, session_id: str):
    browser = Client(gateway.wsgi_app)
    browser.set_cookie("akta_session", session_id)
    return browser.get("/api/identity/me")


def test_the_session_table_lives_in_the_gateways_own_schema(gateway, database_url):
    assert gateway.database.schema == (None if database_url.startswith("sqlite") else "gateway")
    assert gateway.wsgi_app.app.test_client().get("/readyz").status_code == 200


def test_a_signed_in_browser_reaches_the_api_with_its_cookie(gateway):
    session = gateway.sessions.sign_in("skolen", "anna", PASSWORD)
    response = _me_through_the_gateway(gateway, session.session_id)
    assert response.status_code == 200 and response.json["name"] == "Anna Caseworker"


def test_wrong_password_and_lock_come_from_identity(gateway):
    for _ in range(5):
        with pytest.raises(SignInRejected):
            gateway.sessions.sign_in("skolen", "anna", "wrong")
    with pytest.raises(SignInLocked) as locked:
        gateway.sessions.sign_in("skolen", "anna", PASSWORD)
    assert locked.value.retry_after_seconds > 0


def test_a_refresh_replaces_the_one_use_refresh_token(gateway, identity):
    session = gateway.sessions.sign_in("skolen", "anna", PASSWORD)
    _age_access_token(gateway, session.session_id)
    refreshed = gateway.sessions.current(session.session_id)
    assert refreshed.access_token != session.access_token
    assert refreshed.refresh_token != session.refresh_token
    assert _me_through_the_gateway(gateway, session.session_id).status_code == 200
    assert _refresh_at_identity(identity, session.refresh_token) == 401, "the first one is spent"


def test_concurrent_requests_refresh_once_so_identity_sees_no_reuse(gateway):
    session = gateway.sessions.sign_in("skolen", "anna", PASSWORD)
    _age_access_token(gateway, session.session_id)
    found = []

    def request() -> None:
        found.append(gateway.sessions.current(session.session_id))

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({item.access_token for item in found}) == 1 and None not in found
    # A reused refresh token would have revoked the family: the next refresh would fail.
    _age_access_token(gateway, session.session_id)
    assert gateway.sessions.current(session.session_id) is not None


def test_sign_out_revokes_the_refresh_token_at_identity(gateway, identity):
    session = gateway.sessions.sign_in("skolen", "anna", PASSWORD)
    assert gateway.sessions.sign_out(session.session_id, session.csrf_token)
    assert _refresh_at_identity(identity, session.refresh_token) == 401
    assert _me_through_the_gateway(gateway, session.session_id).status_code == 401
