"""Mapping pure domain aggregates onto tables (SQLAlchemy's imperative mapping)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import Table, event
from sqlalchemy.orm import registry

_lock = threading.Lock()
_done: set[str] = set()


def map_once(name: str, mapping: Callable[[], None]) -> None:
    """Run a module's mapping the first time any thread asks for it, and never again."""
    with _lock:
        if name not in _done:
            mapping()
            _done.add(name)


def map_aggregate(mapper_registry: registry, aggregate_class: type, table: Table, **options) -> None:
    """Map `aggregate_class` onto `table`; loaded instances get the empty event list that
    `Aggregate.__init__` would have given them (the ORM does not call `__init__`)."""
    mapper_registry.map_imperatively(aggregate_class, table, **options)
    event.listen(aggregate_class, "load", _start_with_no_events)


def _start_with_no_events(aggregate, _context) -> None:
    aggregate.events = []
