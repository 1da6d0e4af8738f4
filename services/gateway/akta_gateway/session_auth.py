"""WSGI middleware around every /api/<service> mount: a browser's session cookie becomes the
session's bearer token, in embedded mode (in-process apps) and real mode (the proxy) alike."""

from __future__ import annotations

import hmac
import json

from werkzeug.http import parse_cookie
from werkzeug.wrappers import Response

from akta.web.problems import PROBLEM_JSON
from akta_gateway.identity_client import IdentityUnavailable
from akta_gateway.sessions import Sessions

SESSION_COOKIE = "akta_session"
LOGIN_CSRF_COOKIE = "akta_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
_GATEWAY_COOKIES = {SESSION_COOKIE, LOGIN_CSRF_COOKIE}


class SessionAuth:
    def __init__(self, app, sessions: Sessions) -> None:
        self.app = app
        self.sessions = sessions

    def __call__(self, environ, start_response):
        session_id = parse_cookie(environ.get("HTTP_COOKIE", "")).get(SESSION_COOKIE)
        if session_id is None:
            return self.app(environ, start_response)
        # The services never see the session id: it is the gateway's alone.
        environ = _without_gateway_cookies(environ)
        if environ.get("HTTP_AUTHORIZATION"):
            return self.app(environ, start_response)
        try:
            session = self.sessions.current(session_id)
        except IdentityUnavailable:
            return _problem(503, "Service Unavailable", "the session could not be renewed; try again shortly")(
                environ, start_response
            )
        if session is None:
            # Expired or signed out: the service answers as to any request without credentials.
            return self.app(environ, start_response)
        if environ.get("REQUEST_METHOD", "GET").upper() not in SAFE_METHODS:
            # The browser sends the cookie along with requests other sites make it send; only
            # our own pages can read the session's CSRF token and put it in the header.
            sent = environ.get("HTTP_X_CSRF_TOKEN", "")
            if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
                return _problem(
                    403, "Forbidden", f"a change authenticated by the session cookie needs the {CSRF_HEADER} header"
                )(environ, start_response)
        environ["HTTP_AUTHORIZATION"] = f"Bearer {session.access_token}"
        return self.app(environ, start_response)


def _without_gateway_cookies(environ: dict) -> dict:
    environ = dict(environ)
    parts = environ.pop("HTTP_COOKIE").split(";")
    kept = [part.strip() for part in parts if part.split("=", 1)[0].strip() not in _GATEWAY_COOKIES]
    if any(kept):
        environ["HTTP_COOKIE"] = "; ".join(part for part in kept if part)
    return environ


def _problem(status: int, title: str, detail: str) -> Response:
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    return Response(body, status=status, mimetype=PROBLEM_JSON)
