"""The exported contracts: JSON Schema per event type, the AsyncAPI document, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import ValidationError
from jsonschema.validators import Draft202012Validator
from pydantic import BaseModel
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from akta.bus.naming import BusNames
from akta.contracts import EVENT_TYPES, SUBSCRIPTIONS, Envelope, Event
from akta.contracts.cases import CaseCreated
from akta.contracts.export import (
    ASYNCAPI_PATH,
    asyncapi_document,
    event_schema,
    export,
    generated_files,
    main,
    stale_files,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def document() -> dict:
    # Parsed back from the YAML text, so the test sees what a reader of the file sees.
    return yaml.safe_load(generated_files()[ASYNCAPI_PATH])


def resolve(document: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def asyncapi_payload_validator(document: dict, event_type: str) -> Draft202012Validator:
    registry = Registry().with_resource(
        "urn:akta:asyncapi", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"urn:akta:asyncapi#/components/messages/{event_type}/payload"}, registry=registry
    )


def case_created_envelope() -> dict:
    event = CaseCreated(case_id="c-1", number="2026/000001", title="Planning permit", status="open")
    envelope = Envelope.wrap(event, tenant="org-1", actor="user-1", correlation_id="corr-1")
    return json.loads(envelope.to_json())


def test_the_document_is_asyncapi_3_on_rabbitmq(document):
    assert document["asyncapi"] == "3.0.0"
    assert document["defaultContentType"] == "application/cloudevents+json"
    [server] = document["servers"].values()
    assert server["protocol"] == "amqp"
    assert server["host"] == "{host}"
    assert "host" in server["variables"]


def test_every_message_payload_is_a_valid_json_schema(document):
    messages = document["components"]["messages"]
    assert set(messages) == set(EVENT_TYPES)
    for event_type, message in messages.items():
        Draft202012Validator.check_schema(message["payload"])
        assert message["contentType"] == "application/cloudevents+json"
        assert message["payload"]["properties"]["type"]["const"] == event_type
        assert message["bindings"]["amqp"]["messageType"] == event_type


def test_one_channel_per_event_type_on_the_topic_exchange_with_a_message(document):
    names = BusNames()
    assert set(document["channels"]) == set(EVENT_TYPES)
    for event_type, channel in document["channels"].items():
        assert channel["address"] == event_type
        binding = channel["bindings"]["amqp"]
        assert binding["is"] == "routingKey"
        assert binding["exchange"] == {
            "name": names.events_exchange,
            "type": "topic",
            "durable": True,
            "autoDelete": False,
            "vhost": "/",
        }
        assert channel["messages"], f"channel {event_type} has no message"
        for message in channel["messages"].values():
            assert resolve(document, message["$ref"])["name"] == event_type


def test_every_operation_references_an_existing_channel_and_its_messages(document):
    assert document["operations"]
    for operation_id, operation in document["operations"].items():
        assert operation["action"] in ("send", "receive"), operation_id
        channel_ref = operation["channel"]["$ref"]
        channel = resolve(document, channel_ref)
        assert channel in document["channels"].values(), operation_id
        for message in operation["messages"]:
            assert message["$ref"].startswith(f"{channel_ref}/messages/"), operation_id
            resolve(document, message["$ref"])


def test_a_send_operation_per_event_type_by_its_producer(document):
    sends = {
        resolve(document, op["channel"]["$ref"])["address"]: op
        for op in document["operations"].values()
        if op["action"] == "send"
    }
    assert set(sends) == set(EVENT_TYPES)
    for event_type, operation in sends.items():
        assert operation["tags"] == [{"name": EVENT_TYPES[event_type].producer()}]


def test_a_receive_operation_per_subscription_on_its_queue_with_its_dead_letter_queue(document):
    names = BusNames()
    receives = [op for op in document["operations"].values() if op["action"] == "receive"]
    expected = {
        (names.queue(subscription), event_type)
        for subscription in SUBSCRIPTIONS
        for event_type in subscription.event_types
    }
    found = {
        (op["x-akta-queue"]["name"], resolve(document, op["channel"]["$ref"])["address"]) for op in receives
    }
    assert found == expected

    subscriptions = {names.queue(subscription): subscription for subscription in SUBSCRIPTIONS}
    for operation in receives:
        subscription = subscriptions[operation["x-akta-queue"]["name"]]
        assert operation["x-akta-queue"]["deadLetterQueue"] == names.dead_letter_queue(subscription)
        assert operation["x-akta-queue"]["deadLetterExchange"] == names.dead_letter_exchange
        assert names.dead_letter_queue(subscription) in operation["description"]
        assert operation["tags"] == [{"name": subscription.service}]


def test_a_real_envelope_validates_against_the_schema_of_its_type(document):
    schema = json.loads(generated_files()["schemas/cases.case.created.v1.json"])
    Draft202012Validator.check_schema(schema)
    envelope = case_created_envelope()

    Draft202012Validator(schema).validate(envelope)
    asyncapi_payload_validator(document, "cases.case.created.v1").validate(envelope)


@pytest.mark.parametrize(
    "break_it",
    [
        pytest.param(lambda e: e.pop("data"), id="missing data"),
        pytest.param(lambda e: e.update(type="cases.case.updated.v1"), id="wrong type"),
        pytest.param(lambda e: e.update(source="/akta/retention"), id="wrong source"),
        pytest.param(lambda e: e["data"].pop("number"), id="data missing a field"),
        pytest.param(lambda e: e["data"].update(status="shredded"), id="data with a bad value"),
        pytest.param(lambda e: e["data"].update(extra="x"), id="data with an unknown field"),
    ],
)
def test_a_broken_envelope_does_not_validate(document, break_it):
    schema = event_schema(CaseCreated)
    envelope = case_created_envelope()
    break_it(envelope)

    with pytest.raises(ValidationError):
        Draft202012Validator(schema).validate(envelope)
    with pytest.raises(ValidationError):
        asyncapi_payload_validator(document, "cases.case.created.v1").validate(envelope)


class Party(BaseModel):
    name: str


class PartiesAdded(Event):
    event_type = "cases.parties.added.v1"
    subject_field = "case_id"
    summary = "Parties were added to a case."

    case_id: str
    parties: list[Party]


def test_nested_models_are_referenced_where_each_document_keeps_them():
    event = PartiesAdded(case_id="c-1", parties=[Party(name="Anna")])
    envelope = json.loads(Envelope.wrap(event, tenant="t", actor="a", correlation_id="c").to_json())
    broken = {**envelope, "data": {"case_id": "c-1", "parties": [{}]}}

    schema = event_schema(PartiesAdded)
    assert "Party" in schema["$defs"]
    Draft202012Validator(schema).validate(envelope)
    with pytest.raises(ValidationError):
        Draft202012Validator(schema).validate(broken)

    document = asyncapi_document(event_types={PartiesAdded.event_type: PartiesAdded}, subscriptions=())
    assert "Party" in document["components"]["schemas"]
    validator = asyncapi_payload_validator(document, PartiesAdded.event_type)
    validator.validate(envelope)
    with pytest.raises(ValidationError):
        validator.validate(broken)


def test_exporting_twice_gives_identical_bytes(tmp_path):
    export(tmp_path / "first")
    export(tmp_path / "second")
    export(tmp_path / "second")

    first = {
        p.relative_to(tmp_path / "first"): p.read_bytes()
        for p in (tmp_path / "first").rglob("*")
        if p.is_file()
    }
    second = {
        p.relative_to(tmp_path / "second"): p.read_bytes()
        for p in (tmp_path / "second").rglob("*")
        if p.is_file()
    }
    assert first == second
    assert Path(ASYNCAPI_PATH) in first
    assert {Path(f"schemas/{t}.json") for t in EVENT_TYPES} <= set(first)


def test_the_output_does_not_depend_on_hash_seeds(tmp_path):
    command = "from akta.contracts.export import main; main()"
    for seed in ("1", "2"):
        subprocess.run(
            [sys.executable, "-c", command, "export", "--out", str(tmp_path / seed)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
    assert (tmp_path / "1" / ASYNCAPI_PATH).read_bytes() == (tmp_path / "2" / ASYNCAPI_PATH).read_bytes()


def test_check_passes_after_export_and_fails_on_a_stale_file(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["export", "--out", str(tmp_path)]).exit_code == 0
    assert runner.invoke(main, ["check", "--out", str(tmp_path)]).exit_code == 0

    asyncapi = tmp_path / ASYNCAPI_PATH
    asyncapi.write_text(asyncapi.read_text().replace("akta.events", "akta.old"))
    result = runner.invoke(main, ["check", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert ASYNCAPI_PATH in result.output


def test_check_fails_on_a_missing_or_leftover_schema_and_export_repairs_both(tmp_path):
    export(tmp_path)
    (tmp_path / "schemas" / "cases.case.created.v1.json").unlink()
    (tmp_path / "schemas" / "cases.case.removed.v1.json").write_text("{}")

    assert stale_files(tmp_path) == [
        "schemas/cases.case.created.v1.json",
        "schemas/cases.case.removed.v1.json",
    ]
    assert CliRunner().invoke(main, ["check", "--out", str(tmp_path)]).exit_code != 0

    export(tmp_path)
    assert stale_files(tmp_path) == []


def test_the_committed_docs_are_up_to_date():
    result = CliRunner().invoke(main, ["check", "--out", str(DOCS)])
    assert result.exit_code == 0, f"{result.output}\nrun `make contracts` (akta-contracts export --out docs)"
