"""One page of a list query and the total it was cut from."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def fetch_page(session: Session, query: Select, offset: int, limit: int) -> tuple[list, int]:
    """Rows `offset`..`offset+limit` of `query` (which carries its own order) and the total."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.offset(offset).limit(limit)).mappings().all()
    return list(rows), total
