"""tasks, approval workflows, notifications and users' notification e-mail addresses

Revision ID: 0009_tasks
Revises: 0004_archive_plan
"""
import sqlalchemy as sa
from alembic import op

from akta.db.types import UtcDateTime

revision = "0009_tasks"
down_revision = "0004_archive_plan"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("registration_id", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assignee_id", sa.String(64), nullable=True),
        sa.Column("deadline", sa.Date, nullable=True),
        sa.Column("workflow_id", sa.String(36), nullable=True),
        sa.Column("workflow_step", sa.Integer, nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("completed_at", UtcDateTime, nullable=True),
        sa.Column("completed_by", sa.String(200), nullable=True),
        sa.Column("status_reason", sa.String(2000), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_tasks_tenant_assignee", "tasks", ["tenant_id", "assignee_id", "status", "deadline"])
    op.create_index("ix_tasks_tenant_case", "tasks", ["tenant_id", "case_id", "status"])
    op.create_index("ix_tasks_tenant_deadline", "tasks", ["tenant_id", "status", "deadline", "case_id"])
    op.create_index("ix_tasks_status_deadline", "tasks", ["status", "deadline"])
    op.create_index("ix_tasks_workflow", "tasks", ["workflow_id"])
    op.create_table(
        "workflows",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("registration_id", sa.String(64), nullable=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("steps", sa.JSON, nullable=False),
        sa.Column("started_by", sa.String(200), nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime, nullable=True),
        sa.Column("outcome_comment", sa.String(2000), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_workflows_tenant_case", "workflows", ["tenant_id", "case_id"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("case_number", sa.String(20), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("workflow_id", sa.String(36), nullable=True),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("read_at", UtcDateTime, nullable=True),
        sa.Column("dedup_key", sa.String(200), nullable=True),
        sa.Column("email_to", sa.String(254), nullable=True),
        sa.Column("email_status", sa.String(20), nullable=True),
        sa.Column("email_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("email_next_attempt_at", UtcDateTime, nullable=True),
        sa.Column("email_claimed_until", UtcDateTime, nullable=True),
        sa.Column("email_sent_at", UtcDateTime, nullable=True),
        sa.Column("email_error", sa.String(1000), nullable=True),
        sa.UniqueConstraint("tenant_id", "user_id", "dedup_key", name="uq_notifications_user_dedup"),
    )
    op.create_index("ix_notifications_user", "notifications", ["tenant_id", "user_id", "read_at", "created_at"])
    op.create_index("ix_notifications_email", "notifications", ["email_status", "email_next_attempt_at"])
    op.create_index("ix_notifications_task", "notifications", ["task_id"])
    op.create_table(
        "notification_settings",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("notification_settings")
    op.drop_table("notifications")
    op.drop_table("workflows")
    op.drop_table("tasks")
