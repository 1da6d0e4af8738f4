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
        self._nacked.clear()
        self._returned.clear()
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
        while self._unconfirmed:
            self._wait_for_confirms()
        if self._nacked:
            raise PublishFailed(f"broker refused {len(self._nacked)} message(s)")
        return set(self._returned)

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
        if multiple:
            tags = [tag for tag in self._unconfirmed if tag <= delivery_tag]
        else:
            tags = [delivery_tag] if delivery_tag in self._unconfirmed else []
        return [self._unconfirmed.pop(tag) for tag in tags]

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
