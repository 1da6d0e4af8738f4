"""The gateway's own pages: the front page, sign-in and sign-out, and the index of service APIs."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlencode

from flask import jsonify, make_response, redirect, render_template, request

from akta import context
from akta.web.app import accepts_any_body, create_app
from akta_gateway.i18n import LANGUAGE_NAMES, MESSAGES, locked_message, pick_language
from akta_gateway.identity_client import IdentityUnavailable, SignInLocked, SignInRejected
from akta_gateway.session_auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from akta_gateway.sessions import Sessions
from akta_gateway.settings import GatewaySettings

# Our pages are never framed (clickjacking of the sign-in form) and load nothing from elsewhere.
PAGE_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def create_gateway_app(
    services: list[str], sessions: Sessions, settings: GatewaySettings, readiness_checks=None
):
    app = create_app("gateway", "Akta gateway", readiness_checks or {})

    @app.get("/", doc_ui=False)
    def front_page():
        try:
            session = sessions.current(request.cookies.get(SESSION_COOKIE))
        except IdentityUnavailable:
            return _page("message.html", status=503, message=_texts()["unavailable"])
        if session is None:
            return _forget_stale_cookie(_page("front.html", services=services))
        try:
            me = sessions.identity.me(session.access_token)
        except IdentityUnavailable:
            me = {}
        return _page(
            "home.html",
            session=session,
            display_name=me.get("name", session.username),
            roles=me.get("roles", []),
            services=services,
        )

    @app.get("/login", doc_ui=False)
    def login_form():
        try:
            if sessions.current(request.cookies.get(SESSION_COOKIE)) is not None:
                return redirect(_url("/"), 303)
        except IdentityUnavailable:
            pass
        notice = _texts()["signed_out"] if request.args.get("signed_out") else None
        return _login_page(200, notice=notice)

    @app.post("/login", doc_ui=False)
    @accepts_any_body
    def login_submit():
        texts = _texts()
        form = request.form
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not expected or not hmac.compare_digest(form.get("csrf_token", "").encode(), expected.encode()):
            return _login_page(400, error=texts["form_expired"])
        organisation = form.get("organisation", "").strip()
        username = form.get("username", "").strip()
        password = form.get("password", "")
        entered = {"organisation": organisation, "username": username}
        if not (organisation and username and password):
            return _login_page(400, error=texts["fill_all"], **entered)
        try:
            session = sessions.sign_in(
                organisation, username, password, _forwarded_headers(), replacing=request.cookies.get(SESSION_COOKIE)
            )
        except SignInRejected:
            return _login_page(401, error=texts["wrong_credentials"], **entered)
        except SignInLocked as locked:
            response = _login_page(429, error=locked_message(_language(), locked.retry_after_seconds), **entered)
            response.headers["Retry-After"] = str(locked.retry_after_seconds)
            return response
        except IdentityUnavailable:
            return _login_page(503, error=texts["unavailable"], **entered)
        response = redirect(_url("/"), 303)
        response.set_cookie(SESSION_COOKIE, session.session_id, **_cookie_options())
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return response

    @app.post("/logout", doc_ui=False)
    @accepts_any_body
    def logout():
        session_id = request.cookies.get(SESSION_COOKIE)
        if not sessions.sign_out(session_id, request.form.get("csrf_token", ""), _forwarded_headers()):
            return _page("message.html", status=403, message=_texts()["form_expired"])
        response = redirect(_url("/login", signed_out=1), 303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/api/", doc_ui=False)
    def api_index():
        return jsonify(
            services=[
                {"name": name, "url": f"/api/{name}/", "openapi": f"/api/{name}/openapi.json"}
                for name in services
            ]
        )

    def _login_page(status: int, error: str | None = None, notice: str | None = None, **entered):
        csrf_token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
        response = _page(
            "login.html", status=status, error=error, notice=notice, csrf_token=csrf_token,
            organisation=entered.get("organisation", ""), username=entered.get("username", ""),
        )
        response.set_cookie(LOGIN_CSRF_COOKIE, csrf_token, **{**_cookie_options(), "path": "/login"})
        return response

    def _cookie_options() -> dict:
        return {
            "httponly": True,
            "samesite": "Lax",
            "secure": request.is_secure or settings.session_cookie_secure,
            "path": "/",
        }

    return app


def _language() -> str:
    return pick_language(request.args.get("lang"), request.accept_languages)


def _texts() -> dict[str, str]:
    return MESSAGES[_language()]


def _url(path: str, **query) -> str:
    """`path` with `query`, keeping a ?lang= the user chose."""
    if request.args.get("lang") in MESSAGES:
        query["lang"] = request.args["lang"]
    return f"{path}?{urlencode(query)}" if query else path


def _page(template: str, status: int = 200, **values):
    language = _language()
    html = render_template(
        template,
        language=language,
        t=MESSAGES[language],
        languages=LANGUAGE_NAMES,
        lang_query=_url(""),
        **values,
    )
    response = make_response(html, status)
    response.headers.update(PAGE_SECURITY_HEADERS)
    return response


def _forget_stale_cookie(response):
    if SESSION_COOKIE in request.cookies:
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def forwarded_for(environ: dict) -> dict[str, str]:
    """The browser's address for the service behind: appended to any X-Forwarded-For already
    there, as every proxy on the way does (services trust as many hops as AKTA_TRUSTED_PROXY_HOPS)."""
    # The address that connected to us, before any ProxyFix of ours rewrote it.
    client = environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR") or environ.get("REMOTE_ADDR", "")
    earlier = environ.get("werkzeug.proxy_fix.orig", {}).get("HTTP_X_FORWARDED_FOR") or environ.get("HTTP_X_FORWARDED_FOR", "")
    value = f"{earlier}, {client}" if earlier else client
    return {"X-Forwarded-For": value} if value else {}


def _forwarded_headers() -> dict[str, str]:
    """What identity records about a sign-in or sign-out besides the name: the browser and the
    correlation id of this request, so its audit record can be found from the gateway's log."""
    headers = {"X-Correlation-ID": context.current().correlation_id, **forwarded_for(request.environ)}
    if request.user_agent.string:
        headers["User-Agent"] = request.user_agent.string[:300]
    return headers
