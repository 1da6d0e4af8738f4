"""Mapping pure domain aggregates onto tables (SQLAlchemy's imperative mapping)."""

from __future__ import annotations

from sqlalchemy import Table, event
from sqlalchemy.orm import registry


def map_aggregate(mapper_registry: registry, aggregate_class: type, table: Table, **options) -> None:
    """Map `aggregate_class` onto `table`; loaded instances get the empty event list that
    `Aggregate.__init__` would have given them (the ORM does not call `__init__`)."""
    mapper_registry.map_imperatively(aggregate_class, table, **options)
    event.listen(aggregate_class, "load", _start_with_no_events)


def _start_with_no_events(aggregate, _context) -> None:
    aggregate.events = []
