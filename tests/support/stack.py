"""Identity, cases and retention running together in this process, reached over WSGI."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

from akta.contracts import SUBSCRIPTIONS
from akta.service import Service
from akta_cases.bootstrap import bootstrap as bootstrap_cases
from akta_cases.settings import CasesSettings
from akta_docstore.bootstrap import bootstrap as bootstrap_docstore
from akta_docstore.settings import DocstoreSettings
from akta_identity.service_layer import handlers as identity_handlers
from akta_retention.bootstrap import bootstrap as bootstrap_retention
from akta_retention.settings import RetentionSettings
from tests.support.environment import delete_bus_namespace
from tests.support.identity import build_identity
from tests.support.system import service_settings
from tests.support.tokens import TestTokens

PASSWORD = "a-long-enough-password"


@dataclass
class Stack:
    services: dict[str, Service]
    client: Client
    bus_url: str
    namespace: str
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def build(
        cls, data_dir: Path, database_url: str | None, bus_url: str, namespace: str, tokens: TestTokens,
        docstore: dict | None = None, **cases_settings,
    ) -> Stack:
        """`cases_settings` override the cases service's settings (e.g. its SMTP server);
        `docstore`, when given, adds the docstore service with those settings."""

        def settings(settings_class, **overrides):
            return service_settings(settings_class, data_dir, database_url, bus_url, namespace, tokens.public_key_file, **overrides)

        services = {
            "identity": build_identity(data_dir, database_url, bus_url, namespace, tokens),
            "cases": bootstrap_cases(settings(CasesSettings, **cases_settings)),
            "retention": bootstrap_retention(settings(RetentionSettings)),
        }
        if docstore is not None:
            services["docstore"] = bootstrap_docstore(settings(DocstoreSettings, **docstore))
        for service in services.values():
            service.migrate()
        app = DispatcherMiddleware(
            lambda environ, start_response: start_response("404 Not Found", []) or [b""],
            {f"/api/{name}": service.app for name, service in services.items()},
        )
        stack = cls(services, Client(app), bus_url, namespace)
        for service in services.values():
            stack.threads.extend(service.start_background(stack.stop))
        return stack

    def organisation(self, slug: str) -> str:
        """Create an organisation with an administrator; returns the tenant id."""
        uow = self.services["identity"].unit_of_work
        organisation = identity_handlers.create_organisation(slug, slug.title(), uow())
        identity_handlers.create_user(slug, "admin", "Admin", PASSWORD, ["administrator"], uow())
        return organisation.id

    def sign_in(self, slug: str, username: str, password: str = PASSWORD) -> dict[str, str]:
        response = self.client.post("/api/identity/token", json={"organisation": slug, "username": username, "password": password})
        assert response.status_code == 200, response.get_data(as_text=True)
        return {"Authorization": f"Bearer {response.json['access_token']}"}

    def admin_post(self, admin: dict[str, str], path: str, body: dict | None = None) -> dict:
        response = self.client.post(f"/api/identity{path}", json=body or {}, headers=admin)
        assert response.status_code in (200, 201, 204), f"{path}: {response.status_code} {response.get_data(as_text=True)}"
        return response.json if response.status_code != 204 else {}

    def user(self, admin: dict[str, str], username: str, roles: tuple[str, ...] = ("caseworker",)) -> str:
        return self.admin_post(admin, "/users", {"username": username, "password": PASSWORD, "roles": list(roles)})["id"]

    def grant(self, admin: dict[str, str], grantee_id: str, scope_kind: str, scope_id: str, permission: str = "write", grantee_kind: str = "user", **extra) -> str:
        body = {"grantee_kind": grantee_kind, "grantee_id": grantee_id, "scope_kind": scope_kind, "scope_id": scope_id, "permission": permission, **extra}
        return self.admin_post(admin, "/grants", body)["id"]

    def settled(self, timeout: float = 15.0) -> None:
        """Wait until every outbox is relayed and every queue drained, so replicas are current."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(_pending(service) == 0 for service in self.services.values()) and self._queues_empty():
                return
            time.sleep(0.05)
        raise AssertionError("the bus did not settle")

    def _queues_empty(self) -> bool:
        from kombu import Connection

        with Connection(self.bus_url) as connection:
            channel = connection.channel()
            for subscription in SUBSCRIPTIONS:
                if subscription.service not in self.services:
                    continue
                name = self.services[subscription.service].names.queue(subscription)
                declared = channel.queue_declare(name, passive=True)
                if declared.message_count:
                    return False
        time.sleep(0.1)  # a message taken but not yet committed is in neither place
        return True

    def shutdown(self) -> None:
        self.stop.set()
        for service in self.services.values():
            service.relay.wakeup.set()
        for thread in self.threads:
            thread.join(timeout=15)
        for service in self.services.values():
            service.database.dispose()
        if not self.bus_url.startswith("memory"):
            names = self.services["cases"].names
            queues = [q for s in SUBSCRIPTIONS for q in (names.queue(s), names.dead_letter_queue(s))]
            delete_bus_namespace(self.bus_url, self.namespace, queues)


def _pending(service: Service) -> int:
    from akta.bus import outbox

    with service.database.session() as session:
        return outbox.count_pending(session)
