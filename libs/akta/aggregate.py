"""The one thing every domain model shares: it belongs to a tenant and records its events."""

from __future__ import annotations

from akta.contracts.base import Event


class Aggregate:
    """Base of domain aggregates. Pure Python: the unit of work reads `events` at commit."""

    tenant_id: str

    def __init__(self) -> None:
        self.events: list[Event] = []

    def record(self, event: Event) -> None:
        self.events.append(event)
