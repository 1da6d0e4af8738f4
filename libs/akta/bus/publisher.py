"""Publishing with publisher confirms, persistent delivery and mandatory routing.

On RabbitMQ the publisher keeps a window of unconfirmed messages in flight instead of waiting
for each confirm in turn (which caps a relay at a few hundred messages a second). It encodes the
frames of its messages itself and writes those of many messages at once: py-amqp's
`basic_publish` serializes every property in turn and makes a socket write per message, which
cost more CPU than the rest of the relay together.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import amqp
from amqp import spec
from amqp.serialization import dumps
from kombu import Connection, Producer

CONTENT_TYPE = "application/cloudevents+json"
CONTENT_ENCODING = "utf-8"
# Frames wait in memory up to this size before they go to the socket: the write's cost is spread
# over a hundred messages, and the broker starts on them early.
WRITE_SIZE = 128 * 1024


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


# AMQP 0-9-1 framing (section 4.2.3 of the specification): type, channel, payload size, payload,
# frame end. A message is a Basic.Publish method frame, a content header frame (class, weight,
# body size, property flags, the properties present in flag order) and its body in frames of at
# most frame_max - 8 bytes.
_FRAME_HEADER = struct.Struct(">BHI")
_FRAME_END = b"\xce"
_METHOD, _CONTENT_HEADER, _BODY = 1, 2, 3
_CONTENT_TYPE_FLAG, _CONTENT_ENCODING_FLAG, _HEADERS_FLAG, _DELIVERY_MODE_FLAG, _MESSAGE_ID_FLAG = (
    1 << 15, 1 << 14, 1 << 13, 1 << 12, 1 << 7,
)
_PERSISTENT = b"\x02"


def _short_string(value: str) -> bytes:
    encoded = value.encode("utf-8")
    if len(encoded) > 255:
        raise ValueError(f"longer than an AMQP short string may be: {value[:40]!r}…")
    return bytes((len(encoded),)) + encoded


_CONTENT_TYPE_AND_ENCODING = _short_string(CONTENT_TYPE) + _short_string(CONTENT_ENCODING)


def _frame(frame_type: int, channel: int, payload: bytes) -> bytes:
    return _FRAME_HEADER.pack(frame_type, channel, len(payload)) + payload + _FRAME_END


def _properties(message: OutboundMessage) -> bytes:
    """Content type and encoding, headers (when there are any), persistent, message id."""
    flags = _CONTENT_TYPE_FLAG | _CONTENT_ENCODING_FLAG | _DELIVERY_MODE_FLAG | _MESSAGE_ID_FLAG
    headers = b""
    if message.headers:
        flags |= _HEADERS_FLAG
        headers = dumps("F", (message.headers,))
    return (
        flags.to_bytes(2, "big") + _CONTENT_TYPE_AND_ENCODING + headers + _PERSISTENT
        + _short_string(message.message_id)
    )


class ConfirmingPublisher:
    """Publishes batches on RabbitMQ; returns the ids of unroutable messages."""

    def __init__(self, connection: Connection, window: int = 1000, confirm_timeout: float = 30.0):
        self.connection = connection
        self.window = window
        self.confirm_timeout = confirm_timeout
        self.channel = connection.channel()
        self.channel.confirm_select()
        self._frames: list[bytes] = []
        self._frames_size = 0
        self._publish_methods: dict[tuple[str, str], bytes] = {}
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
            if len(self._unconfirmed) >= self.window:
                self._write()
                while len(self._unconfirmed) >= self.window:
                    self._wait_for_confirms()
            self._add_frames(message)
            self._unconfirmed[self._next_delivery_tag] = message.message_id
            self._next_delivery_tag += 1
            if self._frames_size >= WRITE_SIZE:
                self._write()
        self._write()
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

    def _add_frames(self, message: OutboundMessage) -> None:
        """Encode a mandatory publish of `message` into the frames waiting to be written."""
        channel = self.channel.channel_id
        key = (message.exchange, message.routing_key)
        if key not in self._publish_methods:
            arguments = dumps("Bssbb", (0, message.exchange, message.routing_key, True, False))
            self._publish_methods[key] = _frame(_METHOD, channel, struct.pack(">HH", *spec.Basic.Publish) + arguments)
        body, largest = message.body, self.channel.connection.frame_max - 8
        header = struct.pack(">HHQ", spec.Basic.Publish[0], 0, len(body)) + _properties(message)
        frames = [self._publish_methods[key], _frame(_CONTENT_HEADER, channel, header)]
        frames += [_frame(_BODY, channel, body[start:start + largest]) for start in range(0, len(body), largest)]
        self._frames += frames
        self._frames_size += len(body)

    def _write(self) -> None:
        if not self._frames:
            return
        connection = self.channel.connection
        if connection is None:
            raise amqp.RecoverableConnectionError("publish: the connection is closed")
        data, self._frames, self._frames_size = b"".join(self._frames), [], 0
        connection.transport.write(data)
        connection.bytes_sent += 1  # py-amqp counts frames sent to know when a heartbeat is due

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
