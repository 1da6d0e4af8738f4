"""In-app notifications, written in the transaction of what caused them. One that should also go
out by e-mail carries the address and `email_status` "pending"; the notifier of the worker
process sends it later, never inside the request's transaction."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from akta import context
from akta.errors import InvalidField

KINDS = (
    "task_assigned",      # a task was given to you
    "task_reassigned",    # your task was given to someone else
    "workflow_step",      # a workflow step awaits your decision
    "workflow_finished",  # a workflow you started was approved, rejected or cancelled
    "deadline_tomorrow",  # your open task is due tomorrow
    "deadline_passed",    # your open task is overdue
)
EMAIL_MAX_LENGTH = 254
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def clean_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    email = value.strip()
    if len(email) > EMAIL_MAX_LENGTH or not _EMAIL.match(email) or not email.isprintable():
        raise InvalidField("email", "must be an e-mail address such as navn@skole.dk")
    return email


def acting_user_id() -> str | None:
    kind, _, subject = context.current().actor.partition(":")
    return subject if kind == "user" and subject else None


def user_id_of(actor: str) -> str | None:
    kind, _, subject = actor.partition(":")
    return subject if kind == "user" and subject else None


def notify(
    uow,
    tenant_id: str,
    case_id: str,
    case_number: str,
    user_id: str | None,
    kind: str,
    text: str,
    now: datetime,
    task_id: str | None = None,
    workflow_id: str | None = None,
    dedup_key: str | None = None,
) -> bool:
    """Notify `user_id` (nobody is notified of what they did themself); True when stored."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not user_id or user_id == acting_user_id():
        return False
    email = uow.tasks.notification_email(tenant_id, user_id)
    return uow.tasks.add_notification({
        "id": str(uuid.uuid4()),
        "tenant_id": tenant_id,
        "user_id": user_id,
        "kind": kind,
        "case_id": case_id,
        "case_number": case_number,
        "task_id": task_id,
        "workflow_id": workflow_id,
        "text": text[:500],
        "created_at": now,
        "dedup_key": dedup_key,
        "email_to": email,
        "email_status": "pending" if email else None,
        "email_attempts": 0,
        "email_next_attempt_at": now if email else None,
    })


def task_given(uow, case, task, now: datetime) -> None:
    """The assignee of a new or newly assigned task hears of it."""
    kind = "workflow_step" if task.is_approval else "task_assigned"
    notify(uow, case.tenant_id, case.id, case.number, task.assignee_id, kind, task.title, now,
           task_id=task.id, workflow_id=task.workflow_id)
