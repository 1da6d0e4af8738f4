"""`akta-embedded run`: the whole system in one process. `akta-gateway serve`: the real front door."""

from __future__ import annotations

import click
import httpx
import structlog

from akta.logs import configure_logging
from akta_gateway.settings import GatewaySettings

log = structlog.get_logger("akta.gateway")


@click.group(help="Run Akta embedded: all services in one process.")
def embedded() -> None:
    pass


@embedded.command(help="Migrate, load demo data and serve everything on one port.")
@click.option("--host", default=None, help="Defaults to AKTA_GATEWAY_HOST or 127.0.0.1.")
@click.option("--port", default=None, type=int, help="Defaults to AKTA_GATEWAY_PORT or 8000.")
def run(host: str | None, port: int | None) -> None:
    import waitress

    from akta_gateway.embedded import build_embedded, load_demo_data

    settings = GatewaySettings()
    configure_logging(settings.effective_log_format, settings.log_level)
    system = build_embedded(settings=settings)
    system.start()
    credentials = load_demo_data(system) if settings.load_demo_data else {}
    host = host or settings.host
    port = port or settings.port
    click.echo(f"\n  Akta is running on http://{host}:{port}/  (data in {settings.data_dir.resolve()})")
    if credentials:
        click.echo(
            f"  Sign in: POST http://{host}:{port}/api/identity/token with organisation "
            f"'{credentials['organisation']}', username '{credentials['username']}', "
            f"password '{credentials['password']}',\n"
            f"  or in a browser at http://{host}:{port}/login\n"
        )
    try:
        waitress.serve(system.wsgi_app, host=host, port=port, threads=8, ident="akta")
    finally:
        system.shutdown()


@click.group(help="The Akta gateway in real mode.")
def gateway() -> None:
    pass


@gateway.command(help="Apply the database migrations of the gateway (its web sessions table).")
def migrate() -> None:
    from akta.db import migrations
    from akta_gateway.bootstrap import MIGRATIONS_DIR, open_database

    settings = GatewaySettings()
    configure_logging(settings.effective_log_format, settings.log_level)
    migrations.upgrade(open_database(settings), MIGRATIONS_DIR)
    log.info("migrated", service="gateway")


@gateway.command(help="Serve the front door under gunicorn, proxying /api/<service>/ to each service.")
@click.option("--bind", default="0.0.0.0:8000", show_default=True)
@click.option("--workers", default=2, show_default=True)
@click.option("--threads", default=8, show_default=True)
def serve(bind: str, workers: int, threads: int) -> None:
    from akta.gunicorn import serve_with_gunicorn
    from akta_gateway.bootstrap import bootstrap
    from akta_gateway.proxy import proxies

    def load_app():
        settings = GatewaySettings()
        configure_logging(settings.effective_log_format, settings.log_level)
        if "identity" not in settings.service_urls:
            raise SystemExit("gateway: AKTA_GATEWAY_SERVICE_URLS must name identity's URL (web sign-in uses it)")
        identity = httpx.Client(base_url=settings.service_urls["identity"], timeout=httpx.Timeout(10.0, connect=5.0))
        return bootstrap(proxies(settings.service_urls), identity, settings).wsgi_app

    serve_with_gunicorn(load_app, bind=bind, workers=workers, threads=threads)
