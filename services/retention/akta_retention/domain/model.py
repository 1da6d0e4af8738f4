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
    ) -> None:
        super().__init__()
        self.id = id
        self.tenant_id = tenant_id
        self.item_kind = item_kind
        self.item_id = item_id
        self.item_reference = item_reference
        self.recorded_at = recorded_at

    @classmethod
    def track(cls, tenant_id: str, item_kind: str, item_id: str, item_reference: str, now: datetime) -> RetentionEntry:
        entry = cls(str(uuid.uuid4()), tenant_id, item_kind, item_id, item_reference, now)
        entry.record(RetentionEntryRecorded(entry_id=entry.id, item_kind=item_kind, item_id=item_id))
        return entry
