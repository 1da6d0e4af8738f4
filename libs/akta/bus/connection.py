"""Opening broker connections the same way everywhere."""

from __future__ import annotations

from kombu import Connection


def is_memory_url(bus_url: str) -> bool:
    return bus_url.startswith("memory://")


def connect(bus_url: str, heartbeat: float = 30) -> Connection:
    """A kombu connection: heartbeats on RabbitMQ, quick polling for the in-process transport."""
    if is_memory_url(bus_url):
        return Connection(bus_url, transport_options={"polling_interval": 0.02})
    return Connection(bus_url, heartbeat=heartbeat, connect_timeout=5)


def ping(bus_url: str) -> None:
    """Raise unless the broker accepts a connection now."""
    if is_memory_url(bus_url):
        return
    with connect(bus_url) as connection:
        connection.ensure_connection(max_retries=1, timeout=3)


def keep_alive(connection: Connection) -> None:
    """Read what the broker sent meanwhile (its heartbeats among it), then send a heartbeat when
    one is due. py-amqp counts heartbeats it has not read as missed, so a connection that only
    publishes and idles would be given up as dead after two heartbeat intervals."""
    try:
        connection.drain_events(timeout=0)
    except TimeoutError:
        pass
    connection.heartbeat_check()
