"""The services of the first flow, built for a test against the given database and bus."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from kombu import Connection

from akta.bus.publisher import OutboundMessage, open_publisher
from akta.bus.topology import declare_topology
from akta.contracts import SUBSCRIPTIONS
from akta.service import Service
from akta_cases.bootstrap import bootstrap as bootstrap_cases
from akta_cases.settings import CasesSettings
from akta_retention.bootstrap import bootstrap as bootstrap_retention
from akta_retention.settings import RetentionSettings
from tests.support.environment import delete_bus_namespace


def service_settings(settings_class, data_dir: Path, database_url: str | None, bus_url: str, namespace: str, public_key_file: Path | None = None, **overrides):
    return settings_class(
        mode="embedded" if bus_url.startswith("memory") else "real",
        data_dir=data_dir,
        database_url=database_url,
        bus_url=bus_url,
        bus_namespace=namespace,
        token_public_key_file=public_key_file,
        bus_retry_delays=(0.05, 0.1),
        bus_reconnect_seconds=0.2,
        relay_idle_seconds=0.05,
        **overrides,
    )


@dataclass
class FlowSystem:
    """Cases and retention, migrated, with their relays and workers run on demand."""

    cases: Service
    retention: Service
    bus_url: str
    namespace: str
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    case_templates: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, data_dir: Path, database_url: str | None, bus_url: str, namespace: str, public_key_file: Path | None = None) -> FlowSystem:
        def settings(settings_class):
            return service_settings(settings_class, data_dir, database_url, bus_url, namespace, public_key_file)

        system = cls(bootstrap_cases(settings(CasesSettings)), bootstrap_retention(settings(RetentionSettings)), bus_url, namespace)
        system.cases.migrate()
        system.retention.migrate()
        return system

    def start(self) -> None:
        for service in (self.cases, self.retention):
            self.threads.extend(service.start_background(self.stop))

    def start_worker_only(self) -> None:
        worker = self.retention.worker()
        thread = threading.Thread(target=worker.run, args=(self.stop,), daemon=True)
        thread.start()
        self.threads.append(thread)

    def publish_raw(self, messages: list[OutboundMessage]) -> None:
        with Connection(self.bus_url) as connection:
            declare_topology(connection.default_channel, self.retention.names)
            publisher = open_publisher(connection)
            unroutable = publisher.publish(messages)
            publisher.close()
        assert not unroutable, f"test messages unroutable: {unroutable}"

    def dead_letters(self) -> list:
        """Take every message now in the track_case dead-letter queue."""
        subscription = SUBSCRIPTIONS[0]
        found = []
        with Connection(self.bus_url) as connection:
            channel = connection.channel()
            while (message := channel.basic_get(self.retention.names.dead_letter_queue(subscription), no_ack=True)) is not None:
                found.append(message)
        return found

    def shutdown(self) -> None:
        self.stop.set()
        for service in (self.cases, self.retention):
            service.relay.wakeup.set()
        for thread in self.threads:
            thread.join(timeout=15)
        for service in (self.cases, self.retention):
            service.database.dispose()
        if not self.bus_url.startswith("memory"):
            names = self.retention.names
            queues = [q for s in SUBSCRIPTIONS for q in (names.queue(s), names.dead_letter_queue(s))]
            delete_bus_namespace(self.bus_url, self.namespace, queues)
