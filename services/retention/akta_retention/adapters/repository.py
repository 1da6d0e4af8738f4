from __future__ import annotations

import abc

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from akta_retention.adapters.orm import retention_entries
from akta_retention.domain.model import RetentionEntry

ItemKey = tuple[str, str, str]
"""(tenant id, item kind, item id)"""

Access = tuple[str | None, str | None, int]
"""(access group id, screening code, item version): what changes on an entry once recorded."""


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
    """Entries read and written with Core statements. What is added or changed is written by
    `save`, which the unit of work calls at commit: the new entries in one INSERT."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        # Every entry looked up (None: the item has none yet) or added, by item.
        self._known: dict[ItemKey, RetentionEntry | None] = {}
        # The access of each entry as it is in the database; added entries are not there yet.
        self._stored_access: dict[str, Access] = {}

    def load_items(self, tenant_id: str, item_kind: str, item_ids: list[str]) -> None:
        wanted = {item_id for item_id in item_ids if (tenant_id, item_kind, item_id) not in self._known}
        if not wanted:
            return
        rows = self.session.execute(
            select(retention_entries).where(
                retention_entries.c.tenant_id == tenant_id,
                retention_entries.c.item_kind == item_kind,
                retention_entries.c.item_id.in_(sorted(wanted)),
            )
        )
        found = {row.item_id: self._loaded(row) for row in rows}
        for item_id in wanted:
            self._known[(tenant_id, item_kind, item_id)] = found.get(item_id)

    def for_item(self, tenant_id: str, item_kind: str, item_id: str) -> RetentionEntry | None:
        key = (tenant_id, item_kind, item_id)
        if key not in self._known:
            row = self.session.execute(
                select(retention_entries).where(
                    retention_entries.c.tenant_id == tenant_id,
                    retention_entries.c.item_kind == item_kind,
                    retention_entries.c.item_id == item_id,
                )
            ).one_or_none()
            self._known[key] = self._loaded(row) if row else None
        return self._known[key]

    def _add(self, entry: RetentionEntry) -> None:
        self._known[(entry.tenant_id, entry.item_kind, entry.item_id)] = entry

    def save(self) -> None:
        """Insert the entries added since the last save, update those whose access changed."""
        entries = [entry for entry in self._known.values() if entry is not None]
        added = [entry for entry in entries if entry.id not in self._stored_access]
        changed = [entry for entry in entries if self._stored_access.get(entry.id, _access(entry)) != _access(entry)]
        if added:
            self.session.execute(insert(retention_entries), [_row(entry) for entry in added])
        for entry in changed:
            access_group_id, screening_code, item_version = _access(entry)
            self.session.execute(
                update(retention_entries)
                .where(retention_entries.c.id == entry.id)
                .values(access_group_id=access_group_id, screening_code=screening_code, item_version=item_version)
            )
        for entry in added + changed:
            self._stored_access[entry.id] = _access(entry)

    def _loaded(self, row) -> RetentionEntry:
        entry = RetentionEntry(
            row.id, row.tenant_id, row.item_kind, row.item_id, row.item_reference, row.recorded_at,
            row.access_group_id, row.screening_code, row.item_version,
        )
        self._stored_access[entry.id] = _access(entry)
        return entry


def _access(entry: RetentionEntry) -> Access:
    return entry.access_group_id, entry.screening_code, entry.item_version


def _row(entry: RetentionEntry) -> dict:
    return {
        "id": entry.id,
        "tenant_id": entry.tenant_id,
        "item_kind": entry.item_kind,
        "item_id": entry.item_id,
        "item_reference": entry.item_reference,
        "recorded_at": entry.recorded_at,
        "access_group_id": entry.access_group_id,
        "screening_code": entry.screening_code,
        "item_version": entry.item_version,
    }
