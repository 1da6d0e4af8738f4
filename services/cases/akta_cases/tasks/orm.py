"""Tables of tasks, workflows and notifications, on the cases metadata."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Index, Integer, String, Table, Text, UniqueConstraint

from akta.db.mapping import map_aggregate, map_once
from akta.db.types import UtcDateTime
from akta_cases.adapters.orm import mapper_registry, metadata
from akta_cases.tasks.model import Task, Workflow

tasks = Table(
    "tasks", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("registration_id", String(64), nullable=True),
    Column("kind", String(20), nullable=False),
    Column("title", String(500), nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("assignee_id", String(64), nullable=True),
    Column("deadline", Date, nullable=True),
    Column("workflow_id", String(36), nullable=True),
    Column("workflow_step", Integer, nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime, nullable=True),
    Column("completed_by", String(200), nullable=True),
    Column("status_reason", String(2000), nullable=True),
    Column("version", Integer, nullable=False),
)
# "My tasks": mine, open, soonest deadline first.
Index("ix_tasks_tenant_assignee", tasks.c.tenant_id, tasks.c.assignee_id, tasks.c.status, tasks.c.deadline)
# A case's tasks, and whether it may close.
Index("ix_tasks_tenant_case", tasks.c.tenant_id, tasks.c.case_id, tasks.c.status)
# "Critical cases": open tasks whose deadline passed, per tenant.
Index("ix_tasks_tenant_deadline", tasks.c.tenant_id, tasks.c.status, tasks.c.deadline, tasks.c.case_id)
# The deadline reminder check looks across tenants.
Index("ix_tasks_status_deadline", tasks.c.status, tasks.c.deadline)
Index("ix_tasks_workflow", tasks.c.workflow_id)

workflows = Table(
    "workflows", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("registration_id", String(64), nullable=True),
    Column("title", String(500), nullable=False),
    Column("mode", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("steps", JSON, nullable=False),
    Column("started_by", String(200), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("outcome_comment", String(2000), nullable=True),
    Column("version", Integer, nullable=False),
)
Index("ix_workflows_tenant_case", workflows.c.tenant_id, workflows.c.case_id)

notifications = Table(
    "notifications", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("case_number", String(20), nullable=False),
    Column("task_id", String(36), nullable=True),
    Column("workflow_id", String(36), nullable=True),
    Column("text", String(500), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("read_at", UtcDateTime, nullable=True),
    # Set for notifications that must exist once only (deadline reminders).
    Column("dedup_key", String(200), nullable=True),
    Column("email_to", String(254), nullable=True),
    # None (no e-mail), pending, sending, sent, failed, skipped
    Column("email_status", String(20), nullable=True),
    Column("email_attempts", Integer, nullable=False, default=0),
    Column("email_next_attempt_at", UtcDateTime, nullable=True),
    Column("email_claimed_until", UtcDateTime, nullable=True),
    Column("email_sent_at", UtcDateTime, nullable=True),
    Column("email_error", String(1000), nullable=True),
    UniqueConstraint("tenant_id", "user_id", "dedup_key", name="uq_notifications_user_dedup"),
)
Index("ix_notifications_user", notifications.c.tenant_id, notifications.c.user_id, notifications.c.read_at, notifications.c.created_at)
Index("ix_notifications_email", notifications.c.email_status, notifications.c.email_next_attempt_at)
Index("ix_notifications_task", notifications.c.task_id)

notification_settings = Table(
    "notification_settings", metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    # Given by the user themself: users' addresses are identity's, and cases never asks it.
    Column("email", String(254), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)


def start_mappers() -> None:
    map_once(__name__, _map)


def _map() -> None:
    # The domain counts versions itself; the mapper checks the old one in every UPDATE.
    map_aggregate(mapper_registry, Task, tasks, version_id_col=tasks.c.version, version_id_generator=False)
    map_aggregate(mapper_registry, Workflow, workflows, version_id_col=workflows.c.version, version_id_generator=False)
