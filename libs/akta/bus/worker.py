"""The consumer side: one durable queue per subscription, idempotent handling, dead letters.

Messages are taken in batches (the broker sends the next one meanwhile) and handled in one
transaction with their inbox rows, then acknowledged. When a batch fails, each message is handled
alone with bounded retries and backoff; one that still fails, or can never be parsed, is published
to the dead-letter queue with its reason and only then acknowledged.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from kombu import Connection, Consumer
from kombu.message import Message

from akta import context
from akta.bus.connection import connect, is_memory_url
from akta.bus.metrics import CONSUMED_EVENTS
from akta.bus.naming import BusNames
from akta.bus.publisher import OutboundMessage, broker_errors, open_publisher
from akta.bus.topology import declare_topology, subscription_queue
from akta.contracts import Envelope, Event, PoisonMessage, Subscription, parse_envelope
from akta.db.errors import is_database_unavailable
from akta.db.unit_of_work import UnitOfWork

log = structlog.get_logger("akta.bus.worker")

EventHandler = Callable[..., None]
"""`handler(event, envelope=..., uow=...)`: runs inside the worker's transaction; never commits."""


@dataclass(frozen=True)
class PreparedHandler:
    """An event handler with a step that runs once per batch, in its transaction, before the
    batch's events are handled: `prepare([(event, envelope), …], uow)`, e.g. to load in one query
    what `handle` would otherwise look up event by event. It must not change anything."""

    handle: EventHandler
    prepare: Callable[[list[tuple[Event, Envelope]], UnitOfWork], None]

    def __call__(self, event: Event, envelope: Envelope, uow: UnitOfWork) -> None:
        self.handle(event, envelope=envelope, uow=uow)


@dataclass(frozen=True)
class BatchHandler:
    """An event handler that takes all of a batch's events at once, in the batch's transaction:
    `handle_all([(event, envelope), …], uow)`, in delivery order, each event once (duplicates
    already left out). For handlers whose work is cheaper done for many rows in one statement than
    row by row. When the batch fails, the worker calls it again with each event alone.

    It runs under the first event's context. One that logs or raises events per event does so
    inside `with event_context(envelope):`, calling `uow.write_events_to_outbox()` there, so each
    line and event carries its own cause and correlation."""

    handle_all: Callable[[list[tuple[Event, Envelope]], UnitOfWork], None]

    def __call__(self, event: Event, envelope: Envelope, uow: UnitOfWork) -> None:
        self.handle_all([(event, envelope)], uow)


@dataclass
class Delivery:
    subscription: Subscription
    message: Message
    envelope: Envelope | None = None
    event: Event | None = None


class Worker:
    def __init__(
        self,
        service: str,
        subscriptions: tuple[Subscription, ...],
        handlers: dict[str, EventHandler],
        uow_factory: Callable[[], UnitOfWork],
        bus_url: str,
        names: BusNames,
        prefetch: int = 200,
        retry_delays: tuple[float, ...] = (0.5, 2.0, 10.0),
        reconnect_seconds: float = 1.0,
        ready_check: Callable[[], None] | None = None,
    ) -> None:
        missing = {s.handler for s in subscriptions} - set(handlers)
        if missing:
            raise ValueError(f"{service}: no handler for subscription(s) {sorted(missing)}")
        self.service = service
        self.subscriptions = subscriptions
        self._event_types = {subscription: frozenset(subscription.event_types) for subscription in subscriptions}
        self.handlers = handlers
        self.uow_factory = uow_factory
        self.bus_url = bus_url
        self.names = names
        self.prefetch = prefetch
        self.retry_delays = retry_delays
        self.reconnect_seconds = reconnect_seconds
        self._broker_errors = broker_errors(bus_url)
        self._received: list[Delivery] = []
        self._stop = threading.Event()
        self.ready_check = ready_check

    def run(self, stop: threading.Event) -> None:
        """Consume until `stop` is set, reconnecting whenever the broker goes away."""
        self._stop = stop
        log.info("worker started", service=self.service)
        self._wait_until_ready(stop)
        while not stop.is_set():
            try:
                with connect(self.bus_url) as connection:
                    connection.ensure_connection(max_retries=1)
                    self._consume(connection, stop)
            except self._broker_errors as error:
                log.warning("worker lost the broker; reconnecting", error=repr(error))
                stop.wait(self.reconnect_seconds)
            except Exception:
                log.exception("worker failed; restarting its consumer")
                stop.wait(self.reconnect_seconds)
        log.info("worker stopped", service=self.service)

    def _wait_until_ready(self, stop: threading.Event) -> None:
        """Consume only once the database answers and is migrated, or every event would fail."""
        while self.ready_check is not None and not stop.is_set():
            try:
                self.ready_check()
                return
            except Exception as error:  # whatever keeps it from being ready, wait and look again
                log.warning("worker waiting for its database", error=repr(error))
                stop.wait(self.reconnect_seconds)

    def _consume(self, connection: Connection, stop: threading.Event) -> None:
        channel = connection.channel()
        declare_topology(channel, self.names)
        self._dead_letters = open_publisher(connection)
        self._received = []
        consumers = [
            Consumer(
                channel,
                queues=[subscription_queue(self.names, subscription)],
                on_message=self._receiver(subscription),
                # Twice a batch: the next one arrives while this one is handled.
                prefetch_count=2 * self.prefetch,
                no_ack=False,
            )
            for subscription in self.subscriptions
        ]
        for consumer in consumers:
            consumer.consume()
        log.info("worker consuming", queues=[self.names.queue(s) for s in self.subscriptions])
        try:
            while not stop.is_set():
                self._receive(connection)
                if self._received:
                    batch, self._received = self._received, []
                    self.handle_batch(batch)
                connection.heartbeat_check()
        finally:
            for consumer in consumers:
                try:
                    consumer.cancel()
                except self._broker_errors:
                    pass

    def _receiver(self, subscription: Subscription):
        def receive(message: Message) -> None:
            self._received.append(Delivery(subscription, message))

        return receive

    def _receive(self, connection: Connection) -> None:
        """Wait for a first message, then take what else is already there: a batch of at most
        `prefetch` messages."""
        try:
            connection.drain_events(timeout=1.0)
        except TimeoutError:
            return
        while len(self._received) < self.prefetch:
            try:
                connection.drain_events(timeout=0)
            except TimeoutError:
                return

    def handle_batch(self, batch: list[Delivery]) -> None:
        valid = [delivery for delivery in batch if self._parse(delivery)]
        if not valid:
            return
        try:
            with self.uow_factory() as uow:
                handled = self._handle_all(valid, uow)
                uow.commit()
        except Exception as error:
            if len(valid) > 1:
                log.info("batch failed; handling its messages one by one", error=repr(error))
            for delivery in valid:
                self._handle_alone(delivery, first_error=error if len(valid) == 1 else None)
            return
        self._acknowledge(valid)
        self._count_handled(handled)
        log.info("batch handled", messages=len(valid), handled=len(handled))

    def _acknowledge(self, deliveries: list[Delivery]) -> None:
        """Acknowledge a handled batch. On RabbitMQ one ack with `multiple` settles every delivery
        of the channel up to the batch's last: all of them are in this batch or were settled before
        (batches are taken in delivery order), and one frame costs less than one per message. The
        in-process transport ignores `multiple`, so there each is acknowledged."""
        if is_memory_url(self.bus_url):
            for delivery in deliveries:
                delivery.message.ack()
            return
        last = max(deliveries, key=lambda delivery: delivery.message.delivery_tag)
        last.message.ack(multiple=True)

    def _parse(self, delivery: Delivery) -> bool:
        try:
            delivery.envelope, delivery.event = parse_envelope(delivery.message.body)
        except PoisonMessage as error:
            self._dead_letter(delivery, str(error), attempts=0)
            return False
        if delivery.envelope.type not in self._event_types[delivery.subscription]:
            self._dead_letter(delivery, f"{delivery.envelope.type} is not subscribed here", 0)
            return False
        return True

    def _handle_all(self, deliveries: list[Delivery], uow: UnitOfWork) -> list[Delivery]:
        """Handle each event once, in `uow`; returns the deliveries handled (not duplicates)."""
        first = self._first_deliveries(deliveries, uow)
        self._prepare(first, uow)
        together = []
        for delivery in first:
            if isinstance(self._handler(delivery), BatchHandler):
                together.append(delivery)
            else:
                self._handle(delivery, uow)
        self._handle_batches(together, uow)
        return first

    def _first_deliveries(self, deliveries: list[Delivery], uow: UnitOfWork) -> list[Delivery]:
        """The deliveries whose event the consumer has not handled yet, each event once; the
        others are logged as duplicates (and acknowledged with the batch). One inbox query per
        consumer; the inbox rows of the rest are staged in `uow`."""
        event_ids: dict[str, list[str]] = {}
        for delivery in deliveries:
            event_ids.setdefault(self._consumer(delivery), []).append(delivery.envelope.id)
        handled = {consumer: uow.handled_already(consumer, ids) for consumer, ids in event_ids.items()}
        first = []
        for delivery in deliveries:
            consumer = self._consumer(delivery)
            if delivery.envelope.id in handled[consumer]:
                self._skip_duplicate(delivery)
                continue
            handled[consumer].add(delivery.envelope.id)
            uow.mark_consumed(consumer, delivery.envelope)
            first.append(delivery)
        return first

    def _prepare(self, deliveries: list[Delivery], uow: UnitOfWork) -> None:
        by_handler: dict[str, list[tuple[Event, Envelope]]] = {}
        for delivery in deliveries:
            by_handler.setdefault(delivery.subscription.handler, []).append((delivery.event, delivery.envelope))
        for name, events in by_handler.items():
            handler = self.handlers[name]
            if isinstance(handler, PreparedHandler):
                handler.prepare(events, uow)

    def _handle_batches(self, deliveries: list[Delivery], uow: UnitOfWork) -> None:
        by_handler: dict[str, list[Delivery]] = {}
        for delivery in deliveries:
            by_handler.setdefault(delivery.subscription.handler, []).append(delivery)
        for name, handled_together in by_handler.items():
            # The batch's log lines carry the correlation of its first event.
            with event_context(handled_together[0].envelope):
                self.handlers[name].handle_all([(d.event, d.envelope) for d in handled_together], uow)
                uow.write_events_to_outbox()
            log.debug("events handled together", handler=name, events=len(handled_together))

    def _handler(self, delivery: Delivery) -> EventHandler:
        return self.handlers[delivery.subscription.handler]

    def _consumer(self, delivery: Delivery) -> str:
        return self.names.consumer_name(delivery.subscription)

    def _skip_duplicate(self, delivery: Delivery) -> None:
        envelope = delivery.envelope
        with event_context(envelope):
            log.info("duplicate event skipped", event_id=envelope.id, type=envelope.type)
        CONSUMED_EVENTS.labels(self.service, delivery.subscription.handler, "duplicate").inc()

    def _handle(self, delivery: Delivery, uow: UnitOfWork) -> None:
        envelope = delivery.envelope
        subscription = delivery.subscription
        with event_context(envelope):
            self.handlers[subscription.handler](delivery.event, envelope=envelope, uow=uow)
            uow.write_events_to_outbox()
            # DEBUG: a line per event costs more than some handlers; those doing real work log it.
            log.debug("event handled", event_id=envelope.id, type=envelope.type, handler=subscription.handler)

    def _count_handled(self, deliveries: list[Delivery]) -> None:
        for handler, count in Counter(delivery.subscription.handler for delivery in deliveries).items():
            CONSUMED_EVENTS.labels(self.service, handler, "handled").inc(count)

    def _handle_alone(self, delivery: Delivery, first_error: Exception | None) -> None:
        failures, error = (1, first_error) if first_error is not None else (0, None)
        if error is not None and is_database_unavailable(error):
            failures, error = 0, None
            self._wait_for_database(delivery, first_error, 0)
        outage_waits = 0
        while True:
            if error is not None:
                if failures > len(self.retry_delays):
                    self._dead_letter(delivery, f"handler failed {failures} times: {error!r}", failures)
                    return
                delay = self.retry_delays[failures - 1]
                log.warning(
                    "handler failed; retrying",
                    event_id=delivery.envelope.id,
                    failures=failures,
                    retry_in=delay,
                    error=repr(error),
                )
                CONSUMED_EVENTS.labels(self.service, delivery.subscription.handler, "retried").inc()
                if self._stop.wait(delay):
                    return  # shutting down: left unacknowledged, the broker redelivers it
            try:
                with self.uow_factory() as uow:
                    handled = self._handle_all([delivery], uow)
                    uow.commit()
            except self._broker_errors:
                raise
            except Exception as failure:
                if is_database_unavailable(failure):
                    # Not the handler's fault: wait as long as it takes, never dead-letter for it.
                    if not self._wait_for_database(delivery, failure, outage_waits):
                        return
                    outage_waits += 1
                    continue
                error = failure
                failures += 1
                continue
            delivery.message.ack()
            self._count_handled(handled)
            return

    def _wait_for_database(self, delivery: Delivery, error: Exception, waits_so_far: int) -> bool:
        """Back off while the database is away; False when the worker is stopping meanwhile."""
        delay = min(30.0, self.reconnect_seconds * 2**waits_so_far)
        log.warning("database unavailable; waiting", event_id=delivery.envelope.id, retry_in=delay, error=repr(error))
        CONSUMED_EVENTS.labels(self.service, delivery.subscription.handler, "waited").inc()
        return not self._stop.wait(delay)

    def _dead_letter(self, delivery: Delivery, reason: str, attempts: int) -> None:
        queue = self.names.queue(delivery.subscription)
        message = delivery.message
        log.error("message dead-lettered", queue=queue, reason=reason, message_id=message.properties.get("message_id"))
        headers = dict(message.headers or {})
        headers.update(
            {
                "x-akta-reason": reason[:1000],
                "x-akta-queue": queue,
                "x-akta-attempts": attempts,
                "x-akta-dead-lettered-at": datetime.now(UTC).isoformat(),
            }
        )
        self._dead_letters.publish(
            [
                OutboundMessage(
                    message_id=str(message.properties.get("message_id") or ""),
                    exchange=self.names.dead_letter_exchange,
                    routing_key=queue,
                    body=message.body if isinstance(message.body, bytes) else str(message.body).encode(),
                    headers=headers,
                )
            ]
        )
        message.ack()
        CONSUMED_EVENTS.labels(self.service, delivery.subscription.handler, "dead").inc()


def event_context(envelope: Envelope) -> AbstractContextManager[context.MessageContext]:
    """Work caused by an event carries its correlation; the event is its cause."""
    return context.bound(
        context.MessageContext(correlation_id=envelope.correlationid, causation_id=envelope.id, actor=envelope.actor)
    )
