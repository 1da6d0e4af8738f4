"""The pure parts of Idempotency-Key handling: reading the header and fingerprinting a request."""

import pytest
from flask import Flask

from akta.web.idempotency import InvalidIdempotencyKey, parse_key, request_fingerprint


def test_a_key_is_a_structured_field_string_or_bare():
    assert parse_key("8e03978e-40d5-43e8-bc93-6894a57f9324") == "8e03978e-40d5-43e8-bc93-6894a57f9324"
    assert parse_key('"8e03978e-40d5-43e8-bc93-6894a57f9324"') == "8e03978e-40d5-43e8-bc93-6894a57f9324"
    assert parse_key(r'"nightly \"run\" 7"') == 'nightly "run" 7'
    assert parse_key("  spaced  ") == "spaced"
    assert parse_key("x" * 200) == "x" * 200


@pytest.mark.parametrize("raw", ["", "   ", '""', "x" * 201, "nøgle", "tab\there", r'"bad \n escape"', '"a"b"', '"end\\"'])
def test_a_malformed_key_is_refused_naming_the_header(raw):
    with pytest.raises(InvalidIdempotencyKey) as refused:
        parse_key(raw)
    assert refused.value.status == 400
    assert refused.value.extra["errors"][0]["field"] == "Idempotency-Key"


def _fingerprint(app, path="/cases", **kwargs):
    with app.test_request_context(path, method="POST", **kwargs):
        return request_fingerprint()


def test_the_same_json_written_differently_is_the_same_request():
    app = Flask(__name__)
    first = _fingerprint(app, data='{"title": "Sag", "template_id": "t"}', content_type="application/json")
    again = _fingerprint(app, data='{"template_id":"t",\n "title":"Sag"}', content_type="application/json")
    other = _fingerprint(app, data='{"title": "Sag 2", "template_id": "t"}', content_type="application/json")
    elsewhere = _fingerprint(app, "/saved-searches", data='{"title": "Sag", "template_id": "t"}', content_type="application/json")
    assert first == again
    assert first.body_sha256 != other.body_sha256
    assert (elsewhere.path, first.path) == ("/saved-searches", "/cases")


def test_a_body_that_is_not_json_is_hashed_as_sent():
    app = Flask(__name__)
    assert _fingerprint(app, data="a,b") != _fingerprint(app, data="a, b")
    assert _fingerprint(app, data="{broken", content_type="application/json").body_sha256
