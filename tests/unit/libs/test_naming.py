from akta.bus.naming import BusNames
from akta.contracts import SUBSCRIPTIONS


def test_names_come_from_one_convention():
    names = BusNames("akta")
    subscription = SUBSCRIPTIONS[0]
    assert names.events_exchange == "akta.events"
    assert names.dead_letter_exchange == "akta.dead"
    assert names.queue(subscription) == f"akta.{subscription.service}.{subscription.handler}"
    assert names.dead_letter_queue(subscription) == names.queue(subscription) + ".dead"


def test_the_inbox_key_does_not_depend_on_the_namespace():
    subscription = SUBSCRIPTIONS[0]
    assert BusNames("a").consumer_name(subscription) == BusNames("b").consumer_name(subscription)
