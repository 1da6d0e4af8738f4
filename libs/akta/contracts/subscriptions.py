"""Who consumes which events. One table for the whole installation, so that any process can
declare every queue before it publishes and no event is unroutable because of start order."""

from __future__ import annotations

from dataclasses import dataclass

from akta.contracts.base import Event
from akta.contracts.cases import CaseCreated


@dataclass(frozen=True)
class Subscription:
    service: str
    handler: str
    events: tuple[type[Event], ...]

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(event.event_type for event in self.events)


SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription(service="retention", handler="track_case", events=(CaseCreated,)),
)


def subscriptions_of(service: str) -> tuple[Subscription, ...]:
    return tuple(s for s in SUBSCRIPTIONS if s.service == service)
