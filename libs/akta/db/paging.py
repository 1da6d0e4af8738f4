"""One page of a list query and the total it was cut from; every row of it, batch by batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select
from sqlalchemy.orm import Session


def fetch_page(session: Session, query: Select, offset: int, limit: int) -> tuple[list, int]:
    """Rows `offset`..`offset+limit` of `query` (which carries its own order) and the total."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.offset(offset).limit(limit)).mappings().all()
    return list(rows), total


@dataclass(frozen=True)
class SortKey:
    """One term of a list's order. A column that may be NULL must come after a key that sorts
    its NULLs apart (e.g. `column.is_(None)`): PostgreSQL and SQLite put NULLs at opposite ends."""

    column: ColumnElement
    descending: bool = False

    def term(self):
        return self.column.desc() if self.descending else self.column.asc()


def ordered(keys: Sequence[SortKey]) -> list:
    """The ORDER BY terms of `keys`: a list and its export sort by the same ones."""
    return [key.term() for key in keys]


def iter_in_batches(
    open_session: Callable[[], Session],
    query: Select,
    keys: Sequence[SortKey],
    batch_size: int = 500,
    convert: Callable[[Session, list], Iterable[Any]] | None = None,
) -> Iterator[Any]:
    """Every row of `query` in the order of `keys` (the last key unique, e.g. the id), read
    `batch_size` at a time, each batch in a short session of its own that continues after the
    last row of the one before (keyset paging): a long download holds no connection, and rows
    added or removed meanwhile shift no other row into a batch twice or out of every batch. Only
    a row whose own sort values change during the download can cross the point reached: left out
    if it moves behind it, read again if it moves ahead. `convert(session, rows)` turns a batch
    into what is yielded, inside its session (default: the rows, as dicts)."""
    labels = [f"_sort_{position}" for position in range(len(keys))]
    batch_query = (
        query.add_columns(*(key.column.label(label) for key, label in zip(keys, labels, strict=True)))
        .order_by(None)
        .order_by(*ordered(keys))
        .limit(batch_size)
    )
    reached: list | None = None
    while True:
        batch = batch_query if reached is None else batch_query.where(_after(keys, reached))
        with open_session() as session:
            rows = session.execute(batch).mappings().all()
            plain = [{name: value for name, value in row.items() if name not in labels} for row in rows]
            found = list(convert(session, plain)) if convert else plain
        yield from found
        if len(rows) < batch_size:
            return
        reached = [rows[-1][label] for label in labels]


def _after(keys: Sequence[SortKey], values: list) -> ColumnElement[bool]:
    """Rows that sort after the row with `values`: beyond it on the first key, or equal there
    and after it on the rest. The first key also bounds the range, so an index on it is used."""
    condition = None
    for key, value in reversed(list(zip(keys, values, strict=True))):
        beyond = _beyond(key, value)
        condition = beyond if condition is None else or_(beyond, and_(_equal(key, value), condition))
    first, first_value = keys[0], values[0]
    if first_value is None:
        return condition
    bound = first.column <= _value(first, first_value) if first.descending else first.column >= _value(first, first_value)
    return and_(bound, condition)


def _beyond(key: SortKey, value) -> ColumnElement[bool]:
    if value is None:
        return false()  # NULLs are sorted apart by an earlier key: none lies beyond this one
    return key.column < _value(key, value) if key.descending else key.column > _value(key, value)


def _equal(key: SortKey, value) -> ColumnElement[bool]:
    return key.column.is_(None) if value is None else key.column == _value(key, value)


def _value(key: SortKey, value):
    """The value as a parameter of the key's type: SQLAlchemy compares a bare True or False
    (the value of a key such as `column.is_(None)`) with = and != only."""
    return literal(value, key.column.type)
