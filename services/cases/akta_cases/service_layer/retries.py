"""Running a use case once more when a concurrent writer took the same unique key first."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from akta.errors import Conflict
from akta_cases.adapters.duplicates import DuplicateKey

Result = TypeVar("Result")


def once_more_on_duplicate(work: Callable[[], Result]) -> Result:
    """The second run sees the row the other transaction committed and takes the path for an
    existing one (dedup, idempotency)."""
    try:
        return work()
    except DuplicateKey:
        pass
    try:
        return work()
    except DuplicateKey:
        raise Conflict("another request stored the same record at this moment; send yours again") from None
