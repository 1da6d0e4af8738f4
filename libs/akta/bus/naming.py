"""The one convention for exchange and queue names; services never type a broker name."""

from __future__ import annotations

from dataclasses import dataclass

from akta.contracts.subscriptions import Subscription


@dataclass(frozen=True)
class BusNames:
    """Names under one namespace (`akta` in production; unique per test run)."""

    namespace: str = "akta"

    @property
    def events_exchange(self) -> str:
        return f"{self.namespace}.events"

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.namespace}.dead"

    def queue(self, subscription: Subscription) -> str:
        return f"{self.namespace}.{subscription.service}.{subscription.handler}"

    def dead_letter_queue(self, subscription: Subscription) -> str:
        return f"{self.queue(subscription)}.dead"

    def consumer_name(self, subscription: Subscription) -> str:
        """The inbox key: stable across namespaces, so a renamed vhost keeps its history."""
        return f"{subscription.service}.{subscription.handler}"
