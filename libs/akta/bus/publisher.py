"""Publishing with publisher confirms, persistent delivery and mandatory routing.

On RabbitMQ the publisher keeps a window of unconfirmed messages in flight instead of waiting
for each confirm in turn (which caps a relay at a few hundred messages a second).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import amqp
from kombu import Connection, Producer

CONTENT_TYPE = "application/cloudevents+json"


@dataclass(frozen=True)
class OutboundMessage:
    message_id: str
    exchange: str
    routing_key: str
    body: bytes
    headers: dict = field(default_factory=dict)


class PublishFailed(Exception):
    """The broker refused (nack) or did not confirm in time; nothing may be marked sent."""


@dataclass(frozen=True)
class Sent:
    """Messages handed to the broker by `send`, to be waited for with `wait`."""

    last_delivery_tag: int
    message_ids: frozenset[str]


class ConfirmingPublisher:
    """Publishes batches on RabbitMQ; returns the ids of unroutable messages."""

    def __init__(self, connection: Connection, window: int = 1000, confirm_timeout: float = 30.0):
        self.connection = connection
        self.window = window
        self.confirm_timeout = confirm_timeout
        self.channel = connection.channel()
        self.channel.confirm_select()
        self.channel.events["basic_ack"].add(self._on_ack)
        self.channel.events["basic_nack"].add(self._on_nack)
        self.channel.events["basic_return"].add(self._on_return)
        self._next_delivery_tag = 1
        self._unconfirmed: dict[int, str] = {}
        self._nacked: set[str] = set()
        self._returned: set[str] = set()

    def publish(self, messages: list[OutboundMessage]) -> set[str]:
        """Send and wait for every confirm; the ids of the messages no queue was bound for."""
        return self.wait(self.send(messages))

    def send(self, messages: list[OutboundMessage]) -> Sent:
        """Hand the messages to the broker, waiting for confirms only while the window is full."""
        for message in messages:
            while len(self._unconfirmed) >= self.window:
                self._wait_for_confirms()
            self.channel.basic_publish(
                amqp.Message(
                    message.body,
                    content_type=CONTENT_TYPE,
                    content_encoding="utf-8",
                    delivery_mode=2,
                    message_id=message.message_id,
                    application_headers=message.headers or None,
                ),
                exchange=message.exchange,
                routing_key=message.routing_key,
                mandatory=True,
            )
            self._unconfirmed[self._next_delivery_tag] = message.message_id
            self._next_delivery_tag += 1
        return Sent(self._next_delivery_tag - 1, frozenset(message.message_id for message in messages))

    def wait(self, sent: Sent) -> set[str]:
        """Wait until the broker confirmed every message of `sent`; raise if it refused any.
        Returns the ids of those of them no queue was bound for."""
        while self._unconfirmed and next(iter(self._unconfirmed)) <= sent.last_delivery_tag:
            self._wait_for_confirms()
        nacked, returned = self._nacked & sent.message_ids, self._returned & sent.message_ids
        self._nacked -= nacked
        self._returned -= returned
        if nacked:
            raise PublishFailed(f"broker refused {len(nacked)} message(s)")
        return returned

    def close(self) -> None:
        try:
            self.channel.close()
        except Exception:  # the connection may already be gone; closing is best effort
            pass

    def _wait_for_confirms(self) -> None:
        try:
            self.connection.drain_events(timeout=self.confirm_timeout)
        except TimeoutError:
            raise PublishFailed(
                f"{len(self._unconfirmed)} message(s) unconfirmed after {self.confirm_timeout}s"
            ) from None

    def _settle(self, delivery_tag: int, multiple: bool) -> list[str]:
        if not multiple:
            return [self._unconfirmed.pop(delivery_tag)] if delivery_tag in self._unconfirmed else []
        settled = []
        # The tags are in the dict in publishing order: the ones settled are at its front.
        while self._unconfirmed and (tag := next(iter(self._unconfirmed))) <= delivery_tag:
            settled.append(self._unconfirmed.pop(tag))
        return settled

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked.update(self._settle(delivery_tag, multiple))

    def _on_return(self, _exc, _exchange, _routing_key, message) -> None:
        self._returned.add(message.properties.get("message_id"))


class MemoryPublisher:
    """For the in-process `memory://` transport, where a put is final as soon as it returns."""

    def __init__(self, connection: Connection):
        self.producer = Producer(connection.channel())

    def publish(self, messages: list[OutboundMessage]) -> set[str]:
        return self.wait(self.send(messages))

    def send(self, messages: list[OutboundMessage]) -> Sent:
        for message in messages:
            self.producer.publish(
                message.body,
                exchange=message.exchange,
                routing_key=message.routing_key,
                content_type=CONTENT_TYPE,
                content_encoding="utf-8",
                delivery_mode=2,
                message_id=message.message_id,
                headers=message.headers,
            )
        return Sent(0, frozenset(message.message_id for message in messages))

    def wait(self, sent: Sent) -> set[str]:
        return set()

    def close(self) -> None:
        self.producer.channel.close()


def open_publisher(connection: Connection, window: int = 1000):
    """The right publisher for the connection's transport."""
    if connection.transport_cls in ("memory",) or connection.transport.driver_type == "memory":
        return MemoryPublisher(connection)
    return ConfirmingPublisher(connection, window=window)


def broker_errors(bus_url: str) -> tuple[type[BaseException], ...]:
    """Exceptions meaning 'the broker connection is gone': reconnect and carry on."""
    connection = Connection(bus_url)
    return (OSError, *connection.connection_errors, *connection.channel_errors)
