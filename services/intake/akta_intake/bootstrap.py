"""The composition root of the intake service (its domain arrives with its own issue)."""

from __future__ import annotations

from pathlib import Path

from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta.service import Service
from akta.web.app import create_app
from akta_intake.settings import IntakeSettings

PUBLISHED_EVENTS = ()
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def bootstrap(settings: IntakeSettings | None = None) -> Service:
    return Service(
        settings or IntakeSettings(),
        MIGRATIONS_DIR,
        PUBLISHED_EVENTS,
        SqlAlchemyUnitOfWork,
        build_api=lambda service: create_app("intake", "Akta intake", service.readiness_checks()),
    )
