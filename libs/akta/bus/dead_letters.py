"""Operator tools for dead-letter queues: look at what failed and why, and send it back."""

from __future__ import annotations

from dataclasses import dataclass

from akta.bus.connection import connect
from akta.bus.naming import BusNames
from akta.bus.publisher import OutboundMessage, open_publisher
from akta.bus.topology import declare_topology
from akta.contracts import Subscription


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    reason: str
    attempts: int
    dead_lettered_at: str
    body: bytes


def peek(bus_url: str, names: BusNames, subscription: Subscription, limit: int = 50) -> list[DeadLetter]:
    """Up to `limit` dead letters, left in their queue."""
    taken = []
    with connect(bus_url) as connection:
        channel = connection.channel()
        declare_topology(channel, names)
        for _ in range(limit):
            message = channel.basic_get(names.dead_letter_queue(subscription), no_ack=False)
            if message is None:
                break
            taken.append(message)
        # Only after taking them all, or the first would be handed out again.
        for message in taken:
            channel.basic_reject(message.delivery_tag, requeue=True)
    return [_dead_letter(message) for message in taken]


def replay(bus_url: str, names: BusNames, subscription: Subscription, limit: int = 1000) -> int:
    """Move up to `limit` dead letters back onto their subscription's queue (only that one:
    other consumers of the same event type handled it already). Returns how many moved."""
    moved = 0
    with connect(bus_url) as connection:
        channel = connection.channel()
        declare_topology(channel, names)
        publisher = open_publisher(connection, window=1)
        for _ in range(limit):
            message = channel.basic_get(names.dead_letter_queue(subscription), no_ack=False)
            if message is None:
                break
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-akta-")}
            publisher.publish(
                [
                    OutboundMessage(
                        message_id=str(message.properties.get("message_id") or ""),
                        exchange="",
                        routing_key=names.queue(subscription),
                        body=_body(message),
                        headers=headers,
                    )
                ]
            )
            channel.basic_ack(message.delivery_tag)
            moved += 1
        publisher.close()
    return moved


def _dead_letter(message) -> DeadLetter:
    headers = message.headers or {}
    return DeadLetter(
        message_id=str(message.properties.get("message_id") or ""),
        reason=str(headers.get("x-akta-reason", "rejected by the broker")),
        attempts=int(headers.get("x-akta-attempts", 0)),
        dead_lettered_at=str(headers.get("x-akta-dead-lettered-at", "")),
        body=_body(message),
    )


def _body(message) -> bytes:
    return message.body if isinstance(message.body, bytes) else str(message.body).encode()


