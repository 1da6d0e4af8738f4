"""The app factory every service's HTTP entry point is built with."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import structlog
from flask import Response, g, jsonify, request
from flask_openapi3 import Info, OpenAPI
from werkzeug.exceptions import BadRequest, HTTPException

from akta import context
from akta.errors import AktaError
from akta.web.metrics import HTTP_LATENCY, HTTP_REQUESTS, metrics_response
from akta.web.problems import problem, pydantic_errors, validation_problem

log = structlog.get_logger("akta.web")

REQUEST_ID_HEADER = "X-Request-ID"
CORRELATION_ID_HEADER = "X-Correlation-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_BODY_METHODS = {"POST", "PUT", "PATCH"}

ReadinessCheck = Callable[[], None]

BEARER_SECURITY = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}


def create_app(
    service: str,
    title: str,
    readiness_checks: dict[str, ReadinessCheck] | None = None,
    max_content_length: int = 10 * 1024 * 1024,
) -> OpenAPI:
    """A Flask app with problem+json errors, request ids, health, metrics and OpenAPI 3.1."""
    app = OpenAPI(
        f"akta_{service}",
        info=Info(title=title, version="1"),
        security_schemes=BEARER_SECURITY,
        validation_error_callback=lambda error: validation_problem(pydantic_errors(error)),
        doc_ui=False,
    )
    app.config["MAX_CONTENT_LENGTH"] = max_content_length
    app.json.sort_keys = False
    app.extensions["akta_service"] = service
    checks = readiness_checks or {}

    @app.before_request
    def start_request() -> Response | None:
        g.started = time.perf_counter()
        g.request_id = _incoming_id(REQUEST_ID_HEADER) or str(uuid.uuid4())
        correlation_id = _incoming_id(CORRELATION_ID_HEADER) or g.request_id
        g.context_tokens = context.enter(
            context.MessageContext(
                correlation_id=correlation_id,
                client_ip=request.remote_addr,
                user_agent=(request.user_agent.string or None) and request.user_agent.string[:300],
            )
        )
        structlog.contextvars.bind_contextvars(request_id=g.request_id, service=service)
        return _check_body()

    @app.after_request
    def finish_request(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
        response.headers[CORRELATION_ID_HEADER] = context.current().correlation_id
        route = request.url_rule.rule if request.url_rule else "unmatched"
        HTTP_REQUESTS.labels(service, request.method, route, response.status_code).inc()
        if "started" in g:
            HTTP_LATENCY.labels(service, route).observe(time.perf_counter() - g.started)
        return response

    @app.teardown_request
    def end_request(_error) -> None:
        tokens = g.pop("context_tokens", None)
        if tokens:
            context.leave(tokens)
        structlog.contextvars.unbind_contextvars("request_id", "service")

    @app.errorhandler(AktaError)
    def domain_error(error: AktaError) -> Response:
        response = problem(error.status, error.title, error.detail, error.problem_type, **error.extra)
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="akta"'
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = problem(error.code or 500, error.name, error.description)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error")
        return problem(500, "Internal server error", "The error was logged; quote the request id.",
                       request_id=g.get("request_id"))

    @app.get("/healthz", doc_ui=False)
    def healthz():
        return jsonify(status="ok", service=service)

    @app.get("/readyz", doc_ui=False)
    def readyz():
        failures = {}
        for name, check in checks.items():
            try:
                check()
            except Exception as error:  # any failure means not ready; the reason is reported
                failures[name] = repr(error)
        if failures:
            return problem(503, "Not ready", "Some dependencies are unreachable.", checks=failures)
        return jsonify(status="ready", service=service, checks=sorted(checks))

    @app.get("/metrics", doc_ui=False)
    def metrics():
        return metrics_response()

    @app.get("/openapi.json", doc_ui=False)
    def openapi_document():
        document = dict(app.api_doc)
        document["servers"] = [{"url": request.script_root or "/"}]
        return jsonify(document)

    return app


def accepts_any_body(view):
    """Mark a view that takes a non-JSON body (uploads); others answer 415 to one."""
    view.accepts_any_body = True
    return view


def _incoming_id(header: str) -> str | None:
    value = request.headers.get(header)
    if value and _SAFE_ID.match(value):
        return value
    return None


def _check_body() -> Response | None:
    if request.method not in _BODY_METHODS:
        return None
    view = request.url_rule and request.endpoint and _view_function()
    if view is None or getattr(view, "accepts_any_body", False):
        return None
    has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding") == "chunked"
    if not has_body:
        return None
    if not request.is_json:
        return problem(
            415,
            "Unsupported Media Type",
            f"send the body as application/json, not {request.mimetype or 'no content type'}",
        )
    try:
        request.get_json()
    except BadRequest:
        return problem(400, "Bad Request", "the body is not well-formed JSON")
    return None


def _view_function():
    from flask import current_app

    return current_app.view_functions.get(request.endpoint)
