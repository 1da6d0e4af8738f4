"""The outbox relay: publishes committed events, marking them sent only after the broker's ack.

One relay of a service relays at a time. On PostgreSQL it holds an advisory lock for the service's
outbox while it does, so the rows it claims need no row locks (a lock is a tuple write per event);
the others find the lock taken and try again at their next round. On SQLite the relay claims,
publishes and marks a batch in one transaction, which holds the database's write lock.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import structlog
from kombu import Connection
from sqlalchemy import func, select
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
    """Events claimed and sent, waiting for the broker's confirms."""

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
        """Publish one batch; returns how many events it relayed (none while another relay of the
        service is relaying)."""
        with self._turn() as session:
            if session is None:
                return 0
            batch = self._claim_and_send(session, publisher, after=None)
            return self._finish(session, batch, publisher) if batch else 0

    def relay_pending(self, publisher, stop: threading.Event | None = None) -> int:
        """Publish batch after batch until the outbox is empty (or `stop` is set); returns how many
        events were relayed (none while another relay of the service is relaying). On PostgreSQL
        the next batch is claimed and sent while the broker confirms the one before, so neither the
        database nor the broker waits for the other. On SQLite one batch at a time: its
        transaction holds the write lock until the batch is marked sent. A batch sent but not
        confirmed when something fails stays unsent and goes out again."""
        with self._turn() as session:
            if session is None:
                return 0
            if not self._overlap:
                relayed = 0
                while not _stopping(stop) and (batch := self._claim_and_send(session, publisher, after=None)):
                    relayed += self._finish(session, batch, publisher)
                return relayed
            relayed, in_flight = 0, None
            while True:
                batch = None
                if not _stopping(stop):
                    after = in_flight.pending[-1].position if in_flight else None
                    batch = self._claim_and_send(session, publisher, after)
                if in_flight is not None:
                    relayed += self._finish(session, in_flight, publisher)
                if batch is None:
                    return relayed
                in_flight = batch

    @property
    def _overlap(self) -> bool:
        return self.database.is_postgresql

    @contextmanager
    def _turn(self) -> Iterator[Session | None]:
        """A session to relay with, or None while another relay of this service is relaying. On
        PostgreSQL the session's connection holds the service's relay lock until the block ends."""
        with self.database.engine.connect() as connection:
            if self._overlap:
                locked = connection.scalar(select(func.pg_try_advisory_lock(self._lock_key)))
                connection.commit()
                if not locked:
                    yield None
                    return
            try:
                with Session(bind=connection) as session:  # closing it rolls back what is unfinished
                    yield session
            except BaseException:
                # The connection may be broken: ending its server session releases the lock
                # whatever state it is in.
                connection.invalidate()
                raise
            if self._overlap:
                connection.scalar(select(func.pg_advisory_unlock(self._lock_key)))
                connection.commit()

    @property
    def _lock_key(self) -> int:
        """The advisory lock of this service's outbox: a 64-bit number from its schema and name."""
        name = f"akta.relay:{self.database.schema}:{self.service}".encode()
        return int.from_bytes(hashlib.blake2b(name, digest_size=8).digest(), "big", signed=True)

    def _claim_and_send(self, session: Session, publisher, after: int | None) -> _Batch | None:
        """Claim the next batch and hand it to the broker. On PostgreSQL the claim is a read that
        ends at once; on SQLite its transaction stays open until `_finish` commits."""
        pending = outbox.claim_pending(session, self.batch_size, after)
        if self._overlap or not pending:
            session.commit()
        if not pending:
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
        return _Batch(pending, sent)

    def _finish(self, session: Session, batch: _Batch, publisher) -> int:
        """Wait for the batch's confirms, then mark its events sent and commit."""
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


def _stopping(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()
