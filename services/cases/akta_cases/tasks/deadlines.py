"""Deadline reminders: the assignee of an open task hears once that it is due tomorrow and once
that its deadline passed (again if the deadline moves). Run every few minutes by the notifier;
several at once are harmless, a unique key per user and reminder keeps it to one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import select

from akta_cases.adapters.orm import cases
from akta_cases.tasks import notifications
from akta_cases.tasks.orm import notifications as notification_rows
from akta_cases.tasks.orm import tasks

# A task overdue for longer when reminders first look at it (or after a long outage) gets none:
# the critical-cases list shows it.
LOOK_BACK_DAYS = 7
BATCH_SIZE = 500


def dedup_key(kind: str, task_id: str, deadline: date) -> str:
    return f"{kind}:{task_id}:{deadline.isoformat()}"


def remind(uow_factory: Callable, today: date, now: datetime) -> int:
    """Create the reminders due `today`; returns how many were created."""
    tomorrow = today + timedelta(days=1)
    created, after = 0, ""
    while True:
        with uow_factory() as uow:
            due = uow.session.execute(
                select(tasks.c.id, tasks.c.tenant_id, tasks.c.case_id, tasks.c.title, tasks.c.assignee_id, tasks.c.deadline, cases.c.number)
                .join(cases, (cases.c.tenant_id == tasks.c.tenant_id) & (cases.c.id == tasks.c.case_id))
                .where(
                    tasks.c.status == "open",
                    tasks.c.assignee_id.is_not(None),
                    tasks.c.deadline >= today - timedelta(days=LOOK_BACK_DAYS),
                    tasks.c.deadline <= tomorrow,
                    tasks.c.deadline != today,
                    cases.c.status == "open",
                    tasks.c.id > after,
                )
                .order_by(tasks.c.id)
                .limit(BATCH_SIZE)
            ).mappings().all()
            if not due:
                return created
            reminded = _reminded(uow.session, [row["id"] for row in due])
            for row in due:
                kind = "deadline_tomorrow" if row["deadline"] == tomorrow else "deadline_passed"
                key = dedup_key(kind, row["id"], row["deadline"])
                if (row["tenant_id"], row["assignee_id"], key) in reminded:
                    continue
                created += notifications.notify(
                    uow, row["tenant_id"], row["case_id"], row["number"], row["assignee_id"], kind, row["title"], now,
                    task_id=row["id"], dedup_key=key,
                )
            uow.commit()
            after = due[-1]["id"]


def _reminded(session, task_ids: list[str]) -> set[tuple[str, str, str]]:
    rows = session.execute(
        select(notification_rows.c.tenant_id, notification_rows.c.user_id, notification_rows.c.dedup_key).where(
            notification_rows.c.task_id.in_(task_ids), notification_rows.c.dedup_key.is_not(None)
        )
    ).all()
    return {tuple(row) for row in rows}
