"""The inbox: one row per (consumer, event) handled, written with the handler's effects."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from akta.bus.tables import inbox_table
from akta.contracts.base import Envelope
from akta.db.types import utcnow


def handled_already(session: Session, consumer: str, event_ids: list[str]) -> set[str]:
    """Of these events, those `consumer` has handled already (one query)."""
    if not event_ids:
        return set()
    return set(
        session.scalars(
            select(inbox_table.c.event_id).where(
                inbox_table.c.consumer == consumer, inbox_table.c.event_id.in_(event_ids)
            )
        )
    )


def add_all(session: Session, consumed: list[tuple[str, Envelope]]) -> None:
    """Insert the inbox rows of (consumer, event) pairs, all of them in one INSERT.

    A concurrent duplicate that slipped past `handled_already` fails here on the primary key,
    which rolls its effects back with it.
    """
    if not consumed:
        return
    now = utcnow()
    session.execute(
        insert(inbox_table),
        [
            {
                "consumer": consumer,
                "event_id": envelope.id,
                "tenant_id": envelope.tenant,
                "event_type": envelope.type,
                "processed_at": now,
            }
            for consumer, envelope in consumed
        ],
    )
