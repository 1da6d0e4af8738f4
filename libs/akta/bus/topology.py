"""Exchanges and queues, built from the naming convention and the subscription table."""

from __future__ import annotations

from kombu import Exchange, Queue, binding

from akta.bus.naming import BusNames
from akta.contracts.subscriptions import SUBSCRIPTIONS, Subscription


def events_exchange(names: BusNames) -> Exchange:
    return Exchange(names.events_exchange, type="topic", durable=True)


def dead_letter_exchange(names: BusNames) -> Exchange:
    return Exchange(names.dead_letter_exchange, type="direct", durable=True)


def subscription_queue(names: BusNames, subscription: Subscription) -> Queue:
    exchange = events_exchange(names)
    queue_name = names.queue(subscription)
    return Queue(
        queue_name,
        bindings=[binding(exchange, routing_key=t) for t in subscription.event_types],
        durable=True,
        queue_arguments={
            # What the broker itself rejects (expired, over length) lands beside our own dead letters.
            "x-dead-letter-exchange": names.dead_letter_exchange,
            "x-dead-letter-routing-key": queue_name,
        },
    )


def dead_letter_queue(names: BusNames, subscription: Subscription) -> Queue:
    return Queue(
        names.dead_letter_queue(subscription),
        exchange=dead_letter_exchange(names),
        routing_key=names.queue(subscription),
        durable=True,
    )


def declare_topology(
    channel, names: BusNames, subscriptions: tuple[Subscription, ...] = SUBSCRIPTIONS
) -> None:
    """Declare every exchange and queue of the installation (idempotent)."""
    events_exchange(names)(channel).declare()
    dead_letter_exchange(names)(channel).declare()
    for subscription in subscriptions:
        subscription_queue(names, subscription)(channel).declare()
        dead_letter_queue(names, subscription)(channel).declare()
