"""The middleware around /api/<service>: a session cookie becomes the session's bearer token;
changes it authenticates need the session's CSRF token; the services never see the cookie."""

import pytest
from werkzeug.test import Client

from tests.unit.gateway.fake_identity import ORGANISATION, PASSWORD, USERNAME


@pytest.fixture
def signed_in(sessions):
    return sessions.sign_in(ORGANISATION, USERNAME, PASSWORD)


@pytest.fixture
def browser(gateway, signed_in):
    client = Client(gateway.wsgi_app)
    client.set_cookie("akta_session", signed_in.session_id)
    return client


def test_without_a_cookie_a_request_passes_untouched(gateway):
    client = Client(gateway.wsgi_app)
    client.set_cookie("theme", "dark")
    seen = client.get("/api/cases/cases").json
    assert seen == {"method": "GET", "path": "/cases", "authorization": None, "cookie": "theme=dark"}


def test_the_session_cookie_becomes_the_bearer_token_and_stays_in_the_gateway(browser):
    browser.set_cookie("theme", "dark")
    browser.set_cookie("akta_login_csrf", "x", path="/")
    seen = browser.get("/api/cases/cases").json
    assert seen["authorization"] == "Bearer at-1"
    assert seen["cookie"] == "theme=dark"


def test_an_authorization_header_of_the_caller_wins_and_needs_no_csrf_token(browser):
    seen = browser.post("/api/cases/cases", json={}, headers={"Authorization": "Bearer mine"}).json
    assert seen["authorization"] == "Bearer mine" and seen["cookie"] is None


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_change_by_cookie_needs_the_csrf_header(browser, signed_in, method):
    missing = browser.open("/api/cases/cases", method=method, json={})
    assert missing.status_code == 403
    assert missing.content_type == "application/problem+json"
    assert "X-CSRF-Token" in missing.json["detail"]
    wrong = browser.open("/api/cases/cases", method=method, json={}, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    right = browser.open("/api/cases/cases", method=method, json={}, headers={"X-CSRF-Token": signed_in.csrf_token})
    assert right.status_code == 200 and right.json["authorization"] == "Bearer at-1"


def test_reads_by_cookie_need_no_csrf_token(browser):
    for method in ("GET", "HEAD", "OPTIONS"):
        assert browser.open("/api/cases/cases", method=method).status_code == 200


def test_an_unknown_or_ended_session_reaches_the_service_without_credentials(gateway, browser, signed_in):
    gateway.sessions.sign_out(signed_in.session_id, signed_in.csrf_token)
    seen = browser.post("/api/cases/cases", json={}).json
    assert seen["authorization"] is None and seen["cookie"] is None


def test_the_token_is_refreshed_on_the_way_to_the_service(browser, clock):
    clock.advance(minutes=14, seconds=30)
    assert browser.get("/api/cases/cases").json["authorization"] == "Bearer at-2"
    assert browser.get("/api/identity/me").json["authorization"] == "Bearer at-2"


def test_identity_out_of_reach_for_a_refresh_is_a_503_problem(browser, clock, identity):
    clock.advance(minutes=15)
    identity.unavailable = True
    response = browser.get("/api/cases/cases")
    assert response.status_code == 503 and response.content_type == "application/problem+json"
