"""Opening broker connections the same way everywhere."""

from __future__ import annotations

from kombu import Connection


def is_memory_url(bus_url: str) -> bool:
    return bus_url.startswith("memory://")


def connect(bus_url: str) -> Connection:
    """A kombu connection: heartbeats on RabbitMQ, quick polling for the in-process transport."""
    if is_memory_url(bus_url):
        return Connection(bus_url, transport_options={"polling_interval": 0.02})
    return Connection(bus_url, heartbeat=30, connect_timeout=5)


def ping(bus_url: str) -> None:
    """Raise unless the broker accepts a connection now."""
    if is_memory_url(bus_url):
        return
    with connect(bus_url) as connection:
        connection.ensure_connection(max_retries=1, timeout=3)
