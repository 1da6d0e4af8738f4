"""The inbox: one row per (consumer, event) handled, written with the handler's effects."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from akta.bus.tables import inbox_table
from akta.contracts.base import Envelope
from akta.db.types import utcnow


def mark_consumed(session: Session, consumer: str, envelope: Envelope) -> bool:
    """Insert the inbox row; False when this consumer already handled the event.

    A concurrent duplicate that slips past the select fails on the primary key at commit,
    which rolls its effects back with it.
    """
    already = session.scalar(
        select(inbox_table.c.event_id).where(
            inbox_table.c.consumer == consumer, inbox_table.c.event_id == envelope.id
        )
    )
    if already is not None:
        return False
    session.execute(
        insert(inbox_table).values(
            consumer=consumer,
            event_id=envelope.id,
            tenant_id=envelope.tenant,
            event_type=envelope.type,
            processed_at=utcnow(),
        )
    )
    return True
