"""The composition root of the gateway, the same in both modes: its session database, the
identity client, its pages, and the session middleware around every /api/<service> mount."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix

from akta.db import migrations
from akta.db.database import Database
from akta_gateway.app import create_gateway_app
from akta_gateway.identity_client import IdentityClient
from akta_gateway.session_auth import SessionAuth
from akta_gateway.session_store import SessionStore
from akta_gateway.sessions import SessionPolicy, Sessions
from akta_gateway.settings import GatewaySettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


@dataclass
class Gateway:
    database: Database
    sessions: Sessions
    wsgi_app: object

    def migrate(self) -> None:
        migrations.upgrade(self.database, MIGRATIONS_DIR)


def open_database(settings: GatewaySettings) -> Database:
    return Database(
        settings.effective_database_url, settings.effective_database_schema, pool_size=settings.database_pool_size
    )


def bootstrap(mounts: dict[str, object], identity_http: httpx.Client, settings: GatewaySettings) -> Gateway:
    """`mounts`: each service's WSGI app by name (in-process apps, or proxies in real mode);
    `identity_http`: an httpx client whose base URL is identity's API root."""
    database = open_database(settings)
    sessions = Sessions(
        SessionStore(database),
        IdentityClient(identity_http),
        SessionPolicy(idle_timeout=settings.session_idle_timeout, lifetime=settings.session_lifetime),
    )
    readiness = {"database": database.ping, "migrations": _migrated_check(database)}
    front = create_gateway_app(sorted(mounts), sessions, settings, readiness)
    guarded = {f"/api/{name}": SessionAuth(app, sessions) for name, app in mounts.items()}
    wsgi_app = DispatcherMiddleware(front, guarded)
    if settings.trusted_proxy_hops:
        # Behind the ingress: the browser's address and scheme (secure cookies, audit records).
        wsgi_app = ProxyFix(wsgi_app, x_for=settings.trusted_proxy_hops, x_proto=settings.trusted_proxy_hops)
    return Gateway(database, sessions, wsgi_app)


def _migrated_check(database: Database):
    migrated = False

    def check() -> None:
        nonlocal migrated
        if not migrated:
            current = migrations.current_revisions(database)
            expected = migrations.head_revisions(MIGRATIONS_DIR)
            if current != expected:
                raise RuntimeError(f"database at {sorted(current)}, code expects {sorted(expected)}: run migrate")
            migrated = True

    return check
