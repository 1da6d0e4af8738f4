"""A browser's way in, the same in both modes: the sign-in form, the session cookie, and the
CSRF token the signed-in page carries for the API calls that change something."""

from __future__ import annotations

import re

import httpx


def form_csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def page_csrf_token(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)


def submit_sign_in(browser: httpx.Client, organisation: str, username: str, password: str) -> httpx.Response:
    form = browser.get("/login")
    assert form.status_code == 200, form.text
    return browser.post("/login", data={
        "csrf_token": form_csrf_token(form.text),
        "organisation": organisation,
        "username": username,
        "password": password,
    })


def browser_sign_in(base_url: str, organisation: str, username: str, password: str) -> tuple[httpx.Client, str]:
    """A cookie-holding client signed in through the form, and the page's CSRF token."""
    browser = httpx.Client(base_url=base_url)
    response = submit_sign_in(browser, organisation, username, password)
    assert response.status_code == 303, response.text
    return browser, page_csrf_token(browser.get("/").text)
