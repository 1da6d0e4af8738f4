"""Who consumes which events. One table for the whole installation, so that any process can
declare every queue before it publishes and no event is unroutable because of start order."""

from __future__ import annotations

from dataclasses import dataclass

from akta.contracts.access import ACCESS_EVENTS
from akta.contracts.audit import AUDIT_EVENTS
from akta.contracts.base import Event
from akta.contracts.cases import (
    CaseCreated,
    CaseUpdated,
    PartyAdded,
    PartyRemoved,
    RegistrationChanged,
    RegistrationCreated,
)
from akta.contracts.docstore import (
    DocumentChanged,
    DocumentCreated,
    DocumentTextExtracted,
    DocumentVersionStored,
)


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
    # Docstore keeps a copy of each case's access, number and parties: documents take their access
    # from their case, and the search index shows cases too.
    Subscription(
        service="docstore",
        handler="follow_cases",
        events=(CaseCreated, CaseUpdated, PartyAdded, PartyRemoved, RegistrationCreated, RegistrationChanged),
    ),
    Subscription(service="docstore", handler="plan_renditions", events=(DocumentVersionStored,)),
    Subscription(
        service="docstore", handler="index_documents", events=(DocumentCreated, DocumentChanged, DocumentTextExtracted)
    ),
    # The dashboard's "latest documents".
    Subscription(service="cases", handler="track_documents", events=(DocumentCreated, DocumentChanged)),
)


def subscriptions_of(service: str) -> tuple[Subscription, ...]:
    return tuple(s for s in SUBSCRIPTIONS if s.service == service)
