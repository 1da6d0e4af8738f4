import json

import pytest

from akta.contracts import EVENT_TYPES, Envelope, PoisonMessage, parse_envelope
from akta.contracts.cases import CaseCreated


def _case_created() -> CaseCreated:
    return CaseCreated(case_id="c-1", number="2026/000001", title="Elevsag", status="open")


def _envelope(**overrides) -> dict:
    envelope = Envelope.wrap(_case_created(), tenant="t-1", actor="user:u-1", correlation_id="corr-1")
    raw = json.loads(envelope.to_json())
    raw.update(overrides)
    return raw


def test_an_envelope_is_a_cloudevent_with_akta_extensions():
    raw = _envelope()
    assert raw["specversion"] == "1.0"
    assert raw["type"] == "cases.case.created.v1"
    assert raw["source"] == "/akta/cases"
    assert raw["subject"] == "c-1"
    assert raw["datacontenttype"] == "application/json"
    assert {"tenant", "actor", "correlationid"} <= raw.keys()


def test_parsing_round_trips_the_typed_event():
    envelope, event = parse_envelope(json.dumps(_envelope()).encode())
    assert event == _case_created()
    assert envelope.tenant == "t-1"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\x00not json", "not JSON"),
        (json.dumps([1, 2]).encode(), "not a valid envelope"),
        (json.dumps(_envelope(type="cases.case.exploded.v1")).encode(), "unknown event type"),
        (json.dumps(_envelope(type="cases.case.created.v9")).encode(), "unknown event type"),
        (json.dumps(_envelope(data={"case_id": "c-1"})).encode(), "invalid data"),
        (json.dumps(_envelope(tenant="")).encode(), "not a valid envelope"),
    ],
)
def test_messages_that_can_never_be_handled_are_poison(body, reason):
    with pytest.raises(PoisonMessage, match=reason):
        parse_envelope(body)


def test_every_event_type_follows_the_naming_convention_and_is_versioned():
    for event_type, model in EVENT_TYPES.items():
        service, *_entity, verb, version = event_type.split(".")
        assert model.producer() == service
        assert version.startswith("v") and version[1:].isdigit()
        assert model.subject_field in model.model_fields, event_type
