"""Retention entries: every archived item retention tracks until its disposal or deposit."""

from __future__ import annotations

import uuid
from datetime import datetime

from akta.aggregate import Aggregate
from akta.contracts.retention import RetentionEntryRecorded


class RetentionEntry(Aggregate):
    def __init__(
        self,
        id: str,
        tenant_id: str,
        item_kind: str,
        item_id: str,
        item_reference: str,
        recorded_at: datetime,
        access_group_id: str | None = None,
        screening_code: str | None = None,
        item_version: int = 1,
    ) -> None:
        super().__init__()
        self.id = id
        self.tenant_id = tenant_id
        self.item_kind = item_kind
        self.item_id = item_id
        self.item_reference = item_reference
        self.recorded_at = recorded_at
        self.access_group_id = access_group_id
        self.screening_code = screening_code
        self.item_version = item_version

    @classmethod
    def track(
        cls,
        tenant_id: str,
        item_kind: str,
        item_id: str,
        item_reference: str,
        now: datetime,
        access_group_id: str | None,
        screening_code: str | None,
        item_version: int = 1,
    ) -> RetentionEntry:
        entry = cls(
            str(uuid.uuid4()), tenant_id, item_kind, item_id, item_reference, now,
            access_group_id, screening_code, item_version,
        )
        entry.record(RetentionEntryRecorded(entry_id=entry.id, item_kind=item_kind, item_id=item_id))
        return entry

    def follow_access(self, access_group_id: str | None, screening_code: str | None, item_version: int) -> None:
        """Whoever may see the item may see its entry, and nobody else. Changes may arrive out
        of order: only a newer version of the item counts."""
        if item_version > self.item_version:
            self.access_group_id = access_group_id
            self.screening_code = screening_code
            self.item_version = item_version
