"""Embedded mode: every service in one process, memory bus, SQLite and files under ./var.

Services are found through the `akta.services` entry points, so this composition root names
no other service in code; each service keeps its own bootstrap, database file and worker.
"""

from __future__ import annotations

import contextvars
import io
import threading
import time
from dataclasses import dataclass, field
from importlib.metadata import entry_points

import httpx
import structlog
from werkzeug.test import Client

from akta.service import Service
from akta_gateway.bootstrap import Gateway, bootstrap
from akta_gateway.settings import GatewaySettings

log = structlog.get_logger("akta.embedded")

DEMO_ARCHIVE_PLAN = """code;title;retention_rule
17.00.00;Undervisning og uddannelse;
17.02.00;Folkeskolen - elever;B
17.02.05;Elevsager;K10
00.00.00;Kommunens styrelse;
00.01.00;Skolebestyrelse;B
"""
DEMO_TEMPLATES = (
    {"name": "Elevsag", "class_code": "17.02.05", "screening_code": "pupil",
     "fields": [{"key": "klasse", "label": "Klasse", "type": "text", "required": True}],
     "default_tasks": [{"title": "Kontakt forældrene", "days_to_deadline": 7}]},
    {"name": "Mødesag", "class_code": "00.01.00", "fields": [{"key": "moededato", "label": "Mødedato", "type": "date"}]},
)
DEMO_CASES = (
    ("Elevsag", "Elevsag: Anna Jensen, 7.A", {"klasse": "7.A"}),
    ("Mødesag", "Skolebestyrelsesmøde november", {"moededato": "2026-11-26"}),
    ("Mødesag", "Indkøb af nye tavler", {}),
)
# A text document filed in each demo case (title, file name, text), so search has something to find.
DEMO_DOCUMENTS = (
    ("Referat af elevsamtale", "elevsamtale.txt", "Samtale med Anna om trivsel i klassen og lektiehjælp efter skole."),
    ("Dagsorden", "dagsorden.txt", "Dagsorden: budget, skolefest, ansøgning om nye tavler til fysiklokalet."),
    ("Tilbud på tavler", "tilbud.txt", "Tilbud på seks interaktive tavler med montering og undervisning af lærerne."),
)
# The new organisation and its grants reach the cases service over the bus; until they have,
# it answers 401 (unknown organisation) or 403 (no grant). Give them this long to arrive.
GRANTS_ARRIVE_WITHIN_SECONDS = 15


@dataclass
class EmbeddedSystem:
    services: dict[str, Service]
    gateway: Gateway
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def wsgi_app(self):
        return self.gateway.wsgi_app

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
        self.gateway.database.dispose()


def discover_services() -> dict[str, Service]:
    """Bootstrap every installed service, in name order."""
    found = sorted(entry_points(group="akta.services"), key=lambda entry: entry.name)
    return {entry.name: entry.load()() for entry in found}


def build_embedded(
    services: dict[str, Service] | None = None, settings: GatewaySettings | None = None
) -> EmbeddedSystem:
    services = services if services is not None else discover_services()
    for service in services.values():
        service.migrate()
    # The gateway talks to identity over HTTP in both modes; here the "network" is a call
    # into identity's in-process app.
    identity = httpx.Client(
        transport=httpx.WSGITransport(app=_in_own_context(services["identity"].app)),
        base_url="http://identity.embedded",
    )
    mounts = {name: service.app for name, service in services.items()}
    gateway = bootstrap(mounts, identity, settings or GatewaySettings())
    gateway.migrate()
    return EmbeddedSystem(services, gateway)


def _in_own_context(app):
    """Identity's app binds and unbinds its request's log and correlation context; called from
    inside a gateway request it would otherwise unbind the gateway's."""

    def call(environ, start_response):
        return contextvars.copy_context().run(app, environ, start_response)

    return call


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
    headers = {"Authorization": f"Bearer {token}"}

    def post(path: str, make_form=None, **kwargs) -> dict:
        """`make_form` builds a fresh form (with its file) for each attempt."""
        deadline = time.monotonic() + GRANTS_ARRIVE_WITHIN_SECONDS
        while (response := client.post(path, headers=headers, **({"data": make_form()} if make_form else {}), **kwargs)).status_code in (401, 403):
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"demo data: {path} answered {response.status_code} {response.get_data(as_text=True)}")
        return response.json

    post("/api/cases/classes/import", data=DEMO_ARCHIVE_PLAN, content_type="text/csv")
    classes = {c["code"]: c["id"] for c in client.get("/api/cases/classes?page_size=100", headers=headers).json["items"]}
    templates = {}
    for template in DEMO_TEMPLATES:
        body = {key: value for key, value in template.items() if key != "class_code"}
        body.update(class_id=classes[template["class_code"]], access_group_id=credentials["access_group_id"])
        templates[template["name"]] = post("/api/cases/templates", json=body)["id"]
    case_ids = [
        post("/api/cases/cases", json={"template_id": templates[template_name], "title": title, "metadata": metadata})["id"]
        for template_name, title, metadata in DEMO_CASES
    ]
    if "docstore" in system.services:
        for case_id, (title, filename, text) in zip(case_ids, DEMO_DOCUMENTS, strict=True):
            def form(case_id=case_id, title=title, filename=filename, text=text):
                return {"title": title, "document_type": "note", "case_id": case_id, "file": (io.BytesIO(text.encode()), filename)}

            post("/api/docstore/documents", make_form=form, content_type="multipart/form-data")
    log.info("demo data loaded", cases=len(DEMO_CASES), templates=len(templates), documents=len(DEMO_DOCUMENTS))
    return credentials
