"""HTTP API of tasks, workflows, notifications and the caller's dashboard.

Assignees and approvers are user ids from identity; the cases service cannot look users up, so
it takes the ids as given. A task assigned to someone without read access to its case stays
invisible to them until they get it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from flask import Response, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from akta import audit
from akta.contracts.docstore import DocumentStatus
from akta.errors import InvalidField
from akta.service import Service
from akta.web.auth import current_scope
from akta.web.csv_export import csv_response
from akta.web.etags import if_match_version, versioned_response
from akta.web.idempotency import idempotent
from akta.web.pagination import Page, PageQuery, page_response
from akta_cases.documents import views as document_views
from akta_cases.domain.model import CaseNotFound
from akta_cases.entrypoints.exports import timestamped
from akta_cases.tasks import handlers, views
from akta_cases.tasks.model import (
    DESCRIPTION_MAX_LENGTH,
    REASON_MAX_LENGTH,
    REFERENCE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    UNCHANGED,
    TaskNotFound,
    WorkflowNotFound,
)
from akta_cases.tasks.notifications import EMAIL_MAX_LENGTH


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskIn(Strict):
    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH)
    description: str = Field(default="", max_length=DESCRIPTION_MAX_LENGTH)
    assignee_id: str | None = Field(default=None, max_length=REFERENCE_MAX_LENGTH, description="A user id; not looked up. None: unassigned.")
    deadline: date | None = Field(default=None, description="YYYY-MM-DD, today or later.")
    registration_id: str | None = Field(default=None, max_length=REFERENCE_MAX_LENGTH, description="The registration of the case the task is about.")


class TaskChange(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX_LENGTH)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)
    assignee_id: str | None = Field(default=None, max_length=REFERENCE_MAX_LENGTH, description="null unassigns.")
    deadline: date | None = Field(default=None, description="null removes the deadline.")


class OptionalReason(Strict):
    reason: str | None = Field(default=None, max_length=REASON_MAX_LENGTH)


class RequiredReason(Strict):
    reason: str = Field(min_length=1, max_length=REASON_MAX_LENGTH)


class TaskOut(BaseModel):
    id: str
    case_id: str
    case_number: str
    case_title: str
    registration_id: str | None
    kind: Literal["task", "approval"]
    title: str
    description: str
    status: Literal["open", "done", "cancelled"]
    assignee_id: str | None
    deadline: date | None
    overdue: bool
    workflow_id: str | None
    workflow_step: int | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    completed_by: str | None
    status_reason: str | None
    version: int


TASK_CSV_FIELDS = tuple(TaskOut.model_fields)


class StepIn(Strict):
    approvers: list[str] = Field(min_length=1, max_length=20, description="User ids; not looked up.")
    require: Literal["all", "any"] = Field(default="all", description="Every approver must approve, or any one.")
    days_to_deadline: int | None = Field(default=None, ge=0, le=3650, description="Deadline of the step's tasks, counted from when the step starts.")


class WorkflowIn(Strict):
    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH)
    mode: Literal["ordered", "parallel"] = Field(description="ordered: one step at a time; parallel: all at once.")
    steps: list[StepIn] = Field(min_length=1, max_length=20)
    registration_id: str | None = Field(default=None, max_length=REFERENCE_MAX_LENGTH)


class DecisionIn(Strict):
    decision: Literal["approve", "reject"]
    comment: str | None = Field(default=None, max_length=REASON_MAX_LENGTH, description="Required to reject.")


class DecisionOut(BaseModel):
    approver_id: str
    decision: str
    comment: str | None
    decided_at: datetime


class StepOut(BaseModel):
    number: int
    approvers: list[str]
    require: str
    days_to_deadline: int | None
    status: Literal["waiting", "active", "approved", "rejected", "cancelled"]
    decisions: list[DecisionOut]
    started_at: datetime | None = None


class WorkflowOut(BaseModel):
    id: str
    case_id: str
    case_number: str
    registration_id: str | None
    title: str
    mode: str
    status: Literal["running", "approved", "rejected", "cancelled"]
    steps: list[StepOut]
    started_by: str
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    outcome_comment: str | None
    version: int
    tasks: list[TaskOut] = Field(description="The approval tasks handed out so far.")


class CaseSummaryOut(BaseModel):
    id: str
    number: str
    title: str
    status: str
    owner_id: str | None
    unit_id: str | None
    access_group_id: str | None
    screening_code: str | None
    created_at: datetime
    updated_at: datetime


class MyCaseOut(CaseSummaryOut):
    open_tasks: int


class CriticalCaseOut(CaseSummaryOut):
    earliest_deadline: date = Field(description="The deadline of its longest overdue open task.")
    overdue_tasks: int


class LatestRegistrationOut(BaseModel):
    id: str
    case_id: str
    case_number: str
    case_title: str
    number: str
    kind: str = Field(description="Noark 5: I incoming, U outgoing, N internal memo, X note.")
    title: str
    status: str
    journal_date: date
    created_at: datetime
    created_by: str


class LatestDocumentOut(BaseModel):
    id: str = Field(description="The document's id in docstore.")
    case_id: str
    case_number: str
    case_title: str
    title: str
    document_type: str
    status: DocumentStatus
    current_version: int = Field(description="The newest version's number; 0 before the first upload.")
    created_at: datetime
    created_by: str
    updated_at: datetime


class NotificationOut(BaseModel):
    id: str
    kind: str = Field(description="task_assigned, task_reassigned, workflow_step, workflow_finished, deadline_tomorrow, deadline_passed")
    case_id: str
    case_number: str
    task_id: str | None
    workflow_id: str | None
    text: str
    created_at: datetime
    read_at: datetime | None
    email_status: str | None = Field(description="None (no e-mail), pending, sending, sent, failed or skipped.")


class NotificationSettingsIn(Strict):
    email: str | None = Field(default=None, max_length=EMAIL_MAX_LENGTH, description="Where your notifications go by e-mail; null stops e-mail.")


class NotificationSettingsOut(BaseModel):
    email: str | None
    email_delivery: Literal["on", "off"] = Field(description="off: this installation has no SMTP server configured.")


class TaskListQuery(PageQuery):
    status: Literal["open", "done", "cancelled"] | None = None


class LatestDocumentsQuery(PageQuery):
    page_size: int = Field(default=10, ge=1, le=500)


class NotificationQuery(PageQuery):
    unread_only: bool = False


class CasePath(BaseModel):
    case_id: str = Field(max_length=64)


class TaskPath(BaseModel):
    task_id: str = Field(max_length=64)


class WorkflowPath(BaseModel):
    workflow_id: str = Field(max_length=64)


class StepPath(WorkflowPath):
    step: int = Field(ge=1, description="Steps are counted from 1.")


class NotificationPath(BaseModel):
    notification_id: str = Field(max_length=64)


def _today() -> date:
    return handlers.today_of(datetime.now(UTC))


def create_tasks_blueprint(service: Service) -> APIBlueprint:
    api = APIBlueprint("tasks", __name__, abp_security=[{"bearer": []}], abp_tags=[Tag(name="tasks")])

    def caller(scope_name: str):
        principal, scope = current_scope(service.authenticator)
        principal.require_scope(scope_name)
        return principal, scope

    def task_response(scope, task_id: str, status: int = 200) -> Response:
        found = views.get_task(service.database, scope, task_id, _today())
        if found is None:
            raise TaskNotFound(task_id)
        return versioned_response(TaskOut, found, status, f"/tasks/{task_id}" if status == 201 else None)

    def workflow_response(scope, workflow_id: str, status: int = 200) -> Response:
        found = views.get_workflow(service.database, scope, workflow_id, _today())
        if found is None:
            raise WorkflowNotFound(workflow_id)
        response = Response(WorkflowOut(**found).model_dump_json(), status=status, mimetype="application/json")
        if status == 201:
            response.headers["Location"] = f"{request.script_root}/workflows/{workflow_id}"
        return response

    def created_task(resources: list[dict[str, str]]) -> Response | None:
        """The answer to POST /cases/<case_id>/tasks rebuilt from the task it made."""
        task_id = next((r["id"] for r in resources if r["type"] == "Task"), None)
        return task_response(current_scope(service.authenticator)[1], task_id, 201) if task_id else None

    @api.post("/cases/<case_id>/tasks", responses={201: TaskOut})
    @idempotent(service, recover=created_task)
    def create_task(path: CasePath, body: TaskIn):
        """A task on an open case (write access). The assignee is notified."""
        principal, scope = caller("cases:write")
        task = handlers.create_task(
            service.unit_of_work(), scope, principal.tenant_id, path.case_id, body.title, body.description,
            body.assignee_id, body.deadline, body.registration_id,
        )
        return task_response(scope, task.id, 201)

    @api.get("/cases/<case_id>/tasks", responses={200: Page[TaskOut]})
    def list_case_tasks(path: CasePath, query: TaskListQuery):
        """The case's tasks, soonest deadline first."""
        principal, scope = caller("cases:read")
        found = views.list_case_tasks(service.database, scope, path.case_id, _today(), query.offset, query.page_size, query.status)
        audit.record_read(service, principal.tenant_id, "case", path.case_id, "success" if found else "denied", action="list_tasks")
        if found is None:
            raise CaseNotFound(path.case_id)
        items, total = found
        return page_response(TaskOut, items, total, query)

    @api.get("/tasks/<task_id>", responses={200: TaskOut})
    def get_task(path: TaskPath):
        """One task; its ETag is its version, for If-Match on changes."""
        principal, scope = caller("cases:read")
        response = None
        try:
            response = task_response(scope, path.task_id)
        finally:
            audit.record_read(service, principal.tenant_id, "task", path.task_id, "success" if response else "denied")
        return response

    @api.patch("/tasks/<task_id>", responses={200: TaskOut})
    def change_task(path: TaskPath, body: TaskChange):
        """Change title, description, deadline or assignee (write access). Send If-Match with
        the ETag you read to avoid lost updates. A new assignee and the previous one are notified."""
        principal, scope = caller("cases:write")
        given = body.model_fields_set
        if "title" in given and body.title is None:
            raise InvalidField("title", "must not be null")
        handlers.change_task(
            service.unit_of_work(), scope, principal.tenant_id, path.task_id, if_match_version("task"),
            title=body.title if "title" in given else UNCHANGED,
            description=(body.description or "") if "description" in given else UNCHANGED,
            deadline=body.deadline if "deadline" in given else UNCHANGED,
            assignee_id=body.assignee_id if "assignee_id" in given else UNCHANGED,
        )
        return task_response(scope, path.task_id)

    @api.post("/tasks/<task_id>/complete", responses={200: TaskOut})
    def complete_task(path: TaskPath):
        """Mark the task done: with write access to its case, or as its assignee with read access alone."""
        principal, scope = caller("cases:write")
        user_id = None if principal.is_service else principal.subject_id
        handlers.complete_task(service.unit_of_work(), scope, principal.tenant_id, path.task_id, user_id)
        return task_response(scope, path.task_id)

    @api.post("/tasks/<task_id>/cancel", responses={200: TaskOut})
    def cancel_task(path: TaskPath, body: OptionalReason):
        principal, scope = caller("cases:write")
        handlers.cancel_task(service.unit_of_work(), scope, principal.tenant_id, path.task_id, body.reason)
        return task_response(scope, path.task_id)

    @api.post("/tasks/<task_id>/reopen", responses={200: TaskOut})
    def reopen_task(path: TaskPath, body: RequiredReason):
        """Open a done task again; the reason is kept."""
        principal, scope = caller("cases:write")
        handlers.reopen_task(service.unit_of_work(), scope, principal.tenant_id, path.task_id, body.reason)
        return task_response(scope, path.task_id)

    @api.post("/cases/<case_id>/workflows", responses={201: WorkflowOut})
    def start_workflow(path: CasePath, body: WorkflowIn):
        """Start an approval chain (write access): each approver of an active step gets an
        approval task. Ordered: one step at a time; parallel: all steps at once."""
        principal, scope = caller("cases:write")
        workflow = handlers.start_workflow(
            service.unit_of_work(), scope, principal.tenant_id, path.case_id, body.title, body.mode,
            [step.model_dump() for step in body.steps], body.registration_id,
        )
        return workflow_response(scope, workflow.id, 201)

    @api.get("/workflows/<workflow_id>", responses={200: WorkflowOut})
    def get_workflow(path: WorkflowPath):
        principal, scope = caller("cases:read")
        response = None
        try:
            response = workflow_response(scope, path.workflow_id)
        finally:
            audit.record_read(service, principal.tenant_id, "workflow", path.workflow_id, "success" if response else "denied")
        return response

    @api.post("/workflows/<workflow_id>/steps/<int:step>/decision", responses={200: WorkflowOut})
    def decide(path: StepPath, body: DecisionIn):
        """An approver approves or rejects their step (read access to the case is enough). A
        rejection needs a comment and stops the workflow."""
        principal, scope = caller("cases:write")
        user_id = None if principal.is_service else principal.subject_id
        handlers.decide(service.unit_of_work(), scope, principal.tenant_id, path.workflow_id, path.step, user_id, body.decision, body.comment)
        return workflow_response(scope, path.workflow_id)

    @api.post("/workflows/<workflow_id>/cancel", responses={200: WorkflowOut})
    def cancel_workflow(path: WorkflowPath, body: OptionalReason):
        """Stop a running workflow (write access); its open approval tasks are cancelled."""
        principal, scope = caller("cases:write")
        handlers.cancel_workflow(service.unit_of_work(), scope, principal.tenant_id, path.workflow_id, body.reason)
        return workflow_response(scope, path.workflow_id)

    @api.get("/dashboard/my-tasks", responses={200: Page[TaskOut]})
    def my_tasks(query: PageQuery):
        """Open tasks assigned to me, on cases I may read; soonest deadline first."""
        principal, scope = caller("cases:read")
        items, total = views.my_tasks(service.database, scope, principal.subject_id, _today(), query.offset, query.page_size)
        audit.record_read(service, principal.tenant_id, "task", "*", action="list", view="my_tasks", page=query.page, shown=len(items))
        return page_response(TaskOut, items, total, query)

    @api.get("/dashboard/my-tasks.csv", responses={200: None})
    def export_my_tasks():
        """The tasks of GET /dashboard/my-tasks in its order (soonest deadline first) as CSV
        (UTF-8, a header line), streamed: every open task assigned to me on cases I may read.
        Audited as an export."""
        principal, scope = caller("cases:read")
        audit.record_read(service, principal.tenant_id, "task", "*", action="export", view="my_tasks")
        rows = views.iter_my_tasks(service.database, scope, principal.subject_id, _today())
        return csv_response(TASK_CSV_FIELDS, rows, timestamped("my-tasks"))

    @api.get("/dashboard/my-cases", responses={200: Page[MyCaseOut]})
    def my_cases(query: PageQuery):
        """Open cases I own and may read, most recently changed first."""
        principal, scope = caller("cases:read")
        items, total = views.my_cases(service.database, scope, principal.subject_id, query.offset, query.page_size)
        audit.record_read(service, principal.tenant_id, "case", "*", action="list", view="my_cases", page=query.page, shown=len(items))
        return page_response(MyCaseOut, items, total, query)

    @api.get("/dashboard/critical-cases", responses={200: Page[CriticalCaseOut]})
    def critical_cases(query: PageQuery):
        """Open cases I may read with an open task past its deadline, longest overdue first."""
        principal, scope = caller("cases:read")
        items, total = views.critical_cases(service.database, scope, _today(), query.offset, query.page_size)
        audit.record_read(service, principal.tenant_id, "case", "*", action="list", view="critical_cases", page=query.page, shown=len(items))
        return page_response(CriticalCaseOut, items, total, query)

    @api.get("/dashboard/latest-registrations", responses={200: Page[LatestRegistrationOut]})
    def latest_registrations(query: PageQuery):
        """Registrations I may read (their case and their own screening), newest filed first."""
        principal, scope = caller("cases:read")
        items, total = views.latest_registrations(service.database, scope, query.offset, query.page_size)
        audit.record_read(service, principal.tenant_id, "registration", "*", action="list", view="latest_registrations", page=query.page, shown=len(items))
        return page_response(LatestRegistrationOut, items, total, query)

    @api.get("/dashboard/latest-documents", responses={200: Page[LatestDocumentOut]})
    def latest_documents(query: LatestDocumentsQuery):
        """Documents I may read (their case and their own screening), newest created first; 10
        to a page unless asked. Docstore's documents as its events described them, so one just
        made may take a moment to appear."""
        principal, scope = caller("cases:read")
        items, total = document_views.latest_documents(service.database, scope, query.offset, query.page_size)
        audit.record_read(service, principal.tenant_id, "document", "*", action="list", view="latest_documents", page=query.page, shown=len(items))
        return page_response(LatestDocumentOut, items, total, query)

    @api.get("/dashboard/notifications", responses={200: Page[NotificationOut]})
    def my_notifications(query: NotificationQuery):
        """My notifications about cases I may read: unread first, then newest first."""
        principal, scope = caller("cases:read")
        items, total = views.my_notifications(service.database, scope, principal.subject_id, query.offset, query.page_size, query.unread_only)
        audit.record_read(service, principal.tenant_id, "notification", "*", action="list", page=query.page, shown=len(items))
        return page_response(NotificationOut, items, total, query)

    @api.post("/dashboard/notifications/<notification_id>/read", responses={204: None})
    def mark_read(path: NotificationPath):
        principal, scope = caller("cases:read")
        handlers.mark_notification_read(service.unit_of_work(), scope, principal.tenant_id, principal.subject_id, path.notification_id)
        return Response(status=204)

    @api.get("/dashboard/notification-settings", responses={200: NotificationSettingsOut})
    def notification_settings():
        """Where my notifications go by e-mail. Users' addresses live in identity, which the
        cases service never asks; each user gives the address for notifications here."""
        principal, _ = caller("cases:read")
        email = views.notification_email(service.database, principal.tenant_id, principal.subject_id)
        return _settings_response(service, email)

    @api.put("/dashboard/notification-settings", responses={200: NotificationSettingsOut})
    def change_notification_settings(body: NotificationSettingsIn):
        principal, _ = caller("cases:read")
        if principal.is_service:
            raise InvalidField("email", "service accounts get no notifications")
        email = handlers.set_notification_email(service.unit_of_work(), principal.tenant_id, principal.subject_id, body.email)
        return _settings_response(service, email)

    return api


def _settings_response(service: Service, email: str | None) -> Response:
    out = NotificationSettingsOut(email=email, email_delivery="on" if service.settings.smtp_host else "off")
    return Response(out.model_dump_json(), mimetype="application/json")

