"""Events published by the retention service."""

from __future__ import annotations

from akta.contracts.base import Event


class RetentionEntryRecorded(Event):
    event_type = "retention.entry.recorded.v1"
    subject_field = "entry_id"
    summary = "Retention started tracking an archived item (for now: a case)."

    entry_id: str
    item_kind: str
    item_id: str
