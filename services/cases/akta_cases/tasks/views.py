"""Reads of tasks, workflows, notifications and the dashboard: straight queries, every one
filtered by the caller's grants on the case inside the query."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from akta.access.scope import READ, AccessScope
from akta.db.database import Database
from akta.db.paging import SortKey, fetch_page, iter_in_batches, ordered
from akta_cases.adapters.orm import cases
from akta_cases.registrations.orm import registrations
from akta_cases.registrations.views import readable as readable_registration
from akta_cases.tasks.orm import notification_settings, notifications, tasks, workflows

TASK_FIELDS = (
    "id", "case_id", "registration_id", "kind", "title", "description", "status", "assignee_id", "deadline",
    "workflow_id", "workflow_step", "created_by", "created_at", "updated_at", "completed_at", "completed_by",
    "status_reason", "version",
)


def _readable(scope: AccessScope):
    return scope.condition(READ, cases.c.tenant_id, cases.c.access_group_id, cases.c.screening_code, cases.c.id)


def _with_case(table):
    return and_(cases.c.tenant_id == table.c.tenant_id, cases.c.id == table.c.case_id)


def _task_query(scope: AccessScope):
    return (
        select(*(tasks.c[name] for name in TASK_FIELDS), cases.c.number.label("case_number"), cases.c.title.label("case_title"))
        .join(cases, _with_case(tasks))
        .where(_readable(scope))
    )


def _task_row(row, today: date) -> dict:
    found = dict(row)
    found["overdue"] = found["status"] == "open" and found["deadline"] is not None and found["deadline"] < today
    return found


# Soonest deadline first, those without one last: the order of task lists and their exports.
SOONEST_FIRST = (
    SortKey(tasks.c.deadline.is_(None)), SortKey(tasks.c.deadline), SortKey(tasks.c.created_at), SortKey(tasks.c.id),
)


def _soonest_first():
    return ordered(SOONEST_FIRST)


def get_task(database: Database, scope: AccessScope, task_id: str, today: date) -> dict | None:
    with database.session() as session:
        row = session.execute(_task_query(scope).where(tasks.c.id == task_id)).mappings().one_or_none()
    return _task_row(row, today) if row else None


def case_is_readable(session: Session, scope: AccessScope, case_id: str) -> bool:
    return session.scalar(select(cases.c.id).where(_readable(scope), cases.c.id == case_id)) is not None


def list_case_tasks(
    database: Database, scope: AccessScope, case_id: str, today: date, offset: int, limit: int, status: str | None = None
) -> tuple[list[dict], int] | None:
    """The case's tasks, soonest deadline first; None when the caller may not read the case."""
    query = _task_query(scope).where(tasks.c.case_id == case_id)
    if status:
        query = query.where(tasks.c.status == status)
    with database.session() as session:
        if not case_is_readable(session, scope, case_id):
            return None
        rows, total = fetch_page(session, query.order_by(*_soonest_first()), offset, limit)
    return [_task_row(row, today) for row in rows], total


def get_workflow(database: Database, scope: AccessScope, workflow_id: str, today: date) -> dict | None:
    with database.session() as session:
        row = session.execute(
            select(workflows, cases.c.number.label("case_number"))
            .join(cases, _with_case(workflows))
            .where(_readable(scope), workflows.c.id == workflow_id)
        ).mappings().one_or_none()
        if row is None:
            return None
        step_tasks = session.execute(
            _task_query(scope).where(tasks.c.workflow_id == workflow_id).order_by(tasks.c.workflow_step, tasks.c.created_at)
        ).mappings().all()
    found = dict(row)
    found["tasks"] = [_task_row(task, today) for task in step_tasks]
    return found


def _my_tasks_query(scope: AccessScope, user_id: str):
    return _task_query(scope).where(
        tasks.c.tenant_id == scope.tenant_id, tasks.c.assignee_id == user_id, tasks.c.status == "open"
    )


def my_tasks(database: Database, scope: AccessScope, user_id: str, today: date, offset: int, limit: int) -> tuple[list[dict], int]:
    query = _my_tasks_query(scope, user_id)
    with database.session() as session:
        rows, total = fetch_page(session, query.order_by(*_soonest_first()), offset, limit)
    return [_task_row(row, today) for row in rows], total


def iter_my_tasks(database: Database, scope: AccessScope, user_id: str, today: date, batch_size: int = 500) -> Iterator[dict]:
    """Every task my_tasks lists, in its order, for exports: `batch_size` at a time, each batch
    in a short session of its own (see iter_in_batches)."""
    rows = iter_in_batches(database.session, _my_tasks_query(scope, user_id), SOONEST_FIRST, batch_size)
    return (_task_row(row, today) for row in rows)


def _open_tasks_of_case():
    return (
        select(func.count())
        .select_from(tasks)
        .where(tasks.c.tenant_id == cases.c.tenant_id, tasks.c.case_id == cases.c.id, tasks.c.status == "open")
        .scalar_subquery()
    )


CASE_FIELDS = ("id", "number", "title", "status", "owner_id", "unit_id", "access_group_id", "screening_code", "created_at", "updated_at")


def my_cases(database: Database, scope: AccessScope, user_id: str, offset: int, limit: int) -> tuple[list[dict], int]:
    query = (
        select(*(cases.c[name] for name in CASE_FIELDS), _open_tasks_of_case().label("open_tasks"))
        .where(_readable(scope), cases.c.owner_id == user_id, cases.c.status == "open")
        .order_by(cases.c.updated_at.desc(), cases.c.id)
    )
    with database.session() as session:
        rows, total = fetch_page(session, query, offset, limit)
    return [dict(row) for row in rows], total


def critical_cases(database: Database, scope: AccessScope, today: date, offset: int, limit: int) -> tuple[list[dict], int]:
    """Open cases the caller may read with at least one open task past its deadline, the
    longest overdue first."""
    overdue = (
        select(
            tasks.c.case_id,
            func.min(tasks.c.deadline).label("earliest_deadline"),
            func.count().label("overdue_tasks"),
        )
        .where(tasks.c.tenant_id == scope.tenant_id, tasks.c.status == "open", tasks.c.deadline < today)
        .group_by(tasks.c.case_id)
        .subquery()
    )
    query = (
        select(*(cases.c[name] for name in CASE_FIELDS), overdue.c.earliest_deadline, overdue.c.overdue_tasks)
        .join(overdue, overdue.c.case_id == cases.c.id)
        .where(_readable(scope), cases.c.status == "open")
        .order_by(overdue.c.earliest_deadline, cases.c.id)
    )
    with database.session() as session:
        rows, total = fetch_page(session, query, offset, limit)
    return [dict(row) for row in rows], total


NOTIFICATION_FIELDS = (
    "id", "kind", "case_id", "case_number", "task_id", "workflow_id", "text", "created_at", "read_at", "email_status",
)


def _notification_query(scope: AccessScope, user_id: str):
    return (
        select(*(notifications.c[name] for name in NOTIFICATION_FIELDS))
        .join(cases, _with_case(notifications))
        .where(_readable(scope), notifications.c.tenant_id == scope.tenant_id, notifications.c.user_id == user_id)
    )


def my_notifications(
    database: Database, scope: AccessScope, user_id: str, offset: int, limit: int, unread_only: bool = False
) -> tuple[list[dict], int]:
    """The caller's notifications about cases they may still read: unread first, newest first."""
    query = _notification_query(scope, user_id)
    if unread_only:
        query = query.where(notifications.c.read_at.is_(None))
    query = query.order_by(notifications.c.read_at.is_not(None), notifications.c.created_at.desc(), notifications.c.id)
    with database.session() as session:
        rows, total = fetch_page(session, query, offset, limit)
    return [dict(row) for row in rows], total


def notification_visible(session: Session, scope: AccessScope, user_id: str, notification_id: str) -> bool:
    query = _notification_query(scope, user_id).where(notifications.c.id == notification_id)
    return session.execute(query).first() is not None


def notification_email(database: Database, tenant_id: str, user_id: str) -> str | None:
    with database.session() as session:
        return session.scalar(
            select(notification_settings.c.email).where(
                notification_settings.c.tenant_id == tenant_id, notification_settings.c.user_id == user_id
            )
        )


def latest_registrations(database: Database, scope: AccessScope, offset: int, limit: int) -> tuple[list[dict], int]:
    """Registrations the caller may read (their case and their own screening), newest filed first."""
    query = (
        select(
            registrations.c.id, registrations.c.case_id, cases.c.number.label("case_number"), cases.c.title.label("case_title"),
            registrations.c.number, registrations.c.kind, registrations.c.title, registrations.c.status,
            registrations.c.journal_date, registrations.c.created_at, registrations.c.created_by,
        )
        .join(cases, and_(cases.c.tenant_id == registrations.c.tenant_id, cases.c.id == registrations.c.case_id))
        .where(readable_registration(scope))
        .order_by(registrations.c.created_at.desc(), registrations.c.id)
    )
    with database.session() as session:
        rows, total = fetch_page(session, query, offset, limit)
    return [dict(row) for row in rows], total


def registration_in_case(session: Session, scope: AccessScope, case_id: str, registration_id: str) -> bool:
    return session.execute(
        select(registrations.c.id)
        .join(cases, and_(cases.c.tenant_id == registrations.c.tenant_id, cases.c.id == registrations.c.case_id))
        .where(readable_registration(scope), registrations.c.id == registration_id, registrations.c.case_id == case_id)
    ).first() is not None
