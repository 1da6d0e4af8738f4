"""The shared app factory: every error is problem+json, never HTML or a stack trace."""

import pytest
from pydantic import BaseModel, Field

from akta.errors import Conflict, InvalidField, NotFound
from akta.web.app import create_app


class Thing(BaseModel):
    name: str = Field(min_length=1)
    count: int


def _app(checks=None):
    app = create_app("test", "Test", readiness_checks=checks or {}, max_content_length=1024)

    @app.post("/things")
    def create(body: Thing):
        return {"name": body.name}, 201

    @app.get("/missing")
    def missing():
        raise NotFound("no such thing")

    @app.get("/conflict")
    def conflict():
        raise Conflict("it clashes", clashes_with=["a"])

    @app.get("/invalid")
    def invalid():
        raise InvalidField("cpr", "check digits do not match")

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    return app


@pytest.fixture
def client():
    return _app().test_client()


def _is_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"]
    return body


def test_validation_errors_name_the_field(client):
    body = _is_problem(client.post("/things", json={"name": "", "count": "many"}), 422)
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"name", "count"}


def test_a_domain_rule_names_the_field(client):
    body = _is_problem(client.get("/invalid"), 422)
    assert body["errors"] == [{"field": "cpr", "message": "check digits do not match"}]


def test_malformed_json_is_400(client):
    _is_problem(client.post("/things", data="{not json", content_type="application/json"), 400)


def test_a_body_that_is_not_json_is_415(client):
    _is_problem(client.post("/things", data="name=x", content_type="application/x-www-form-urlencoded"), 415)


def test_a_body_over_the_limit_is_413(client):
    _is_problem(client.post("/things", json={"name": "x" * 2000, "count": 1}), 413)


def test_not_found_conflict_and_unknown_routes(client):
    assert _is_problem(client.get("/missing"), 404)["detail"] == "no such thing"
    assert _is_problem(client.get("/conflict"), 409)["clashes_with"] == ["a"]
    _is_problem(client.get("/nowhere"), 404)
    response = client.delete("/things")
    _is_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_an_unexpected_error_is_500_without_internals(client):
    body = _is_problem(client.get("/boom"), 500)
    assert "secret" not in str(body)
    assert body["request_id"]


def test_request_and_correlation_ids_are_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "req-1", "X-Correlation-ID": "corr-1"})
    assert response.headers["X-Request-ID"] == "req-1"
    assert response.headers["X-Correlation-ID"] == "corr-1"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["X-Request-ID"] != "bad id with spaces"
    assert generated.headers["X-Correlation-ID"] == generated.headers["X-Request-ID"]


def test_readiness_reports_the_failing_dependency():
    def broken():
        raise ConnectionError("database down")

    client = _app({"database": broken, "bus": lambda: None}).test_client()
    body = _is_problem(client.get("/readyz"), 503)
    assert set(body["checks"]) == {"database"}
    assert _app({"bus": lambda: None}).test_client().get("/readyz").status_code == 200


def test_metrics_are_prometheus_text(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"akta_http_requests_total" in response.data


def test_openapi_is_3_1_and_generated_from_the_routes(client):
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert "/things" in document["paths"]
    assert "Thing" in str(document["components"]["schemas"])


def test_behind_trusted_proxies_the_client_address_is_the_forwarded_one(tmp_path):
    from flask import jsonify

    from akta import context
    from akta_cases.bootstrap import bootstrap
    from akta_cases.settings import CasesSettings
    from akta_gateway.app import forwarded_for

    service = bootstrap(CasesSettings(data_dir=tmp_path, trusted_proxy_hops=1))
    service.app.add_url_rule("/whoami", "whoami", lambda: jsonify(ip=context.current().client_ip))
    headers = forwarded_for({"REMOTE_ADDR": "203.0.113.7"})
    assert service.app.test_client().get("/whoami", headers=headers).json["ip"] == "203.0.113.7"
    untrusting = bootstrap(CasesSettings(data_dir=tmp_path))
    untrusting.app.add_url_rule("/whoami", "whoami", lambda: jsonify(ip=context.current().client_ip))
    assert untrusting.app.test_client().get("/whoami", headers=headers).json["ip"] == "127.0.0.1"
    assert forwarded_for({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}) == {"X-Forwarded-For": "203.0.113.7, 10.0.0.2"}


def test_two_hops_give_the_browser_address_and_keep_the_gateways_prefix(tmp_path):
    from flask import jsonify, request

    from akta import context
    from akta_cases.bootstrap import bootstrap
    from akta_cases.settings import CasesSettings

    service = bootstrap(CasesSettings(data_dir=tmp_path, trusted_proxy_hops=2))
    service.app.add_url_rule("/whereami", "whereami", lambda: jsonify(ip=context.current().client_ip, root=request.script_root, scheme=request.scheme))
    headers = {"X-Forwarded-For": "203.0.113.7, 10.0.0.1", "X-Forwarded-Prefix": "/api/cases", "X-Forwarded-Proto": "https"}
    assert service.app.test_client().get("/whereami", headers=headers).json == {"ip": "203.0.113.7", "root": "/api/cases", "scheme": "https"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("*", None), ('"7"', 7)],
)
def test_if_match_names_the_version_read(header, expected):
    from flask import Flask

    from akta.web.etags import if_match_version

    headers = {"If-Match": header} if header else {}
    with Flask(__name__).test_request_context(headers=headers):
        assert if_match_version("case") == expected


@pytest.mark.parametrize("header", ['"7", "8"', '"seven"', 'W/"7"'])  # If-Match compares strongly
def test_an_if_match_that_names_no_single_version_is_refused_naming_what_was_read(header):
    from flask import Flask

    from akta.web.etags import if_match_version

    with Flask(__name__).test_request_context(headers={"If-Match": header}):
        with pytest.raises(InvalidField) as refused:
            if_match_version("saved search")
    assert "the single ETag of the saved search you read" in str(refused.value)
