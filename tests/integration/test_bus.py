"""One bus suite, run on the in-process transport (with SQLite) and on RabbitMQ (with PostgreSQL).

HTTP → command → outbox → relay → broker → consumer inbox → handler → database, and what must
hold when things go wrong: a crash before publishing, duplicates, poison, failing handlers.
"""

import json
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
from kombu import Connection
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from akta import context
from akta.bus import inbox, outbox
from akta.bus import relay as relay_module
from akta.bus.connection import connect
from akta.bus.publisher import OutboundMessage, open_publisher
from akta.bus.relay import Relay
from akta.bus.tables import inbox_table, outbox_table
from akta.bus.topology import declare_topology, subscription_queue
from akta.bus.worker import Delivery
from akta.contracts import Envelope
from akta.contracts.cases import CaseCreated, CaseUpdated
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


def _template(system, tenant: str) -> str:
    # Cached on the system itself: a module-level cache keyed by id(system) handed a later system
    # the template of an earlier one whose object id Python had reused.
    if tenant not in system.case_templates:
        system.case_templates[tenant] = template(system.cases, tenant)
    return system.case_templates[tenant]


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

        def send(self, messages):
            return self.real.send(messages)

        def wait(self, sent):
            self.real.wait(sent)
            raise ConnectionResetError("relay process died right after the broker confirmed")

    with Connection(system.bus_url) as connection:
        publisher = open_publisher(connection)
        with pytest.raises(ConnectionResetError):
            system.cases.relay.relay_once(CrashAfterPublish(publisher))
        assert _unsent(system.cases) == before + 6
        assert system.cases.relay.relay_once(publisher) == before + 6
        publisher.close()
    eventually(lambda: _count(system.retention, inbox_table) == 3 and _entries(system) == 3)
    assert _count(system.retention, outbox_table) == 3


def _cases_waiting_in_batches_of_three(system, title: str) -> int:
    """Four cases created with only the worker running, and a relay taking batches of three;
    returns how many events wait in the outbox."""
    system.start_worker_only()
    for n in range(4):
        _create_case(system, title=f"{title} {n}")
    system.cases.relay.batch_size = 3
    return _unsent(system.cases)


class RecordingPublisher:
    """The real publisher, noting the order of its calls."""

    def __init__(self, real, fail_on_wait: int | None = None):
        self.real, self.calls, self.fail_on_wait = real, [], fail_on_wait

    def send(self, messages):
        self.calls.append("send")
        return self.real.send(messages)

    def wait(self, sent):
        self.calls.append("wait")
        if self.calls.count("wait") == self.fail_on_wait:
            raise ConnectionResetError("the broker went away before confirming")
        return self.real.wait(sent)


def test_the_relay_sends_the_next_batch_while_the_broker_confirms_the_one_before(system):
    pending = _cases_waiting_in_batches_of_three(system, "Batch")
    with Connection(system.bus_url) as connection:
        publisher = RecordingPublisher(open_publisher(connection))
        assert system.cases.relay.relay_pending(publisher) == pending
        publisher.real.close()
    batches = -(-pending // 3)
    if system.bus_url.startswith("memory"):  # SQLite: one batch at a time
        assert publisher.calls == ["send", "wait"] * batches
    else:
        assert publisher.calls == ["send"] + ["send", "wait"] * (batches - 1) + ["wait"]
    assert _unsent(system.cases) == 0
    eventually(lambda: _entries(system) == 4)


def test_events_of_a_batch_the_broker_never_confirmed_go_out_again(system):
    pending = _cases_waiting_in_batches_of_three(system, "Unconfirmed")
    with Connection(system.bus_url) as connection:
        failing = RecordingPublisher(open_publisher(connection), fail_on_wait=2)
        with pytest.raises(ConnectionResetError):
            system.cases.relay.relay_pending(failing)
        assert _unsent(system.cases) == pending - 3  # only the first batch is marked sent
        assert system.cases.relay.relay_pending(failing.real) == pending - 3
        failing.real.close()
    eventually(lambda: _entries(system) == 4 and _count(system.retention, inbox_table) == 4)
    assert _unsent(system.cases) == 0


def test_a_stopping_relay_marks_what_it_sent_before_it_returns(system):
    pending = _cases_waiting_in_batches_of_three(system, "Stopping")
    stop = threading.Event()

    class StopAfterSending(RecordingPublisher):
        def send(self, messages):
            stop.set()
            return super().send(messages)

    with Connection(system.bus_url) as connection:
        publisher = StopAfterSending(open_publisher(connection))
        assert system.cases.relay.relay_pending(publisher, stop) == 3
        publisher.real.close()
    assert publisher.calls == ["send", "wait"]
    assert _unsent(system.cases) == pending - 3, "the batch sent is marked, nothing else was claimed"


def test_one_relay_of_a_service_relays_at_a_time(system):
    if system.bus_url.startswith("memory"):
        pytest.skip("the relay lock is PostgreSQL's; on SQLite a batch's transaction holds the write lock")
    system.start_worker_only()
    for n in range(3):
        _create_case(system, title=f"One relay {n}")
    pending = _unsent(system.cases)
    other = Relay("cases", system.cases.database, system.bus_url, system.cases.names)
    relayed_by_other = []

    class OtherRelayTriesMeanwhile(RecordingPublisher):
        def send(self, messages):
            relayed_by_other.append(other.relay_pending(self.real))
            return super().send(messages)

    with Connection(system.bus_url) as connection:
        publisher = OtherRelayTriesMeanwhile(open_publisher(connection))
        assert system.cases.relay.relay_pending(publisher) == pending
        assert relayed_by_other == [0], "the other relay found the lock taken"
        _create_case(system, title="After the first relay")
        assert other.relay_pending(publisher.real) == 2, "the lock was released: the case and its audit record"
        publisher.real.close()
    eventually(lambda: _entries(system) == 4)
    assert _count(system.retention, inbox_table) == 4


def test_a_published_message_arrives_with_its_properties_and_whole_body(system, bus_namespace):
    if system.bus_url.startswith("memory"):
        pytest.skip("the publisher encodes AMQP frames for RabbitMQ only")
    queue = f"{bus_namespace}.frames"
    large = ("Sag om tilbygning, matrikel 12a ø " * 9000).encode()  # 300 KiB: RabbitMQ's frames hold 128 KiB
    sent = [
        OutboundMessage(message_id="small-1", exchange="", routing_key=queue, body=b'{"a": 1}'),
        OutboundMessage(
            message_id="large-1", exchange="", routing_key=queue, body=large,
            headers={"x-akta-reason": "why ø", "x-akta-attempts": 3},
        ),
        OutboundMessage(message_id="empty-1", exchange="", routing_key=queue, body=b""),
    ]
    with Connection(system.bus_url) as connection:
        channel = connection.channel()
        channel.queue_declare(queue=queue, durable=True, auto_delete=False)
        try:
            publisher = open_publisher(connection)
            assert publisher.publish(sent) == set()
            publisher.close()
            received = [channel.basic_get(queue, no_ack=True) for _ in sent]
        finally:
            channel.queue_delete(queue=queue)
    for message, arrived in zip(sent, received, strict=True):
        # py-amqp decodes a body with a content encoding
        assert (arrived.body if isinstance(arrived.body, bytes) else arrived.body.encode()) == message.body
        assert arrived.properties["message_id"] == message.message_id
        assert arrived.properties["content_type"] == "application/cloudevents+json"
        assert arrived.properties["content_encoding"] == "utf-8"
        assert arrived.properties["delivery_mode"] == 2
        assert (arrived.headers or {}) == message.headers


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


def test_a_handled_batch_leaves_nothing_to_redeliver(system):
    """Good, duplicate and poison messages in one batch: once handled, every one is settled, so
    the queue is empty when the worker stops and a new worker gets nothing again."""
    good = [_case_created_message(f"c-batch-{n}") for n in range(5)]
    batch = [good[0], _raw_message(b"not json"), good[1], good[1], good[2], good[3], _raw_message(b"{}"), good[4]]
    system.publish_raw(batch)
    system.start_worker_only()
    eventually(lambda: _entries(system) == 5)
    eventually(lambda: len(system.dead_letters()) == 2, timeout=10)
    system.stop.set()
    for thread in system.threads:
        thread.join(timeout=15)
    queue = system.retention.names.queue(system.retention.subscriptions[0])
    with Connection(system.bus_url) as connection:
        assert connection.default_channel.queue_declare(queue=queue, passive=True).message_count == 0
    assert _count(system.retention, inbox_table) == 5


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


# Batches: the worker handles what it received together in one transaction. These hand it a
# batch directly, so that what shares a batch is certain.


def _case_updated_message(case_id: str, version: int, access_group_id: str) -> OutboundMessage:
    event = CaseUpdated(
        case_id=case_id, number="2026/000042", title="X", status="open", changed_fields=["access_group_id"],
        version=version, access_group_id=access_group_id,
    )
    envelope = Envelope.wrap(event, tenant="t-1", actor="user:u", correlation_id="corr")
    return _raw_message(envelope.to_json().encode(), routing_key=envelope.type, message_id=envelope.id)


@contextmanager
def _received_batch(system, messages: list[OutboundMessage]):
    """Publish `messages` to track_case's queue and take them unacknowledged, as one batch."""
    subscription = system.retention.subscriptions[0]
    system.publish_raw(messages)
    with Connection(system.bus_url) as connection:
        queue = subscription_queue(system.retention.names, subscription)(connection.channel())
        taken = []

        def all_taken():
            while (message := queue.get(no_ack=False)) is not None:
                taken.append(message)
            return len(taken) == len(messages)

        eventually(all_taken)
        yield [Delivery(subscription, message) for message in taken]


def _left_in_queue(system) -> int:
    """Messages in track_case's queue, unacknowledged ones returned to it."""
    with Connection(system.bus_url) as connection:
        queue = subscription_queue(system.retention.names, system.retention.subscriptions[0])(connection.channel())
        left = 0
        while queue.get(no_ack=True) is not None:
            left += 1
        return left


def _duplicates_skipped() -> float:
    labels = {"service": "retention", "handler": "track_case", "outcome": "duplicate"}
    return REGISTRY.get_sample_value("akta_consumed_events_total", labels) or 0.0


def test_a_batch_holding_the_same_event_twice_has_one_effect(system):
    event_id = str(uuid.uuid4())
    message = _case_created_message("case-twice", event_id=event_id)
    worker = system.retention.worker()
    with _received_batch(system, [message, _case_created_message("case-beside"), message]) as batch:
        worker.handle_batch(batch)
    assert _count(system.retention, retention_entries, retention_entries.c.item_id == "case-twice") == 1
    assert _count(system.retention, retention_entries, retention_entries.c.item_id == "case-beside") == 1
    assert _count(system.retention, inbox_table, inbox_table.c.event_id == event_id) == 1
    assert _count(system.retention, outbox_table) == 2
    assert _left_in_queue(system) == 0, "the duplicate is acknowledged with its batch"


def test_an_event_handled_in_an_earlier_batch_is_skipped_in_a_later_one(system):
    message = _case_created_message("case-again")
    worker = system.retention.worker()
    with _received_batch(system, [message]) as batch:
        worker.handle_batch(batch)
    with _received_batch(system, [_case_created_message("case-new"), message]) as batch:
        worker.handle_batch(batch)
    assert _count(system.retention, retention_entries, retention_entries.c.item_id == "case-again") == 1
    assert _count(system.retention, retention_entries) == 2
    assert _count(system.retention, inbox_table) == 2
    assert _left_in_queue(system) == 0


def test_a_case_created_and_updated_in_one_batch_has_one_entry_with_the_update(system):
    created = _case_created_message("case-moved")
    updated = _case_updated_message("case-moved", version=2, access_group_id="ag-new")
    worker = system.retention.worker()
    with _received_batch(system, [created, updated]) as batch:
        worker.handle_batch(batch)
    with system.retention.database.session() as session:
        [entry] = session.execute(select(retention_entries).where(retention_entries.c.item_id == "case-moved")).all()
    assert (entry.access_group_id, entry.item_version) == ("ag-new", 2)
    assert _count(system.retention, inbox_table) == 2


def test_an_entry_follows_a_newer_version_of_its_case_in_a_later_batch_and_not_an_older_one(system):
    worker = system.retention.worker()
    for message in [
        _case_created_message("case-later"),
        _case_updated_message("case-later", version=3, access_group_id="ag-3"),
        _case_updated_message("case-later", version=2, access_group_id="ag-2"),
    ]:
        with _received_batch(system, [message]) as batch:
            worker.handle_batch(batch)
    with system.retention.database.session() as session:
        [entry] = session.execute(select(retention_entries).where(retention_entries.c.item_id == "case-later")).all()
    assert (entry.access_group_id, entry.item_version, entry.item_reference) == ("ag-3", 3, "2026/000042")
    assert _count(system.retention, inbox_table) == 3


def test_a_batch_losing_a_race_with_another_worker_is_handled_one_by_one(system, monkeypatch):
    if system.bus_url.startswith("memory"):
        pytest.skip("a second writer during the batch's transaction needs PostgreSQL")
    raced, alone = _case_created_message("case-raced"), _case_created_message("case-alone")
    raced_id = json.loads(raced.body)["id"]
    real_handler = retention_handlers.track_case

    def another_worker_handles_it_meanwhile(event, envelope, uow):
        if envelope.id == raced_id:
            with system.retention.database.session() as other, other.begin():
                consumer = system.retention.names.consumer_name(system.retention.subscriptions[0])
                inbox.add_all(other, [(consumer, envelope)])
        real_handler(event, envelope=envelope, uow=uow)

    monkeypatch.setitem(system.retention.event_handlers, "track_case", another_worker_handles_it_meanwhile)
    worker = system.retention.worker()
    duplicates_before = _duplicates_skipped()
    with _received_batch(system, [raced, alone]) as batch:
        worker.handle_batch(batch)
    # The batch failed on the inbox's primary key; alone, the raced event is a known duplicate.
    assert _duplicates_skipped() == duplicates_before + 1
    assert _count(system.retention, retention_entries, retention_entries.c.item_id == "case-raced") == 0
    assert _count(system.retention, retention_entries, retention_entries.c.item_id == "case-alone") == 1
    assert _count(system.retention, inbox_table) == 2
    assert _left_in_queue(system) == 0


def test_idle_relays_keep_their_broker_connections(tmp_path, postgres_url, rabbitmq_url, bus_namespace, monkeypatch):
    """With a heartbeat every second, idle relays keep their first connections for three times the
    two intervals after which py-amqp gives a silent connection up, and still deliver."""
    connections = []

    def connect_counted(bus_url):
        connections.append(bus_url)
        return connect(bus_url, heartbeat=1)

    monkeypatch.setattr(relay_module, "connect", connect_counted)
    system = FlowSystem.build(tmp_path, postgres_url, rabbitmq_url, bus_namespace)
    try:
        system.start()
        relays = 2  # cases and retention
        eventually(lambda: len(connections) == relays)
        time.sleep(6)
        _create_case(system)
        eventually(lambda: _entries(system) == 1)
        assert len(connections) == relays
    finally:
        system.shutdown()


def test_an_event_no_queue_is_bound_for_is_marked_unroutable_and_kept(system):
    from datetime import UTC, datetime

    from sqlalchemy import insert

    with system.cases.database.session() as session, session.begin():
        session.execute(insert(outbox_table).values(
            event_id="lonely-1", tenant_id="t-1", event_type="cases.nobody.listens.v1", body="{}",
            created_at=datetime.now(UTC), unroutable=False,
        ))
    _create_case(system, title="Routed")
    with Connection(system.bus_url) as connection:
        declare_topology(connection.default_channel, system.cases.names)
        publisher = open_publisher(connection)
        system.cases.relay.relay_pending(publisher)
        publisher.close()
    with system.cases.database.session() as session:
        rows = {row.event_id: row for row in session.execute(select(outbox_table))}
    assert all(row.sent_at is not None for row in rows.values())
    if not system.bus_url.startswith("memory"):  # only RabbitMQ returns what it cannot route
        assert rows["lonely-1"].unroutable
        assert not any(row.unroutable for row in rows.values() if row.event_type == "cases.case.created.v1")
