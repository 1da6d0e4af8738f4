"""A service composed from its parts; each service's `bootstrap` builds one of these.

The same object serves every way a service runs: its HTTP app under gunicorn, its worker, its
relay, its migrations, or all of them inside the embedded process.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from akta.access.store import AccessStore, ReplicaAccessStore
from akta.auth.tokens import TokenVerifier
from akta.bus.connection import ping as ping_bus
from akta.bus.naming import BusNames
from akta.bus.relay import Relay
from akta.bus.worker import EventHandler, Worker
from akta.contracts import Event, subscriptions_of
from akta.db import migrations
from akta.db.database import Database
from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta.settings import ServiceSettings
from akta.web.auth import Authenticator

BackgroundLoop = Callable[["Service", threading.Event], None]
"""`loop(service, stop)`: periodic work of a service (e.g. sending e-mail) until `stop` is set;
it runs in the worker process, beside the consumer."""


class Service:
    def __init__(
        self,
        settings: ServiceSettings,
        migrations_dir: Path,
        publishes: tuple[type[Event], ...],
        unit_of_work_class: type[SqlAlchemyUnitOfWork],
        build_api: Callable[[Service], Flask],
        event_handlers: dict[str, EventHandler] | None = None,
        access_store_class: type[AccessStore] = ReplicaAccessStore,
        background_loops: tuple[BackgroundLoop, ...] = (),
    ) -> None:
        if settings.mode == "real" and settings.bus_url.startswith("memory"):
            raise SystemExit(f"{settings.service_name}: real mode needs AKTA_BUS_URL (amqp://…)")
        self.settings = settings
        self.name = settings.service_name
        self._migrated = False
        self.migrations_dir = migrations_dir
        self.publishes = publishes
        self.event_handlers = event_handlers or {}
        self.background_loops = background_loops
        self.subscriptions = subscriptions_of(self.name)
        self.names = BusNames(settings.bus_namespace)
        self.database = Database(
            settings.effective_database_url,
            settings.effective_database_schema,
            pool_size=settings.database_pool_size,
        )
        self.relay = Relay(
            self.name,
            self.database,
            settings.bus_url,
            self.names,
            batch_size=settings.relay_batch_size,
            idle_seconds=settings.relay_idle_seconds,
            reconnect_seconds=settings.bus_reconnect_seconds,
        )
        self._unit_of_work_class = unit_of_work_class
        self.token_verifier = TokenVerifier(self.token_public_key_file)
        self.access_store = access_store_class(self.database)
        self.authenticator = Authenticator(self.token_verifier, self.access_store)
        self._build_api = build_api

    @functools.cached_property
    def app(self) -> Flask:
        """The HTTP app, built on first use: a worker or relay never builds it."""
        app = self._build_api(self)
        hops = self.settings.trusted_proxy_hops
        if hops:
            # The client's address, as the trusted proxies report it, for audit records. Only the
            # nearest proxy (the gateway) sets the path prefix and passes the scheme on.
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=1, x_prefix=1)
        return app

    @property
    def token_public_key_file(self) -> Path:
        return self.settings.token_public_key_file or self.settings.data_dir / "keys" / "token-signing.pub.pem"

    def unit_of_work(self) -> SqlAlchemyUnitOfWork:
        return self._unit_of_work_class(self.database, self.publishes, on_commit=self.relay.wakeup.set)

    def readiness_checks(self) -> dict[str, Callable[[], None]]:
        return {
            "database": self.database.ping,
            "migrations": self._check_migrated,
            "bus": lambda: ping_bus(self.settings.bus_url),
        }

    def _check_migrated(self) -> None:
        if not self._migrated:
            if not migrations.is_migrated(self.database, self.migrations_dir):
                raise RuntimeError("the database is behind this code's migrations: run migrate")
            self._migrated = True

    def migrate(self) -> None:
        migrations.upgrade(self.database, self.migrations_dir)

    def worker(self) -> Worker | None:
        if not self.subscriptions:
            return None
        return Worker(
            self.name,
            self.subscriptions,
            self.event_handlers,
            self.unit_of_work,
            self.settings.bus_url,
            self.names,
            prefetch=self.settings.bus_prefetch,
            retry_delays=self.settings.bus_retry_delays,
            reconnect_seconds=self.settings.bus_reconnect_seconds,
            ready_check=self._check_migrated,
        )

    def start_background(self, stop: threading.Event) -> list[threading.Thread]:
        """Run the relay, the worker and the background loops in threads (embedded mode and tests)."""
        threads = [threading.Thread(target=self.relay.run, args=(stop,), name=f"{self.name}-relay", daemon=True)]
        worker = self.worker()
        if worker:
            threads.append(threading.Thread(target=worker.run, args=(stop,), name=f"{self.name}-worker", daemon=True))
        for thread in threads:
            thread.start()
        return threads + self.start_loops(stop)

    def start_loops(self, stop: threading.Event) -> list[threading.Thread]:
        """Start the service's periodic background loops (they run beside its worker)."""
        threads = [
            threading.Thread(target=loop, args=(self, stop), name=f"{self.name}-{loop.__name__}", daemon=True)
            for loop in self.background_loops
        ]
        for thread in threads:
            thread.start()
        return threads
