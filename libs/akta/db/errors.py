"""Telling 'the database is away or not migrated yet' from a real failure of a handler."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

_UNDEFINED_TABLE = "42P01"


def is_database_unavailable(error: BaseException) -> bool:
    """True when retrying later will likely succeed without anyone changing code or data:
    the connection failed or was cut, or a table is missing because migrations have not run."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or getattr(error.orig, "sqlstate", None) == _UNDEFINED_TABLE
    return False
