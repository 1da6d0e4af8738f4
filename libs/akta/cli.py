"""The command line every service shares: migrate, serve, worker, relay."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

import click
import structlog

from akta.logs import configure_logging
from akta.service import Service

log = structlog.get_logger("akta.cli")


def service_cli(bootstrap: Callable[[], Service], name: str) -> click.Group:
    """A click group for one service; `bootstrap` is only called by the command that runs."""

    @click.group(name=f"akta-{name}", help=f"Run and operate the Akta {name} service.")
    def group() -> None:
        pass

    def started() -> Service:
        service = bootstrap()
        configure_logging(service.settings.effective_log_format, service.settings.log_level)
        return service

    @group.command(help="Apply the database migrations of this service.")
    def migrate() -> None:
        service = started()
        service.migrate()
        log.info("migrated", service=name)

    @group.command(help="Serve the HTTP API under gunicorn.")
    @click.option("--bind", default="0.0.0.0:8000", show_default=True)
    @click.option("--workers", default=2, show_default=True)
    @click.option("--threads", default=4, show_default=True)
    def serve(bind: str, workers: int, threads: int) -> None:
        from akta.gunicorn import serve_with_gunicorn

        serve_with_gunicorn(lambda: started().app, bind=bind, workers=workers, threads=threads)

    @group.command(help="Consume this service's subscriptions from the bus.")
    def worker() -> None:
        service = started()
        consumer = service.worker()
        if consumer is None:
            raise click.ClickException(f"{name} subscribes to no events")
        consumer.run(_stop_on_signals())

    @group.command(help="Publish this service's outbox to the bus.")
    def relay() -> None:
        service = started()
        service.relay.run(_stop_on_signals())

    return group


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop
