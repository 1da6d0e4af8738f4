"""Where tasks, workflows and the notifications they cause are kept; always within one tenant."""

from __future__ import annotations

import abc

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from akta_cases.tasks.model import Task, Workflow
from akta_cases.tasks.orm import notification_settings, notifications


class TaskRepository(abc.ABC):
    def __init__(self) -> None:
        self.seen: set[Task | Workflow] = set()

    def add(self, item: Task | Workflow) -> None:
        self._add(item)
        self.seen.add(item)

    def get(self, tenant_id: str, task_id: str) -> Task | None:
        return self._seen(self._get(tenant_id, task_id))

    def workflow(self, tenant_id: str, workflow_id: str) -> Workflow | None:
        """The workflow, locked for this transaction where the engine can: two approvers
        deciding at once are handled one after the other."""
        return self._seen(self._workflow(tenant_id, workflow_id))

    def of_workflow(self, tenant_id: str, workflow_id: str) -> list[Task]:
        found = self._of_workflow(tenant_id, workflow_id)
        self.seen.update(found)
        return found

    def _seen(self, item):
        if item is not None:
            self.seen.add(item)
        return item

    @abc.abstractmethod
    def open_on_case(self, tenant_id: str, case_id: str) -> list[dict]:
        """The case's open tasks (id, title, kind, assignee, deadline): a case with any does not close."""

    @abc.abstractmethod
    def add_notification(self, row: dict) -> bool:
        """Store a notification; False when one with its dedup key exists for the user already."""

    @abc.abstractmethod
    def notification_email(self, tenant_id: str, user_id: str) -> str | None: ...

    @abc.abstractmethod
    def _add(self, item: Task | Workflow) -> None: ...

    @abc.abstractmethod
    def _get(self, tenant_id: str, task_id: str) -> Task | None: ...

    @abc.abstractmethod
    def _workflow(self, tenant_id: str, workflow_id: str) -> Workflow | None: ...

    @abc.abstractmethod
    def _of_workflow(self, tenant_id: str, workflow_id: str) -> list[Task]: ...


class SqlAlchemyTaskRepository(TaskRepository):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def open_on_case(self, tenant_id: str, case_id: str) -> list[dict]:
        found = self.session.scalars(
            select(Task)
            .where(Task.tenant_id == tenant_id, Task.case_id == case_id, Task.status == "open")
            .order_by(Task.deadline.is_(None), Task.deadline, Task.created_at, Task.id)
        ).all()
        return [task.as_open_task() for task in found]

    def add_notification(self, row: dict) -> bool:
        if row.get("dedup_key") is None:
            self.session.execute(notifications.insert().values(**row))
            return True
        insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(notifications)
            .values(**row)
            .on_conflict_do_nothing(index_elements=[notifications.c.tenant_id, notifications.c.user_id, notifications.c.dedup_key])
            .returning(notifications.c.id)
        )
        return self.session.execute(statement).scalar() is not None

    def notification_email(self, tenant_id: str, user_id: str) -> str | None:
        return self.session.scalar(
            select(notification_settings.c.email).where(
                notification_settings.c.tenant_id == tenant_id, notification_settings.c.user_id == user_id
            )
        )

    def _add(self, item: Task | Workflow) -> None:
        self.session.add(item)

    def _get(self, tenant_id: str, task_id: str) -> Task | None:
        return self.session.scalars(select(Task).where(Task.tenant_id == tenant_id, Task.id == task_id)).one_or_none()

    def _workflow(self, tenant_id: str, workflow_id: str) -> Workflow | None:
        return self.session.scalars(
            select(Workflow).where(Workflow.tenant_id == tenant_id, Workflow.id == workflow_id).with_for_update()
        ).one_or_none()

    def _of_workflow(self, tenant_id: str, workflow_id: str) -> list[Task]:
        return list(self.session.scalars(
            select(Task).where(Task.tenant_id == tenant_id, Task.workflow_id == workflow_id).order_by(Task.workflow_step, Task.created_at)
        ).all())
