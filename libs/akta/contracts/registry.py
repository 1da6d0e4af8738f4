"""Every event type Akta knows, and parsing of envelopes against them."""

from __future__ import annotations

import json

from pydantic import ValidationError

from akta.contracts import access, audit, cases, docstore, identity, retention
from akta.contracts.base import EVENT_TYPE_PATTERN, Envelope, Event

_EVENT_MODULES = (access, audit, cases, docstore, identity, retention)


def _collect() -> dict[str, type[Event]]:
    found: dict[str, type[Event]] = {}
    for module in _EVENT_MODULES:
        for value in vars(module).values():
            defined_here = isinstance(value, type) and value.__module__ == module.__name__
            if defined_here and issubclass(value, Event) and hasattr(value, "event_type"):
                if "event_type" not in vars(value):
                    continue  # a shared base such as AuditRecorded, not a type of its own
                if not EVENT_TYPE_PATTERN.match(value.event_type):
                    raise ValueError(f"{value.__name__}: bad event type {value.event_type!r}")
                if value.event_type in found:
                    raise ValueError(f"event type {value.event_type} declared twice")
                found[value.event_type] = value
    return found


EVENT_TYPES: dict[str, type[Event]] = _collect()


class PoisonMessage(Exception):
    """A message that can never be handled: not JSON, not an envelope, unknown type or bad data."""


def event_class(event_type: str) -> type[Event]:
    try:
        return EVENT_TYPES[event_type]
    except KeyError:
        raise PoisonMessage(f"unknown event type {event_type!r}") from None


def parse_envelope(body: bytes | str) -> tuple[Envelope, Event]:
    """Parse a message body into its envelope and typed event, or raise `PoisonMessage`."""
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise PoisonMessage(f"body is not JSON: {error}") from None
    try:
        envelope = Envelope.model_validate(raw)
    except ValidationError as error:
        raise PoisonMessage(f"not a valid envelope: {_first_error(error)}") from None
    model = event_class(envelope.type)
    try:
        event = model.model_validate(envelope.data)
    except ValidationError as error:
        raise PoisonMessage(f"invalid data for {envelope.type}: {_first_error(error)}") from None
    return envelope, event


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "(root)"
    return f"{location}: {first['msg']}"
