"""The composition root of the retention service."""

from __future__ import annotations

from pathlib import Path

from akta.contracts.audit import RetentionAuditRecorded
from akta.contracts.retention import RetentionEntryRecorded
from akta.service import Service
from akta_retention.entrypoints.api import create_api
from akta_retention.service_layer.handlers import EVENT_HANDLERS
from akta_retention.service_layer.unit_of_work import RetentionUnitOfWork
from akta_retention.settings import RetentionSettings

PUBLISHED_EVENTS = (RetentionEntryRecorded, RetentionAuditRecorded)
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def bootstrap(settings: RetentionSettings | None = None) -> Service:
    return Service(
        settings or RetentionSettings(),
        MIGRATIONS_DIR,
        PUBLISHED_EVENTS,
        RetentionUnitOfWork,
        build_api=create_api,
        event_handlers=EVENT_HANDLERS,
    )
