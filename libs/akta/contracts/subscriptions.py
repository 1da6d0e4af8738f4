"""Who consumes which events. One table for the whole installation, so that any process can
declare every queue before it publishes and no event is unroutable because of start order."""

from __future__ import annotations

from dataclasses import dataclass

from akta.contracts.access import ACCESS_EVENTS
from akta.contracts.audit import AUDIT_EVENTS
from akta.contracts.base import Event
from akta.contracts.cases import CaseCreated, CaseUpdated


@dataclass(frozen=True)
class Subscription:
    service: str
    handler: str
    events: tuple[type[Event], ...]

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(event.event_type for event in self.events)


# Services that enforce access keep a local copy of identity's grants, groups and API keys.
ACCESS_REPLICAS = ("cases", "dispatch", "docstore", "intake", "retention")

SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription(service="retention", handler="track_case", events=(CaseCreated, CaseUpdated)),
    *(Subscription(service=service, handler="replicate_access", events=ACCESS_EVENTS) for service in ACCESS_REPLICAS),
    Subscription(service="identity", handler="record_audit", events=AUDIT_EVENTS),
)


def subscriptions_of(service: str) -> tuple[Subscription, ...]:
    return tuple(s for s in SUBSCRIPTIONS if s.service == service)
