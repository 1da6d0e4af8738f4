"""Keyset batches give exactly the rows of one ORDER BY, in its order, whatever the batch size."""

import itertools
from datetime import date

import pytest
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.orm import sessionmaker

from akta.db.paging import SortKey, iter_in_batches, ordered

metadata = MetaData()
things = Table(
    "things", metadata,
    Column("id", String(10), primary_key=True),
    Column("rank", Integer, nullable=False),
    Column("due", Date, nullable=True),
    Column("name", String(20), nullable=False),
)
# Mixed directions, repeated values and NULLs, as the lists of the cases service sort.
ORDERS = {
    "rank down, name up": (SortKey(things.c.rank, descending=True), SortKey(things.c.name), SortKey(things.c.id)),
    "due soonest, none last": (
        SortKey(things.c.due.is_(None)), SortKey(things.c.due), SortKey(things.c.rank, descending=True), SortKey(things.c.id),
    ),
    "name only": (SortKey(things.c.name), SortKey(things.c.id)),
}


@pytest.fixture
def sessions(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'things.db'}")
    metadata.create_all(engine)
    days = [date(2026, 1, 1), date(2026, 1, 2), None]
    with engine.begin() as connection:
        connection.execute(insert(things), [
            {"id": f"t{n:02d}", "rank": n % 4, "due": days[n % 3], "name": "ab"[n % 2]} for n in range(23)
        ])
    yield sessionmaker(engine)
    engine.dispose()


def _all_at_once(sessions, keys) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(things.c.id).order_by(*ordered(keys))))


@pytest.mark.parametrize("order", sorted(ORDERS))
@pytest.mark.parametrize("batch_size", [1, 2, 5, 22, 23, 100])
def test_batches_hold_every_row_once_in_the_order_of_one_query(sessions, order, batch_size):
    keys = ORDERS[order]
    batched = [row["id"] for row in iter_in_batches(sessions, select(things), keys, batch_size)]
    assert batched == _all_at_once(sessions, keys)
    assert len(batched) == len(set(batched)) == 23
    assert {tuple(row) for row in iter_in_batches(sessions, select(things), keys, batch_size)} == {("id", "rank", "due", "name")}


def test_rows_added_or_removed_meanwhile_shift_no_other_row(sessions):
    keys = ORDERS["rank down, name up"]
    before = _all_at_once(sessions, keys)
    rows = iter_in_batches(sessions, select(things), keys, batch_size=4)
    first = [row["id"] for row in itertools.islice(rows, 4)]
    with sessions() as session, session.begin():
        session.execute(things.delete().where(things.c.id.in_(before[:2] + [before[10]])))
        session.execute(insert(things).values(id="new", rank=99, due=None, name="a"))
    rest = [row["id"] for row in rows]
    assert first + rest == [thing for thing in before if thing != before[10]]


def test_each_batch_is_converted_inside_its_session(sessions):
    seen = []

    def convert(session, rows):
        seen.append(session.is_active)
        return [row["id"].upper() for row in rows]

    converted = list(iter_in_batches(sessions, select(things.c.id), ORDERS["name only"], 10, convert))
    assert converted == [thing.upper() for thing in _all_at_once(sessions, ORDERS["name only"])]
    assert seen == [True, True, True]
