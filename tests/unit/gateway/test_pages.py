"""The sign-in and sign-out pages and the signed-in front page, in Danish, bokmål and English."""

import re

import pytest
from werkzeug.test import Client

from akta_gateway.i18n import MESSAGES
from tests.unit.gateway.fake_identity import ORGANISATION, PASSWORD, USERNAME


@pytest.fixture
def browser(gateway):
    return Client(gateway.wsgi_app)


def _csrf_token(html: str, name: str = "csrf_token") -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def _submit(browser, password=PASSWORD, url="/login", **fields):
    token = _csrf_token(browser.get(url).text)
    form = {"csrf_token": token, "organisation": ORGANISATION, "username": USERNAME, "password": password, **fields}
    return browser.post(url, data=form)


def _set_cookie(response, name: str) -> str | None:
    return next((value for value in response.headers.getlist("Set-Cookie") if value.startswith(f"{name}=")), None)


@pytest.mark.parametrize(
    ("url", "accept_language", "language"),
    [
        ("/login", None, "da"),
        ("/login?lang=en", None, "en"),
        ("/login?lang=nb", "da", "nb"),
        ("/login", "nb-NO,nb;q=0.9,en;q=0.5", "nb"),
        ("/login", "en-GB,en;q=0.8", "en"),
        ("/login?lang=fr", "de-DE", "da"),
    ],
)
def test_the_sign_in_form_speaks_the_chosen_language(browser, url, accept_language, language):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    page = browser.get(url, headers=headers)
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    texts = MESSAGES[language]
    for label in (texts["sign_in"], texts["organisation"], texts["username"], texts["password"]):
        assert label in page.text
    assert 'type="password"' in page.text
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["Cache-Control"] == "no-store"


def test_a_form_without_its_csrf_token_is_refused(browser, gateway):
    browser.get("/login")
    form = {"organisation": ORGANISATION, "username": USERNAME, "password": PASSWORD}
    assert browser.post("/login", data=form).status_code == 400
    assert browser.post("/login", data={**form, "csrf_token": "forged"}).status_code == 400
    assert _set_cookie(browser.post("/login", data={**form, "csrf_token": "forged"}), "akta_session") is None
    fresh = Client(gateway.wsgi_app)
    assert fresh.post("/login", data={**form, "csrf_token": "forged"}).status_code == 400, "no cookie to compare"


def test_wrong_credentials_get_one_message_and_no_session(browser, identity):
    for fields in ({"password": "wrong"}, {"username": "nobody"}, {"organisation": "elsewhere"}):
        page = _submit(browser, **{"password": PASSWORD, **fields})
        assert page.status_code == 401
        assert MESSAGES["da"]["wrong_credentials"] in page.text
        assert _set_cookie(page, "akta_session") is None
        assert "wrong organisation" not in page.text, "identity's own wording stays inside"


def test_the_entered_names_are_kept_but_never_the_password(browser):
    page = _submit(browser, password="my-secret-guess", username="demo")
    assert 'value="demo-skole"' in page.text and 'value="demo"' in page.text
    assert "my-secret-guess" not in page.text


def test_a_locked_name_is_told_when_to_try_again(browser, identity):
    identity.locked_for_seconds = 290
    page = _submit(browser, url="/login?lang=en")
    assert page.status_code == 429 and page.headers["Retry-After"] == "290"
    assert "Too many attempts. Try again in 5 minutes." in page.text
    identity.locked_for_seconds = 30
    assert "Prøv igen om 1 minut." in _submit(browser).text


def test_identity_out_of_reach_is_said_plainly(browser, identity):
    identity.unavailable = True
    page = _submit(browser, url="/login?lang=nb")
    assert page.status_code == 503 and MESSAGES["nb"]["unavailable"] in page.text


def test_signing_in_sets_an_http_only_same_site_cookie_and_goes_to_the_front_page(browser):
    response = _submit(browser, url="/login?lang=en")
    assert response.status_code == 303 and response.headers["Location"] == "/?lang=en"
    cookie = _set_cookie(response, "akta_session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie, "plain http without the setting"
    assert "at-1" not in cookie and "rt-1" not in cookie
    assert _set_cookie(response, "akta_login_csrf").startswith("akta_login_csrf=;")


def test_the_cookie_is_secure_over_https_or_when_the_setting_says_so(gateway, settings):
    https = Client(gateway.wsgi_app)
    token = _csrf_token(https.get("/login", base_url="https://akta.example").text)
    form = {"csrf_token": token, "organisation": ORGANISATION, "username": USERNAME, "password": PASSWORD}
    response = https.post("/login", data=form, base_url="https://akta.example")
    assert "Secure" in _set_cookie(response, "akta_session")

    settings.session_cookie_secure = True
    assert "Secure" in _set_cookie(_submit(Client(gateway.wsgi_app)), "akta_session")


def test_the_signed_in_front_page_shows_who_you_are_and_the_csrf_token(browser, gateway):
    _submit(browser)
    page = browser.get("/")
    assert "Du er logget ind som Demo Sagsbehandler." in page.text
    assert "demo-skole" in page.text and "/api/cases/openapi.json" in page.text
    session = gateway.sessions.current(browser.get_cookie("akta_session").value)
    assert f'<meta name="csrf-token" content="{session.csrf_token}">' in page.text
    assert browser.get("/login").status_code == 303, "already signed in"


def test_the_anonymous_front_page_links_to_sign_in_and_drops_a_stale_cookie(browser):
    browser.set_cookie("akta_session", "ended")
    page = browser.get("/?lang=en")
    assert 'href="/login?lang=en"' in page.text and "Sign in" in page.text
    assert _set_cookie(page, "akta_session").startswith("akta_session=;")


def test_signing_out_revokes_at_identity_and_ends_the_cookie(browser, identity):
    _submit(browser)
    token = _csrf_token(browser.get("/").text)
    response = browser.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/login?signed_out=1"
    assert _set_cookie(response, "akta_session").startswith("akta_session=;")
    assert identity.live_refresh_tokens() == []
    assert MESSAGES["da"]["signed_out"] in browser.get("/login?signed_out=1").text


def test_a_forged_sign_out_is_refused(browser, identity):
    _submit(browser)
    assert browser.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert identity.live_refresh_tokens() == ["rt-1"]
    assert "Demo Sagsbehandler" in browser.get("/").text


def test_identity_out_of_reach_for_a_refresh_keeps_the_session_cookie(browser, identity, clock):
    _submit(browser)
    clock.advance(minutes=15)
    identity.unavailable = True
    page = browser.get("/")
    assert page.status_code == 503 and _set_cookie(page, "akta_session") is None
    identity.unavailable = False
    assert "Demo Sagsbehandler" in browser.get("/").text
