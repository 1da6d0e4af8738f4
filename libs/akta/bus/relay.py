"""The outbox relay: publishes committed events, marking them sent only after the broker's ack."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import structlog
from kombu import Connection
from sqlalchemy.orm import Session

from akta.bus import outbox
from akta.bus.connection import connect, keep_alive
from akta.bus.metrics import OUTBOX_PENDING, RELAYED_EVENTS
from akta.bus.naming import BusNames
from akta.bus.publisher import OutboundMessage, PublishFailed, Sent, broker_errors, open_publisher
from akta.bus.topology import declare_topology
from akta.db.database import Database
from akta.db.idempotency_keys import purge_idempotency_keys

log = structlog.get_logger("akta.bus.relay")


@dataclass
class _Batch:
    """Events claimed in `session`'s transaction and sent, waiting for the broker's confirms."""

    session: Session
    pending: list[outbox.PendingEvent]
    sent: Sent


class Relay:
    def __init__(
        self,
        service: str,
        database: Database,
        bus_url: str,
        names: BusNames,
        batch_size: int = 1000,
        idle_seconds: float = 0.2,
        keep_sent: timedelta = timedelta(days=7),
        reconnect_seconds: float = 1.0,
    ) -> None:
        self.service = service
        self.database = database
        self.bus_url = bus_url
        self.names = names
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.keep_sent = keep_sent
        self.reconnect_seconds = reconnect_seconds
        self.wakeup = threading.Event()
        self._last_purge = 0.0
        self._broker_errors = broker_errors(bus_url)

    def relay_once(self, publisher) -> int:
        """Publish one batch; returns how many events it relayed."""
        batch = self._claim_and_send(publisher, after=None)
        if batch is None:
            return 0
        return self._finish(batch, publisher)

    def relay_pending(self, publisher, stop: threading.Event | None = None) -> int:
        """Publish batch after batch until the outbox is empty (or `stop` is set); returns how many
        events were relayed. On PostgreSQL the next batch is claimed and sent while the broker
        confirms the one before, so neither the database nor the broker waits for the other. On
        SQLite a second writing transaction would wait for the first: one batch at a time."""
        if not self._overlap:
            relayed = 0
            while (stop is None or not stop.is_set()) and (count := self.relay_once(publisher)):
                relayed += count
            return relayed
        relayed, in_flight = 0, None
        try:
            while stop is None or not stop.is_set():
                after = in_flight.pending[-1].position if in_flight else None
                batch = self._claim_and_send(publisher, after)
                previous, in_flight = in_flight, batch
                if previous is not None:
                    relayed += self._finish(previous, publisher)
                if batch is None:
                    break
        finally:
            if in_flight is not None:  # not confirmed: its events stay unsent and go out again
                in_flight.session.close()
        return relayed

    @property
    def _overlap(self) -> bool:
        return self.database.engine.dialect.name == "postgresql"

    def _claim_and_send(self, publisher, after: int | None) -> _Batch | None:
        """Claim the next batch in a transaction of its own and hand it to the broker."""
        session = self.database.session()
        try:
            session.begin()
            pending = outbox.claim_pending(session, self.batch_size, after)
            if not pending:
                session.close()
                return None
            sent = publisher.send(
                [
                    OutboundMessage(
                        message_id=event.event_id,
                        exchange=self.names.events_exchange,
                        routing_key=event.event_type,
                        body=event.body.encode("utf-8"),
                    )
                    for event in pending
                ]
            )
        except BaseException:
            session.close()
            raise
        return _Batch(session, pending, sent)

    def _finish(self, batch: _Batch, publisher) -> int:
        """Wait for the batch's confirms, then mark its events sent and commit."""
        with batch.session as session:
            unroutable_ids = publisher.wait(batch.sent)
            unroutable = {event.position for event in batch.pending if event.event_id in unroutable_ids}
            outbox.mark_sent(session, [event.position for event in batch.pending], unroutable)
            session.commit()
        if unroutable:
            log.warning("events unroutable: no queue is bound for them", count=len(unroutable))
        RELAYED_EVENTS.labels(service=self.service).inc(len(batch.pending))
        return len(batch.pending)

    def run(self, stop: threading.Event) -> None:
        """Relay until `stop` is set, reconnecting to the broker whenever it goes away."""
        log.info("relay started", service=self.service)
        while not stop.is_set():
            try:
                with connect(self.bus_url) as connection:
                    connection.ensure_connection(max_retries=1)
                    declare_topology(connection.default_channel, self.names)
                    publisher = open_publisher(connection, window=self.batch_size)
                    log.info("relay connected", service=self.service)
                    self._relay_until_stopped(publisher, connection, stop)
            except (PublishFailed, *self._broker_errors) as error:
                log.warning("relay lost the broker; reconnecting", error=repr(error))
                stop.wait(self.reconnect_seconds)
            except Exception:
                log.exception("relay failed; retrying")
                stop.wait(self.reconnect_seconds)
        log.info("relay stopped", service=self.service)

    def _relay_until_stopped(self, publisher, connection: Connection, stop: threading.Event) -> None:
        while not stop.is_set():
            self.relay_pending(publisher, stop)
            self._purge_now_and_then()
            self.wakeup.wait(self.idle_seconds)
            self.wakeup.clear()
            keep_alive(connection)

    def _purge_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._last_purge < 3600:
            return
        self._last_purge = now
        with self.database.session() as session, session.begin():
            purged = outbox.purge_sent(session, self.keep_sent)
            OUTBOX_PENDING.labels(service=self.service).set(outbox.count_pending(session))
        if purged:
            log.info("purged sent outbox rows", count=purged)
        expired = purge_idempotency_keys(self.database)
        if expired:
            log.info("purged expired idempotency keys", count=expired)
