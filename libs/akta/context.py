"""Who is acting and under which correlation: carried from the HTTP request or the consumed
message into every log line and every event the work produces."""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

import structlog

SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class MessageContext:
    """The correlation of one unit of work: set at the edge, read by the outbox and the logs."""

    correlation_id: str
    causation_id: str | None = None
    actor: str = SYSTEM_ACTOR
    client_ip: str | None = None
    user_agent: str | None = None


_current: contextvars.ContextVar[MessageContext | None] = contextvars.ContextVar(
    "akta_message_context", default=None
)


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def current() -> MessageContext:
    """The context of the work in progress; a fresh one when nothing set it (CLI, startup)."""
    context = _current.get()
    if context is None:
        context = MessageContext(correlation_id=new_correlation_id())
        _current.set(context)
    return context


def enter(context: MessageContext) -> tuple:
    """Make `context` current and bind its ids to every structlog line; undo with `leave`."""
    log_keys = {"correlation_id": context.correlation_id, "actor": context.actor}
    if context.causation_id:
        log_keys["causation_id"] = context.causation_id
    return _current.set(context), structlog.contextvars.bind_contextvars(**log_keys)


def leave(tokens: tuple) -> None:
    context_token, log_tokens = tokens
    structlog.contextvars.reset_contextvars(**log_tokens)
    _current.reset(context_token)


@contextlib.contextmanager
def bound(context: MessageContext) -> Iterator[MessageContext]:
    """Run a block under `context`."""
    tokens = enter(context)
    try:
        yield context
    finally:
        leave(tokens)


def set_actor(actor: str) -> None:
    """Name who acts, once the edge has authenticated them."""
    updated = replace(current(), actor=actor)
    _current.set(updated)
    structlog.contextvars.bind_contextvars(actor=actor)
