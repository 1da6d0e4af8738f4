"""The composition root of the intake service (its domain arrives with its own issue)."""

from __future__ import annotations

from pathlib import Path

from akta.access import replica as access_replica
from akta.contracts.audit import IntakeAuditRecorded
from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta.service import Service
from akta.web.app import create_app
from akta_intake.settings import IntakeSettings

PUBLISHED_EVENTS = (IntakeAuditRecorded,)
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
EVENT_HANDLERS = access_replica.HANDLERS


def bootstrap(settings: IntakeSettings | None = None) -> Service:
    return Service(
        settings or IntakeSettings(),
        MIGRATIONS_DIR,
        PUBLISHED_EVENTS,
        SqlAlchemyUnitOfWork,
        build_api=lambda service: create_app("intake", "Akta intake", service.readiness_checks()),
        event_handlers=EVENT_HANDLERS,
    )
