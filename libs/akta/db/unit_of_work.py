"""The unit of work: state, outbox (and later audit) rows commit together, or not at all."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from akta import context
from akta.aggregate import Aggregate
from akta.bus import inbox, outbox
from akta.contracts.base import Envelope, Event
from akta.db.database import Database
from akta.errors import PreconditionFailed


class UndeclaredEvent(Exception):
    """A service tried to publish an event type it does not declare."""


class ConcurrentChange(PreconditionFailed):
    """Two writers raced on one record; the later one must read again."""


CommitParticipant = Callable[["SqlAlchemyUnitOfWork"], None]
_participants: ContextVar[tuple[CommitParticipant, ...]] = ContextVar("akta_commit_participants", default=())


@contextmanager
def joining_every_commit(participant: CommitParticipant) -> Iterator[None]:
    """Within the block (this thread or task only), every SQLAlchemy unit of work calls
    `participant(uow)` just before it commits, inside its transaction: what the participant writes
    commits or rolls back with the work, and an exception it raises rolls the work back."""
    token = _participants.set((*_participants.get(), participant))
    try:
        yield
    finally:
        _participants.reset(token)


class UnitOfWork(abc.ABC):
    """Port: rolls back unless `commit()` is called. Subclasses expose the repositories."""

    def __init__(self, publishes: Iterable[type[Event]]) -> None:
        self.publishes = frozenset(event.event_type for event in publishes)

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, *exc_info) -> None:
        self.rollback()

    def commit(self) -> None:
        self.write_events_to_outbox()
        self._commit()

    def write_events_to_outbox(self) -> None:
        """Stage the events recorded so far, under the message context in force now.

        A consumer handling a batch calls this after each message, so each event carries the
        correlation and causation of the message that caused it."""
        for tenant_id, event in self.collect_new_events():
            self._add_to_outbox(self.envelope_for(tenant_id, event))

    def stage_event(self, tenant_id: str, event: Event) -> None:
        """Write one event to the outbox now, in this transaction, under the context in force
        now (audit records: they must commit or roll back with the change they describe)."""
        self._add_to_outbox(self.envelope_for(tenant_id, event))

    def collect_new_events(self) -> Iterator[tuple[str, Event]]:
        for aggregate in self.seen_aggregates():
            while aggregate.events:
                yield aggregate.tenant_id, aggregate.events.pop(0)

    def envelope_for(self, tenant_id: str, event: Event) -> Envelope:
        if event.event_type not in self.publishes:
            raise UndeclaredEvent(f"{event.event_type} is not among this service's published events")
        work = context.current()
        return Envelope.wrap(
            event,
            tenant=tenant_id,
            actor=work.actor,
            correlation_id=work.correlation_id,
            causation_id=work.causation_id,
        )

    def seen_aggregates(self) -> Iterable[Aggregate]:
        """Aggregates loaded or added through the repositories; subclasses with any override."""
        return ()

    @abc.abstractmethod
    def handled_already(self, consumer: str, event_ids: list[str]) -> set[str]:
        """Of these events, those `consumer` handled in units of work committed before."""

    @abc.abstractmethod
    def mark_consumed(self, consumer: str, envelope: Envelope) -> None:
        """Record that `consumer` handles this event in this unit of work; it commits with it."""

    @abc.abstractmethod
    def _add_to_outbox(self, envelope: Envelope) -> None: ...

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


class SqlAlchemyUnitOfWork(UnitOfWork):
    """Adapter on a service's database. Subclasses build repositories in `start(session)`."""

    def __init__(
        self,
        database: Database,
        publishes: Iterable[type[Event]],
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(publishes)
        self.database = database
        self.on_commit = on_commit
        self.session: Session | None = None
        self._staged_events: list[Envelope] = []
        self._consumed: list[tuple[str, Envelope]] = []

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        self.session = self.database.session()
        self._staged_events = []
        self._consumed = []
        self.start(self.session)
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            super().__exit__(*exc_info)
        finally:
            self.session.close()

    def start(self, session: Session) -> None:
        """Create the repositories on `session`."""

    def handled_already(self, consumer: str, event_ids: list[str]) -> set[str]:
        return inbox.handled_already(self.session, consumer, event_ids)

    # Inbox and outbox rows wait in memory and are written at commit, each kind in one INSERT:
    # a row at a time costs a round trip per event.
    def mark_consumed(self, consumer: str, envelope: Envelope) -> None:
        self._consumed.append((consumer, envelope))

    def _add_to_outbox(self, envelope: Envelope) -> None:
        self._staged_events.append(envelope)

    def commit(self) -> None:
        try:
            super().commit()
        except StaleDataError:
            raise ConcurrentChange(
                "someone else changed this record at the same moment; read it again"
            ) from None

    def _commit(self) -> None:
        for participant in _participants.get():
            participant(self)
        inbox.add_all(self.session, self._consumed)
        outbox.add_all(self.session, self._staged_events)
        self.session.commit()
        published = bool(self._staged_events)
        self._consumed, self._staged_events = [], []
        if published and self.on_commit:
            self.on_commit()

    def rollback(self) -> None:
        self._consumed, self._staged_events = [], []
        self.session.rollback()
