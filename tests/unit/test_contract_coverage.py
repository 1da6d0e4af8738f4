"""What services publish and consume matches the contracts, across the whole installation."""

import importlib
from importlib.metadata import entry_points

import pytest

from akta.contracts import EVENT_TYPES, SUBSCRIPTIONS

SERVICES = {entry.name: entry.value.split(":")[0] for entry in entry_points(group="akta.services")}


def _bootstrap_module(service: str):
    return importlib.import_module(SERVICES[service])


def _published_by_service() -> dict[str, set[str]]:
    return {
        service: {event.event_type for event in _bootstrap_module(service).PUBLISHED_EVENTS}
        for service in SERVICES
    }


def test_every_service_is_installed():
    assert set(SERVICES) == {"identity", "cases", "docstore", "dispatch", "intake", "retention"}


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_a_service_publishes_only_declared_types_under_its_own_name(service):
    for event_type in _published_by_service()[service]:
        assert event_type in EVENT_TYPES, f"{service} publishes undeclared {event_type}"
        assert EVENT_TYPES[event_type].producer() == service


def test_every_consumed_type_has_a_producer():
    published = set().union(*_published_by_service().values())
    for subscription in SUBSCRIPTIONS:
        for event_type in subscription.event_types:
            assert event_type in published, f"{subscription.handler} consumes {event_type}, nobody publishes it"


def test_every_subscription_has_its_handler_and_every_handler_a_subscription():
    for service in SERVICES:
        subscribed = {s.handler for s in SUBSCRIPTIONS if s.service == service}
        assert set(_bootstrap_module(service).EVENT_HANDLERS) == subscribed, service
    assert {s.service for s in SUBSCRIPTIONS} <= set(SERVICES)
