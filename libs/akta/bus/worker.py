"""The consumer side: one durable queue per subscription, idempotent handling, dead letters.

Messages are taken in batches and handled in one transaction with their inbox rows, then
acknowledged. When a batch fails, each message is handled alone with bounded retries and
backoff; one that still fails, or can never be parsed, is published to the dead-letter queue
with its reason and only then acknowledged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from kombu import Connection, Consumer
from kombu.message import Message

from akta import context
from akta.bus.connection import connect
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
                prefetch_count=self.prefetch,
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
        """Wait for a first message, then take what else is already there, up to prefetch."""
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
                for delivery in valid:
                    self._handle(delivery, uow)
                uow.commit()
        except Exception as error:
            if len(valid) > 1:
                log.info("batch failed; handling its messages one by one", error=repr(error))
            for delivery in valid:
                self._handle_alone(delivery, first_error=error if len(valid) == 1 else None)
            return
        for delivery in valid:
            delivery.message.ack()

    def _parse(self, delivery: Delivery) -> bool:
        try:
            delivery.envelope, delivery.event = parse_envelope(delivery.message.body)
        except PoisonMessage as error:
            self._dead_letter(delivery, str(error), attempts=0)
            return False
        if delivery.envelope.type not in delivery.subscription.event_types:
            self._dead_letter(delivery, f"{delivery.envelope.type} is not subscribed here", 0)
            return False
        return True

    def _handle(self, delivery: Delivery, uow: UnitOfWork) -> None:
        envelope = delivery.envelope
        subscription = delivery.subscription
        work = context.MessageContext(
            correlation_id=envelope.correlationid, causation_id=envelope.id, actor=envelope.actor
        )
        with context.bound(work):
            consumer_name = self.names.consumer_name(subscription)
            if not uow.mark_consumed(consumer_name, envelope):
                log.info("duplicate event skipped", event_id=envelope.id, type=envelope.type)
                CONSUMED_EVENTS.labels(self.service, subscription.handler, "duplicate").inc()
                return
            self.handlers[subscription.handler](delivery.event, envelope=envelope, uow=uow)
            uow.write_events_to_outbox()
            log.info("event handled", event_id=envelope.id, type=envelope.type, handler=subscription.handler)
            CONSUMED_EVENTS.labels(self.service, subscription.handler, "handled").inc()

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
                    self._handle(delivery, uow)
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
