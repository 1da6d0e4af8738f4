"""Use cases of tasks and workflows. Access follows the case: reading a task needs read on its
case (404 otherwise), changing it needs write (403), except that the assignee completes their
own task with read alone, and an approver decides their own step with read alone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import structlog

from akta import audit, context
from akta.access.scope import READ, WRITE, AccessScope
from akta.errors import Conflict, Forbidden, InvalidField, NotFound
from akta_cases.service_layer.case_access import case_allows, writable_case
from akta_cases.tasks import notifications, views
from akta_cases.tasks.model import (
    UNCHANGED,
    Task,
    TaskNotFound,
    Unchanged,
    Workflow,
    WorkflowNotFound,
    deadline_after,
)
from akta_cases.tasks.orm import notification_settings
from akta_cases.tasks.orm import notifications as notification_rows

log = structlog.get_logger("akta.cases.tasks")


def _now() -> datetime:
    return datetime.now(UTC)


def today_of(now: datetime) -> date:
    """Deadlines are calendar dates, judged in UTC."""
    return now.astimezone(UTC).date()


def create_default_tasks(uow, case, template=None) -> list[Task]:
    """The template's default tasks on a new case, in the transaction that creates it: due
    `days_to_deadline` after the case's creation date, assigned to the case's owner."""
    if template is None and case.template_id:
        template = uow.archive_plan.template(case.tenant_id, case.template_id)
    if template is None or not template.default_tasks:
        return []
    today = today_of(case.created_at)
    created = []
    for item in template.default_tasks:
        task = Task.create(
            case.tenant_id, case.id, item["title"], case.created_by, case.created_at, today,
            assignee_id=case.owner_id, deadline=deadline_after(today, item.get("days_to_deadline")),
        )
        uow.tasks.add(task)
        notifications.task_given(uow, case, task, case.created_at)
        audit.record(uow, case.tenant_id, "create", "task", task.id, case_id=case.id, template_id=template.id)
        created.append(task)
    return created


def create_task(
    uow,
    scope: AccessScope,
    tenant_id: str,
    case_id: str,
    title: str,
    description: str | None = None,
    assignee_id: str | None = None,
    deadline: date | None = None,
    registration_id: str | None = None,
    now: datetime | None = None,
) -> Task:
    now = now or _now()
    with uow:
        case = writable_case(uow, scope, tenant_id, case_id)
        _require_open(case)
        _check_registration(uow, scope, case, registration_id)
        task = Task.create(
            tenant_id, case.id, title, context.current().actor, now, today_of(now),
            description=description, assignee_id=assignee_id, deadline=deadline, registration_id=registration_id,
        )
        uow.tasks.add(task)
        notifications.task_given(uow, case, task, now)
        audit.record(uow, tenant_id, "create", "task", task.id, case_id=case.id)
        uow.commit()
    log.info("task created", task_id=task.id, case_id=case_id)
    return task


def change_task(
    uow,
    scope: AccessScope,
    tenant_id: str,
    task_id: str,
    expected_version: int | None = None,
    title: str | Unchanged = UNCHANGED,
    description: str | Unchanged = UNCHANGED,
    deadline: date | None | Unchanged = UNCHANGED,
    assignee_id: str | None | Unchanged = UNCHANGED,
    now: datetime | None = None,
) -> Task:
    now = now or _now()
    with uow:
        task, case = _task_and_case(uow, scope, tenant_id, task_id, WRITE)
        _require_open(case)
        previous_assignee = task.assignee_id
        changed = task.change(
            now, today_of(now), title=title, description=description, deadline=deadline,
            assignee_id=assignee_id, expected_version=expected_version,
        )
        if "assignee_id" in changed:
            notifications.task_given(uow, case, task, now)
            notifications.notify(uow, tenant_id, case.id, case.number, previous_assignee, "task_reassigned", task.title, now, task_id=task.id)
        if changed:
            audit.record(uow, tenant_id, "change", "task", task.id, case_id=case.id, fields=",".join(changed))
        uow.commit()
    return task


def complete_task(uow, scope: AccessScope, tenant_id: str, task_id: str, user_id: str | None, now: datetime | None = None) -> Task:
    """Done. Who may change the case may complete any of its tasks; the assignee their own even
    with read access only."""
    now = now or _now()
    with uow:
        task, case = _task_and_case(uow, scope, tenant_id, task_id, READ)
        if not case_allows(scope, WRITE, case) and (user_id is None or user_id != task.assignee_id):
            raise Forbidden("you may read this task's case but not change it; only the assignee completes it with read access")
        if task.is_approval:
            raise Conflict(f"an approval is decided through its workflow: POST /workflows/{task.workflow_id}/steps/{task.workflow_step}/decision")
        _require_open(case)
        task.complete(now, context.current().actor)
        audit.record(uow, tenant_id, "complete", "task", task.id, case_id=case.id)
        uow.commit()
    return task


def cancel_task(uow, scope: AccessScope, tenant_id: str, task_id: str, reason: str | None = None, now: datetime | None = None) -> Task:
    now = now or _now()
    with uow:
        task, case = _task_and_case(uow, scope, tenant_id, task_id, WRITE)
        if task.is_approval:
            raise Conflict(f"an approval step ends with its workflow: POST /workflows/{task.workflow_id}/cancel")
        _require_open(case)
        task.cancel(now, reason)
        audit.record(uow, tenant_id, "cancel", "task", task.id, case_id=case.id, reason=task.status_reason)
        uow.commit()
    return task


def reopen_task(uow, scope: AccessScope, tenant_id: str, task_id: str, reason: str | None, now: datetime | None = None) -> Task:
    now = now or _now()
    with uow:
        task, case = _task_and_case(uow, scope, tenant_id, task_id, WRITE)
        _require_open(case)
        task.reopen(now, reason)
        audit.record(uow, tenant_id, "reopen", "task", task.id, case_id=case.id, reason=task.status_reason)
        uow.commit()
    return task


def start_workflow(
    uow,
    scope: AccessScope,
    tenant_id: str,
    case_id: str,
    title: str,
    mode: str,
    steps: list[dict],
    registration_id: str | None = None,
    now: datetime | None = None,
) -> Workflow:
    now = now or _now()
    with uow:
        case = writable_case(uow, scope, tenant_id, case_id)
        _require_open(case)
        _check_registration(uow, scope, case, registration_id)
        workflow, tasks = Workflow.start(
            tenant_id, case.id, title, mode, steps, context.current().actor, now, today_of(now), registration_id
        )
        uow.tasks.add(workflow)
        _hand_out(uow, case, tasks, now)
        audit.record(uow, tenant_id, "create", "workflow", workflow.id, case_id=case.id, mode=mode, steps=len(workflow.steps))
        uow.commit()
    log.info("workflow started", workflow_id=workflow.id, case_id=case_id, mode=mode)
    return workflow


def decide(
    uow,
    scope: AccessScope,
    tenant_id: str,
    workflow_id: str,
    step: int,
    user_id: str | None,
    decision: str,
    comment: str | None = None,
    now: datetime | None = None,
) -> Workflow:
    """An approver's decision on their step; read access to the case is enough for an approver."""
    now = now or _now()
    with uow:
        workflow, case = _workflow_and_case(uow, scope, tenant_id, workflow_id, READ)
        _require_open(case)
        tasks = uow.tasks.of_workflow(tenant_id, workflow.id)
        started = workflow.decide(step, user_id or "", decision, comment, context.current().actor, now, today_of(now), tasks)
        _hand_out(uow, case, started, now)
        if workflow.status != "running":
            notifications.notify(
                uow, tenant_id, case.id, case.number, notifications.user_id_of(workflow.started_by), "workflow_finished",
                f"{workflow.title}: {workflow.status}", now, workflow_id=workflow.id,
            )
        audit.record(uow, tenant_id, "decide", "workflow", workflow.id, case_id=case.id, step=step, decision=decision)
        uow.commit()
    return workflow


def cancel_workflow(uow, scope: AccessScope, tenant_id: str, workflow_id: str, reason: str | None = None, now: datetime | None = None) -> Workflow:
    now = now or _now()
    with uow:
        workflow, case = _workflow_and_case(uow, scope, tenant_id, workflow_id, WRITE)
        _require_open(case)
        workflow.cancel(now, reason, uow.tasks.of_workflow(tenant_id, workflow.id))
        audit.record(uow, tenant_id, "cancel", "workflow", workflow.id, case_id=case.id)
        uow.commit()
    return workflow


def mark_notification_read(uow, scope: AccessScope, tenant_id: str, user_id: str, notification_id: str, now: datetime | None = None) -> None:
    """Only the recipient marks their notification read, and only while they may read its case."""
    with uow:
        if not views.notification_visible(uow.session, scope, user_id, notification_id):
            raise NotFound(f"no notification {notification_id}")
        uow.session.execute(
            notification_rows.update()
            .where(notification_rows.c.tenant_id == tenant_id, notification_rows.c.id == notification_id, notification_rows.c.read_at.is_(None))
            .values(read_at=now or _now())
        )
        audit.record(uow, tenant_id, "change", "notification", notification_id, read=True)
        uow.commit()


def set_notification_email(uow, tenant_id: str, user_id: str, email: str | None, now: datetime | None = None) -> str | None:
    """Where the user's notifications go by e-mail; None stops e-mail."""
    email = notifications.clean_email(email)
    with uow:
        where = (notification_settings.c.tenant_id == tenant_id) & (notification_settings.c.user_id == user_id)
        updated = uow.session.execute(notification_settings.update().where(where).values(email=email, updated_at=now or _now()))
        if updated.rowcount == 0:
            uow.session.execute(notification_settings.insert().values(tenant_id=tenant_id, user_id=user_id, email=email, updated_at=now or _now()))
        audit.record(uow, tenant_id, "change", "notification_settings", user_id, email_set=email is not None)
        uow.commit()
    return email


def _hand_out(uow, case, tasks: list[Task], now: datetime) -> None:
    for task in tasks:
        uow.tasks.add(task)
        notifications.task_given(uow, case, task, now)


def _task_and_case(uow, scope: AccessScope, tenant_id: str, task_id: str, permission: str):
    task = uow.tasks.get(tenant_id, task_id)
    case = uow.cases.get(tenant_id, task.case_id) if task is not None else None
    if task is None or case is None or not case_allows(scope, READ, case):
        raise TaskNotFound(task_id)
    if permission == WRITE and not case_allows(scope, WRITE, case):
        raise Forbidden("you may read this task's case but not change it")
    return task, case


def _workflow_and_case(uow, scope: AccessScope, tenant_id: str, workflow_id: str, permission: str):
    workflow = uow.tasks.workflow(tenant_id, workflow_id)
    case = uow.cases.get(tenant_id, workflow.case_id) if workflow is not None else None
    if workflow is None or case is None or not case_allows(scope, READ, case):
        raise WorkflowNotFound(workflow_id)
    if permission == WRITE and not case_allows(scope, WRITE, case):
        raise Forbidden("you may read this workflow's case but not change it")
    return workflow, case


def _check_registration(uow, scope: AccessScope, case, registration_id: str | None) -> None:
    if registration_id is not None and not views.registration_in_case(uow.session, scope, case.id, registration_id.strip()):
        raise InvalidField("registration_id", f"no registration {registration_id} you may read in case {case.number}")


def _require_open(case) -> None:
    if case.status != "open":
        raise Conflict(f"case {case.number} is {case.status}; its tasks and workflows change only while it is open", current_status=case.status)
