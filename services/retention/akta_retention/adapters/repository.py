from __future__ import annotations

import abc

from sqlalchemy import select
from sqlalchemy.orm import Session

from akta_retention.domain.model import RetentionEntry


class RetentionEntryRepository(abc.ABC):
    def __init__(self) -> None:
        self.seen: set[RetentionEntry] = set()

    def add(self, entry: RetentionEntry) -> None:
        self._add(entry)
        self.seen.add(entry)

    @abc.abstractmethod
    def for_item(self, tenant_id: str, item_kind: str, item_id: str) -> RetentionEntry | None: ...

    @abc.abstractmethod
    def _add(self, entry: RetentionEntry) -> None: ...


class SqlAlchemyRetentionEntryRepository(RetentionEntryRepository):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def for_item(self, tenant_id: str, item_kind: str, item_id: str) -> RetentionEntry | None:
        return self.session.scalars(
            select(RetentionEntry).where(
                RetentionEntry.tenant_id == tenant_id,
                RetentionEntry.item_kind == item_kind,
                RetentionEntry.item_id == item_id,
            )
        ).one_or_none()

    def _add(self, entry: RetentionEntry) -> None:
        self.session.add(entry)
