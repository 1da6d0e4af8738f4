"""Embedded mode: every service in one process, memory bus, SQLite and files under ./var.

Services are found through the `akta.services` entry points, so this composition root names
no other service in code; each service keeps its own bootstrap, database file and worker.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from importlib.metadata import entry_points

import structlog
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

from akta.service import Service
from akta_gateway.app import create_gateway_app

log = structlog.get_logger("akta.embedded")

DEMO_CASES = (
    ("Elevsag: Anna Jensen, 7.A", "pupil"),
    ("Skolebestyrelsesmøde november", None),
    ("Indkøb af nye tavler", None),
)
# The new organisation and its grants reach the cases service over the bus; until they have,
# it answers 401 (unknown organisation) or 403 (no grant). Give them this long to arrive.
GRANTS_ARRIVE_WITHIN_SECONDS = 15


@dataclass
class EmbeddedSystem:
    services: dict[str, Service]
    wsgi_app: object
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for service in self.services.values():
            self.threads.extend(service.start_background(self.stop))

    def shutdown(self) -> None:
        self.stop.set()
        for service in self.services.values():
            service.relay.wakeup.set()
        for thread in self.threads:
            thread.join(timeout=10)
        for service in self.services.values():
            service.database.dispose()


def discover_services() -> dict[str, Service]:
    """Bootstrap every installed service, in name order."""
    found = sorted(entry_points(group="akta.services"), key=lambda entry: entry.name)
    return {entry.name: entry.load()() for entry in found}


def build_embedded(services: dict[str, Service] | None = None) -> EmbeddedSystem:
    services = services if services is not None else discover_services()
    for service in services.values():
        service.migrate()
    gateway = create_gateway_app(sorted(services))
    mounts = {f"/api/{name}": service.app for name, service in services.items()}
    return EmbeddedSystem(services, DispatcherMiddleware(gateway, mounts))


def load_demo_data(system: EmbeddedSystem) -> dict:
    """Let each service create its demo data, then add a few cases through the public API."""
    credentials = {}
    for entry in entry_points(group="akta.demo"):
        if entry.name in system.services:
            credentials.update(entry.load()(system.services[entry.name]))
    if not credentials.get("created"):
        return credentials
    client = Client(system.wsgi_app)
    token = client.post("/api/identity/token", json={
        "organisation": credentials["organisation"],
        "username": credentials["username"],
        "password": credentials["password"],
    }).json["access_token"]
    for title, screening_code in DEMO_CASES:
        body = {"title": title, "access_group_id": credentials["access_group_id"], "screening_code": screening_code}
        deadline = time.monotonic() + GRANTS_ARRIVE_WITHIN_SECONDS
        while (response := client.post("/api/cases/cases", json=body, headers={"Authorization": f"Bearer {token}"})).status_code in (401, 403):
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if response.status_code != 201:
            raise RuntimeError(f"demo case not created: {response.status_code} {response.get_data(as_text=True)}")
    log.info("demo data loaded", cases=len(DEMO_CASES))
    return credentials
