"""A `BatchHandler` takes a batch's events in one call, on both transports; a failing batch is
handled again event by event."""

import json

from sqlalchemy import select

from akta.bus.tables import outbox_table
from akta.bus.worker import BatchHandler, event_context
from akta_retention.adapters.orm import retention_entries
from akta_retention.service_layer import handlers as retention_handlers
from tests.integration import test_bus as bus_suite
from tests.integration.test_bus import _case_created_message, _count, _left_in_queue, _received_batch

# The bus suite's fixtures: both transports, and the namespace its message helpers publish to.
system = bus_suite.system
_remember_namespace = bus_suite._remember_namespace


def _recording_batch_handler(calls: list[list[str]], fail_when_more_than: int | None = None) -> BatchHandler:
    """Retention's own handler, called event by event (each under its event's context) inside
    one `handle_all`, which records the case ids of each call."""

    def handle_all(events, uow):
        calls.append([event.case_id for event, _ in events])
        if fail_when_more_than is not None and len(events) > fail_when_more_than:
            raise RuntimeError("this handler fails on batches")
        for event, envelope in events:
            with event_context(envelope):
                retention_handlers.track_case(event, envelope=envelope, uow=uow)
                uow.write_events_to_outbox()

    return BatchHandler(handle_all)


def test_a_batch_handler_gets_the_batch_once_in_order_without_duplicates(system):
    calls: list[list[str]] = []
    worker = system.retention.worker()
    worker.handlers["track_case"] = _recording_batch_handler(calls)
    twice = _case_created_message("case-b")
    messages = [_case_created_message("case-a"), twice, _case_created_message("case-c"), twice]
    with _received_batch(system, messages) as batch:
        worker.handle_batch(batch)
    assert calls == [["case-a", "case-b", "case-c"]]
    assert _count(system.retention, retention_entries) == 3
    with system.retention.database.session() as session:
        caused_by = sorted(json.loads(body)["causationid"] for body in session.scalars(select(outbox_table.c.body)))
    causes = sorted({json.loads(message.body)["id"] for message in messages})
    assert caused_by == causes, "the handler's events reach the outbox, each caused by its own event"
    assert _left_in_queue(system) == 0


def test_a_failing_batch_is_handed_to_the_batch_handler_event_by_event(system):
    calls: list[list[str]] = []
    worker = system.retention.worker()
    worker.handlers["track_case"] = _recording_batch_handler(calls, fail_when_more_than=1)
    messages = [_case_created_message("case-x"), _case_created_message("case-y")]
    with _received_batch(system, messages) as batch:
        worker.handle_batch(batch)
    assert calls == [["case-x", "case-y"], ["case-x"], ["case-y"]]
    assert _count(system.retention, retention_entries) == 2
    assert _left_in_queue(system) == 0
