from __future__ import annotations

import abc

from sqlalchemy import select
from sqlalchemy.orm import Session

from akta_retention.domain.model import RetentionEntry

ItemKey = tuple[str, str, str]
"""(tenant id, item kind, item id)"""


class RetentionEntryRepository(abc.ABC):
    def __init__(self) -> None:
        self.seen: set[RetentionEntry] = set()

    def add(self, entry: RetentionEntry) -> None:
        self._add(entry)
        self.seen.add(entry)

    @abc.abstractmethod
    def load_items(self, tenant_id: str, item_kind: str, item_ids: list[str]) -> None:
        """Look up the entries of many items at once, so that `for_item` needs no query for them."""

    @abc.abstractmethod
    def for_item(self, tenant_id: str, item_kind: str, item_id: str) -> RetentionEntry | None: ...

    @abc.abstractmethod
    def _add(self, entry: RetentionEntry) -> None: ...


class SqlAlchemyRetentionEntryRepository(RetentionEntryRepository):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        # What `load_items` found (None: no entry yet), kept current by `add`.
        self._loaded: dict[ItemKey, RetentionEntry | None] = {}

    def load_items(self, tenant_id: str, item_kind: str, item_ids: list[str]) -> None:
        wanted = {item_id for item_id in item_ids if (tenant_id, item_kind, item_id) not in self._loaded}
        if not wanted:
            return
        found = self.session.scalars(
            select(RetentionEntry).where(
                RetentionEntry.tenant_id == tenant_id,
                RetentionEntry.item_kind == item_kind,
                RetentionEntry.item_id.in_(sorted(wanted)),
            )
        )
        by_item = {entry.item_id: entry for entry in found}
        for item_id in wanted:
            self._loaded[(tenant_id, item_kind, item_id)] = by_item.get(item_id)

    def for_item(self, tenant_id: str, item_kind: str, item_id: str) -> RetentionEntry | None:
        key = (tenant_id, item_kind, item_id)
        if key in self._loaded:
            return self._loaded[key]
        return self.session.scalars(
            select(RetentionEntry).where(
                RetentionEntry.tenant_id == tenant_id,
                RetentionEntry.item_kind == item_kind,
                RetentionEntry.item_id == item_id,
            )
        ).one_or_none()

    def _add(self, entry: RetentionEntry) -> None:
        self.session.add(entry)
        self._loaded[(entry.tenant_id, entry.item_kind, entry.item_id)] = entry
