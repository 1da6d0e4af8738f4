"""Every message on the bus: versioned pydantic models in CloudEvents 1.0 envelopes."""

from akta.contracts.base import Envelope, Event
from akta.contracts.registry import EVENT_TYPES, PoisonMessage, event_class, parse_envelope
from akta.contracts.subscriptions import SUBSCRIPTIONS, Subscription, subscriptions_of

__all__ = [
    "EVENT_TYPES",
    "Envelope",
    "Event",
    "PoisonMessage",
    "SUBSCRIPTIONS",
    "Subscription",
    "event_class",
    "parse_envelope",
    "subscriptions_of",
]
