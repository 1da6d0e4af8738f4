"""A unique key (an identifier, an idempotency key) taken by another transaction at the same
moment: the repository says so, the handler reads again and finds the winner."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


class DuplicateKey(Exception):
    """Another row holds this unique key; read again to find it."""


def flush_or_duplicate(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError:
        raise DuplicateKey from None
