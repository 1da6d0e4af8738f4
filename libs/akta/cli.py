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

    metrics_port = click.option(
        "--metrics-port", type=int, default=None, help="Serve Prometheus metrics on this port."
    )

    @group.command(help="Consume this service's subscriptions from the bus, and run its background loops.")
    @metrics_port
    def worker(metrics_port: int | None) -> None:
        service = started()
        _serve_metrics(metrics_port)
        consumer = service.worker()
        if consumer is None:
            raise click.ClickException(f"{name} subscribes to no events")
        stop = _stop_on_signals()
        loops = service.start_loops(stop)
        consumer.run(stop)
        for loop in loops:
            loop.join(timeout=30)

    @group.command(help="Publish this service's outbox to the bus.")
    @metrics_port
    def relay(metrics_port: int | None) -> None:
        service = started()
        _serve_metrics(metrics_port)
        service.relay.run(_stop_on_signals())

    @group.command("purge-idempotency-keys", help="Forget Idempotency-Keys older than 7 days (the relay also does, hourly).")
    def purge_idempotency_keys() -> None:
        from akta.db.idempotency_keys import purge_idempotency_keys as purge

        click.echo(f"{purge(started().database)} expired idempotency keys purged")

    @group.group("dead-letters", help="Messages this service's worker could not handle.")
    def dead_letters() -> None:
        pass

    @dead_letters.command("list", help="Show dead letters and why they failed (they stay queued).")
    @click.option("--limit", default=50, show_default=True)
    def list_dead_letters(limit: int) -> None:
        from akta.bus import dead_letters as operations

        service = started()
        for subscription in service.subscriptions:
            letters = operations.peek(service.settings.bus_url, service.names, subscription, limit)
            click.echo(f"{service.names.dead_letter_queue(subscription)}: {len(letters)} shown")
            for letter in letters:
                click.echo(f"  {letter.message_id}  {letter.dead_lettered_at}  attempts={letter.attempts}  {letter.reason}")

    @dead_letters.command("replay", help="Put dead letters back on their queue, e.g. after a fix.")
    @click.option("--limit", default=1000, show_default=True)
    def replay_dead_letters(limit: int) -> None:
        from akta.bus import dead_letters as operations

        service = started()
        for subscription in service.subscriptions:
            moved = operations.replay(service.settings.bus_url, service.names, subscription, limit)
            click.echo(f"{service.names.dead_letter_queue(subscription)}: {moved} replayed")

    return group


def _serve_metrics(port: int | None) -> None:
    if port:
        from prometheus_client import start_http_server

        start_http_server(port)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop
