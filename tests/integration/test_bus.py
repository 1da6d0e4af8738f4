"""One bus suite, run on the in-process transport (with SQLite) and on RabbitMQ (with PostgreSQL).

HTTP → command → outbox → relay → broker → consumer inbox → handler → database, and what must
hold when things go wrong: a crash before publishing, duplicates, poison, failing handlers.
"""

import json
import uuid

import pytest
from sqlalchemy import func, select

from akta import context
from akta.bus import outbox
from akta.bus.publisher import OutboundMessage, open_publisher
from akta.bus.tables import inbox_table, outbox_table
from akta.contracts import Envelope
from akta.contracts.cases import CaseCreated
from akta_retention.adapters.orm import retention_entries
from akta_retention.service_layer import handlers as retention_handlers
from tests.support.cases import create_case, template
from tests.support.system import FlowSystem
from tests.support.waiting import eventually


@pytest.fixture(params=["memory", "rabbitmq"])
def system(request, tmp_path, bus_namespace):
    if request.param == "memory":
        database_url, bus_url = None, "memory://"
    else:
        database_url = request.getfixturevalue("postgres_url")
        bus_url = request.getfixturevalue("rabbitmq_url")
    built = FlowSystem.build(tmp_path, database_url, bus_url, bus_namespace)
    yield built
    built.shutdown()


def _create_case(system, title="Elevsag", tenant="t-1", correlation_id=None):
    work = context.MessageContext(correlation_id=correlation_id or str(uuid.uuid4()), actor="user:u-1")
    with context.bound(work):
        return create_case(system.cases, tenant, title, _template(system, tenant))


_templates: dict[tuple[int, str], str] = {}


def _template(system, tenant: str) -> str:
    key = (id(system), tenant)
    if key not in _templates:
        _templates[key] = template(system.cases, tenant)
    return _templates[key]


def _count(service, table, *conditions) -> int:
    with service.database.session() as session:
        return session.scalar(select(func.count()).select_from(table).where(*conditions))


def _entries(system) -> int:
    return _count(system.retention, retention_entries)


def _unsent(service) -> int:
    with service.database.session() as session:
        return outbox.count_pending(session)


def _case_created_message(case_id: str, event_id: str | None = None, **envelope_overrides) -> OutboundMessage:
    event = CaseCreated(case_id=case_id, number="2026/000042", title="X", status="open")
    envelope = json.loads(
        Envelope.wrap(event, tenant="t-1", actor="user:u", correlation_id="corr", event_id=event_id).to_json()
    )
    envelope.update(envelope_overrides)
    return _raw_message(json.dumps(envelope).encode(), routing_key=envelope["type"], message_id=envelope["id"])


def _raw_message(body: bytes, routing_key="cases.case.created.v1", message_id=None) -> OutboundMessage:
    return OutboundMessage(
        message_id=message_id or str(uuid.uuid4()),
        exchange=f"{_namespace}.events",
        routing_key=routing_key,
        body=body,
    )


_namespace = ""


@pytest.fixture(autouse=True)
def _remember_namespace(bus_namespace):
    global _namespace
    _namespace = bus_namespace


def test_a_created_case_becomes_a_retention_entry_under_the_same_correlation(system):
    system.start()
    case = _create_case(system, correlation_id="corr-flow-1")
    eventually(lambda: _entries(system) == 1)
    eventually(lambda: _unsent(system.retention) == 0)
    with system.retention.database.session() as session:
        [entry] = session.execute(select(retention_entries)).all()
        [recorded] = session.execute(select(outbox_table.c.body)).scalars().all()
    assert entry.item_id == case.id and entry.tenant_id == "t-1"
    published = json.loads(recorded)
    assert published["type"] == "retention.entry.recorded.v1"
    assert published["correlationid"] == "corr-flow-1"
    with system.cases.database.session() as session:
        case_event_id = session.scalar(
            select(outbox_table.c.event_id).where(outbox_table.c.event_type == "cases.case.created.v1")
        )
    assert published["causationid"] == case_event_id
    assert published["actor"] == "user:u-1"


def test_events_committed_while_no_relay_runs_are_delivered_once_it_does(system):
    system.start_worker_only()
    before = _unsent(system.cases) if _template(system, "t-1") else 0
    for n in range(5):
        _create_case(system, title=f"Before relay {n}")
    assert _unsent(system.cases) - before == 10, "each creation stages its event and its audit record"
    # As if the process died after each commit, before any publish: a relay started now delivers.
    system.start()
    eventually(lambda: _entries(system) == 5)
    assert _unsent(system.cases) == 0


def test_a_relay_crashing_between_publish_and_marking_sent_causes_no_double_effect(system):
    from kombu import Connection

    system.start_worker_only()
    before = _unsent(system.cases) if _template(system, "t-1") else 0
    for n in range(3):
        _create_case(system, title=f"Crash {n}")

    class CrashAfterPublish:
        def __init__(self, real):
            self.real = real

        def publish(self, messages):
            self.real.publish(messages)
            raise ConnectionResetError("relay process died right after publishing")

    with Connection(system.bus_url) as connection:
        publisher = open_publisher(connection)
        with pytest.raises(ConnectionResetError):
            system.cases.relay.relay_once(CrashAfterPublish(publisher))
        assert _unsent(system.cases) == before + 6
        assert system.cases.relay.relay_once(publisher) == before + 6
        publisher.close()
    eventually(lambda: _count(system.retention, inbox_table) == 3 and _entries(system) == 3)
    assert _count(system.retention, outbox_table) == 3


def test_the_same_event_delivered_twice_has_one_effect(system):
    system.start()
    event_id = str(uuid.uuid4())
    message = _case_created_message("case-dup", event_id=event_id)
    system.publish_raw([message, message])
    marker = _case_created_message("case-after-dup")
    system.publish_raw([marker])
    eventually(lambda: _count(system.retention, retention_entries, retention_entries.c.item_id == "case-after-dup") == 1)
    assert _count(system.retention, retention_entries, retention_entries.c.item_id == "case-dup") == 1
    assert _count(system.retention, inbox_table, inbox_table.c.event_id == event_id) == 1
    assert _count(system.retention, outbox_table) == 2


def test_poison_messages_are_dead_lettered_and_the_worker_keeps_consuming(system):
    system.start()
    poison = [
        _raw_message(b"\xff\xfe this is not json"),
        _case_created_message("c-unknown-type", type="cases.case.exploded.v1"),
        _case_created_message("c-bad-data", data={"case_id": "c-bad-data"}),
        _case_created_message("c-unknown-version", type="cases.case.created.v9"),
    ]
    # Unknown types are routed by their own key, so bind them the way a newer producer would.
    for message in poison:
        system.publish_raw([OutboundMessage(message.message_id, message.exchange, "cases.case.created.v1", message.body)])
    system.publish_raw([_case_created_message("c-good")])
    eventually(lambda: _count(system.retention, retention_entries, retention_entries.c.item_id == "c-good") == 1)
    dead = eventually(lambda: (found := system.dead_letters()) and len(found) == 4 and found, timeout=10)
    reasons = sorted(message.headers["x-akta-reason"] for message in dead)
    assert any("not JSON" in r for r in reasons)
    assert any("unknown event type 'cases.case.exploded.v1'" in r for r in reasons)
    assert any("unknown event type 'cases.case.created.v9'" in r for r in reasons)
    assert any("invalid data" in r for r in reasons)
    assert {m.headers["x-akta-queue"] for m in dead} == {system.retention.names.queue(system.retention.subscriptions[0])}
    assert _entries(system) == 1


def test_a_failing_handler_is_retried_then_dead_lettered(system, monkeypatch):
    attempts: dict[str, int] = {}
    real_handler = retention_handlers.track_case

    def flaky(event, envelope, uow):
        attempts[event.case_id] = attempts.get(event.case_id, 0) + 1
        if event.case_id == "always-fails" or attempts[event.case_id] <= 2:
            raise RuntimeError(f"attempt {attempts[event.case_id]} failed")
        real_handler(event, envelope=envelope, uow=uow)

    monkeypatch.setitem(system.retention.event_handlers, "track_case", flaky)
    system.start()
    system.publish_raw([_case_created_message("recovers"), _case_created_message("always-fails")])
    eventually(lambda: _count(system.retention, retention_entries, retention_entries.c.item_id == "recovers") == 1)
    [dead] = eventually(lambda: system.dead_letters(), timeout=10)
    assert "handler failed 3 times" in dead.headers["x-akta-reason"]
    assert "always-fails" in dead.body.decode() if isinstance(dead.body, bytes) else dead.body
    assert attempts["always-fails"] == 3
    assert _entries(system) == 1


def test_dead_letters_can_be_inspected_and_replayed_after_a_fix(system, monkeypatch):
    from akta.bus import dead_letters

    def broken(event, envelope, uow):
        raise RuntimeError("bug in handler")

    monkeypatch.setitem(system.retention.event_handlers, "track_case", broken)
    system.start()
    system.publish_raw([_case_created_message("needs-replay")])
    subscription = system.retention.subscriptions[0]
    letters = eventually(lambda: dead_letters.peek(system.bus_url, system.retention.names, subscription))
    assert len(letters) == 1 and "bug in handler" in letters[0].reason
    assert len(dead_letters.peek(system.bus_url, system.retention.names, subscription)) == 1, "peek must not consume"

    monkeypatch.setitem(system.retention.event_handlers, "track_case", retention_handlers.track_case)
    assert dead_letters.replay(system.bus_url, system.retention.names, subscription) == 1
    eventually(lambda: _count(system.retention, retention_entries, retention_entries.c.item_id == "needs-replay") == 1)
    assert dead_letters.peek(system.bus_url, system.retention.names, subscription) == []


def test_a_database_outage_makes_the_worker_wait_not_dead_letter(system, monkeypatch):
    from sqlalchemy.exc import OperationalError

    outage = {"calls": 0}
    real_handler = retention_handlers.track_case

    def database_away_for_a_while(event, envelope, uow):
        outage["calls"] += 1
        if outage["calls"] <= 5:  # more than the retry delays allow for a failing handler
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database restarting"))
        real_handler(event, envelope=envelope, uow=uow)

    monkeypatch.setitem(system.retention.event_handlers, "track_case", database_away_for_a_while)
    system.start()
    system.publish_raw([_case_created_message("survives-outage")])
    eventually(lambda: _count(system.retention, retention_entries, retention_entries.c.item_id == "survives-outage") == 1, timeout=40)
    assert system.dead_letters() == []
