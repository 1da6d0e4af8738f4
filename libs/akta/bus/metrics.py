"""Prometheus metrics of the bus, labelled by service (all services share one process embedded)."""

from prometheus_client import Counter, Gauge

RELAYED_EVENTS = Counter("akta_outbox_relayed_events_total", "Events published from the outbox", ["service"])
OUTBOX_PENDING = Gauge("akta_outbox_pending_events", "Unsent outbox rows at the last check", ["service"])
CONSUMED_EVENTS = Counter(
    "akta_consumed_events_total",
    "Events taken from a queue, by outcome (handled, duplicate, retried, dead)",
    ["service", "handler", "outcome"],
)
