"""The composition root of the dispatch service (its domain arrives with its own issue)."""

from __future__ import annotations

from pathlib import Path

from akta.access import replica as access_replica
from akta.contracts.audit import DispatchAuditRecorded
from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta.service import Service
from akta.web.app import create_app
from akta_dispatch.settings import DispatchSettings

PUBLISHED_EVENTS = (DispatchAuditRecorded,)
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
EVENT_HANDLERS = access_replica.HANDLERS


def bootstrap(settings: DispatchSettings | None = None) -> Service:
    return Service(
        settings or DispatchSettings(),
        MIGRATIONS_DIR,
        PUBLISHED_EVENTS,
        SqlAlchemyUnitOfWork,
        build_api=lambda service: create_app("dispatch", "Akta dispatch", service.readiness_checks()),
        event_handlers=EVENT_HANDLERS,
    )
