"""The composition root of the dispatch service (its domain arrives with its own issue)."""

from __future__ import annotations

from pathlib import Path

from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta.service import Service
from akta.web.app import create_app
from akta_dispatch.settings import DispatchSettings

PUBLISHED_EVENTS = ()
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def bootstrap(settings: DispatchSettings | None = None) -> Service:
    return Service(
        settings or DispatchSettings(),
        MIGRATIONS_DIR,
        PUBLISHED_EVENTS,
        SqlAlchemyUnitOfWork,
        build_api=lambda service: create_app("dispatch", "Akta dispatch", service.readiness_checks()),
    )
