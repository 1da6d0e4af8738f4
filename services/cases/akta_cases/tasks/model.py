"""Tasks and approval workflows, pure Python.

A task is work for one person on a case (optionally on one of its registrations): open → done
or cancelled; a done task may be reopened with a reason. A workflow is a chain of approval
steps; each approver of an active step gets a task of kind "approval", so approvals show up in
"my tasks" beside ordinary work. Ordered workflows start one step at a time, parallel ones all
at once; one rejection stops the chain.
"""

from __future__ import annotations

import copy
import unicodedata
import uuid
from datetime import date, datetime, timedelta

from akta.aggregate import Aggregate
from akta.contracts.cases import (
    TaskAssigned,
    TaskCancelled,
    TaskChanged,
    TaskCompleted,
    TaskCreated,
    TaskReopened,
    WorkflowFinished,
    WorkflowStarted,
    WorkflowStepDecided,
    WorkflowStepSpec,
)
from akta.errors import Conflict, Forbidden, InvalidField, NotFound, PreconditionFailed

TASK_KINDS = ("task", "approval")
TASK_STATUSES = ("open", "done", "cancelled")
WORKFLOW_MODES = ("ordered", "parallel")
STEP_RULES = ("all", "any")
DECISIONS = ("approve", "reject")
TITLE_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 10_000
REASON_MAX_LENGTH = 2000
REFERENCE_MAX_LENGTH = 64
MAX_STEPS = 20
MAX_APPROVERS = 20
MAX_DAYS_TO_DEADLINE = 3650


class Unchanged:
    """Marks a field a change leaves alone (None is a real value: no deadline, unassigned)."""


UNCHANGED = Unchanged()


class TaskNotFound(NotFound):
    def __init__(self, task_id: str) -> None:
        super().__init__(f"no task {task_id}")


class WorkflowNotFound(NotFound):
    def __init__(self, workflow_id: str) -> None:
        super().__init__(f"no workflow {workflow_id}")


class StaleTask(PreconditionFailed):
    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"the task changed since you read it (you had version {expected}, it is now {actual})",
            current_version=actual,
        )


def clean_text(value: str | None, field: str, limit: int, required: bool = True) -> str:
    cleaned = " ".join((value or "").split())
    if required and not cleaned:
        raise InvalidField(field, "must not be empty")
    if len(cleaned) > limit:
        raise InvalidField(field, f"must be at most {limit} characters")
    if any(unicodedata.category(char) == "Cc" for char in cleaned):
        raise InvalidField(field, "must not contain control characters")
    return cleaned


def clean_description(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) > DESCRIPTION_MAX_LENGTH:
        raise InvalidField("description", f"must be at most {DESCRIPTION_MAX_LENGTH} characters")
    if any(unicodedata.category(char) == "Cc" and char not in "\n\t\r" for char in text):
        raise InvalidField("description", "must not contain control characters")
    return text


def clean_reference(value: str | None, field: str) -> str | None:
    """A user or registration id from another part of Akta: kept as given, never looked up here."""
    if value is None:
        return None
    cleaned = value.strip()
    if not cleaned or len(cleaned) > REFERENCE_MAX_LENGTH or any(c.isspace() or not c.isprintable() for c in cleaned):
        raise InvalidField(field, f"must be an id of 1-{REFERENCE_MAX_LENGTH} characters without spaces")
    return cleaned


def check_deadline(deadline: date | None, today: date, field: str = "deadline") -> date | None:
    if deadline is not None and deadline < today:
        raise InvalidField(field, f"must not be in the past (today is {today.isoformat()})")
    return deadline


def deadline_after(today: date, days: int | None) -> date | None:
    return today + timedelta(days=days) if days is not None else None


def _reason(value: str | None, required: bool, why: str = "say why") -> str | None:
    cleaned = clean_text(value, "reason", REASON_MAX_LENGTH, required=False)
    if required and not cleaned:
        raise InvalidField("reason", why)
    return cleaned or None


class Task(Aggregate):
    def __init__(
        self,
        id: str,
        tenant_id: str,
        case_id: str,
        kind: str,
        title: str,
        status: str,
        created_by: str,
        created_at: datetime,
        updated_at: datetime,
        description: str = "",
        assignee_id: str | None = None,
        deadline: date | None = None,
        registration_id: str | None = None,
        workflow_id: str | None = None,
        workflow_step: int | None = None,
        completed_at: datetime | None = None,
        completed_by: str | None = None,
        status_reason: str | None = None,
        version: int = 1,
    ) -> None:
        super().__init__()
        self.id, self.tenant_id, self.case_id, self.kind = id, tenant_id, case_id, kind
        self.title, self.status, self.description = title, status, description
        self.created_by, self.created_at, self.updated_at = created_by, created_at, updated_at
        self.assignee_id, self.deadline, self.registration_id = assignee_id, deadline, registration_id
        self.workflow_id, self.workflow_step = workflow_id, workflow_step
        self.completed_at, self.completed_by, self.status_reason = completed_at, completed_by, status_reason
        self.version = version

    @classmethod
    def create(
        cls,
        tenant_id: str,
        case_id: str,
        title: str,
        actor: str,
        now: datetime,
        today: date,
        description: str | None = None,
        assignee_id: str | None = None,
        deadline: date | None = None,
        registration_id: str | None = None,
        kind: str = "task",
        workflow_id: str | None = None,
        workflow_step: int | None = None,
    ) -> Task:
        task = cls(
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            case_id=case_id,
            kind=kind,
            title=clean_text(title, "title", TITLE_MAX_LENGTH),
            status="open",
            created_by=actor,
            created_at=now,
            updated_at=now,
            description=clean_description(description),
            assignee_id=clean_reference(assignee_id, "assignee_id"),
            deadline=check_deadline(deadline, today),
            registration_id=clean_reference(registration_id, "registration_id"),
            workflow_id=workflow_id,
            workflow_step=workflow_step,
        )
        task.record(
            TaskCreated(
                task_id=task.id, case_id=task.case_id, registration_id=task.registration_id, kind=task.kind,
                title=task.title, assignee_id=task.assignee_id, deadline=task.deadline,
                workflow_id=task.workflow_id, workflow_step=task.workflow_step,
            )
        )
        return task

    @property
    def is_approval(self) -> bool:
        return self.kind == "approval"

    def is_overdue(self, today: date) -> bool:
        return self.status == "open" and self.deadline is not None and self.deadline < today

    def as_open_task(self) -> dict:
        """How a case that cannot close lists the task."""
        return {
            "id": self.id, "title": self.title, "kind": self.kind, "assignee": self.assignee_id,
            "deadline": self.deadline.isoformat() if self.deadline else None,
        }

    def change(
        self,
        now: datetime,
        today: date,
        title: str | Unchanged = UNCHANGED,
        description: str | Unchanged = UNCHANGED,
        deadline: date | None | Unchanged = UNCHANGED,
        assignee_id: str | None | Unchanged = UNCHANGED,
        expected_version: int | None = None,
    ) -> list[str]:
        """Apply the given changes; returns the names of the fields that really changed."""
        if expected_version is not None and expected_version != self.version:
            raise StaleTask(expected_version, self.version)
        if self.status != "open":
            raise Conflict(f"the task is {self.status}; reopen it before changing it", current_status=self.status)
        changed = []
        if not isinstance(title, Unchanged) and (cleaned := clean_text(title, "title", TITLE_MAX_LENGTH)) != self.title:
            self.title = cleaned
            changed.append("title")
        if not isinstance(description, Unchanged) and (text := clean_description(description)) != self.description:
            self.description = text
            changed.append("description")
        if not isinstance(deadline, Unchanged) and deadline != self.deadline:
            self.deadline = check_deadline(deadline, today)
            changed.append("deadline")
        previous_assignee = self.assignee_id
        if not isinstance(assignee_id, Unchanged) and (assignee := clean_reference(assignee_id, "assignee_id")) != self.assignee_id:
            if self.is_approval:
                raise Conflict("an approval step's approvers are set by its workflow; cancel the workflow and start a new one")
            self.assignee_id = assignee
            changed.append("assignee_id")
        if not changed:
            return changed
        self._touch(now)
        if "assignee_id" in changed:
            self.record(TaskAssigned(task_id=self.id, case_id=self.case_id, assignee_id=self.assignee_id, previous_assignee_id=previous_assignee))
        other = [name for name in changed if name != "assignee_id"]
        if other:
            self.record(TaskChanged(task_id=self.id, case_id=self.case_id, changed_fields=other, deadline=self.deadline, version=self.version))
        return changed

    def complete(self, now: datetime, actor: str) -> None:
        self._require_open("completed")
        self.status, self.completed_at, self.completed_by, self.status_reason = "done", now, actor, None
        self._touch(now)
        self.record(TaskCompleted(task_id=self.id, case_id=self.case_id, completed_by=actor, completed_at=now))

    def cancel(self, now: datetime, reason: str | None = None) -> None:
        self._require_open("cancelled")
        self.status, self.status_reason = "cancelled", _reason(reason, required=False)
        self._touch(now)
        self.record(TaskCancelled(task_id=self.id, case_id=self.case_id, reason=self.status_reason))

    def reopen(self, now: datetime, reason: str | None) -> None:
        if self.is_approval:
            raise Conflict("an approval is decided once; start a new workflow to ask again")
        if self.status != "done":
            raise Conflict(f"only a done task is reopened; this one is {self.status}", current_status=self.status)
        self.status, self.status_reason = "open", _reason(reason, required=True, why="say why the task is reopened")
        self.completed_at = self.completed_by = None
        self._touch(now)
        self.record(TaskReopened(task_id=self.id, case_id=self.case_id, reason=self.status_reason))

    def _require_open(self, verb: str) -> None:
        if self.status != "open":
            raise Conflict(f"the task is {self.status} and cannot be {verb}", current_status=self.status)

    def _touch(self, now: datetime) -> None:
        self.updated_at = now
        self.version += 1


def parse_steps(raw_steps: list[dict]) -> list[dict]:
    """The steps as stored: number, approvers, require, days_to_deadline, status, decisions."""
    if not raw_steps:
        raise InvalidField("steps", "a workflow needs at least one step")
    if len(raw_steps) > MAX_STEPS:
        raise InvalidField("steps", f"at most {MAX_STEPS} steps")
    steps = []
    for position, raw in enumerate(raw_steps):
        where = f"steps[{position}]"
        approvers = raw.get("approvers") or []
        if not approvers:
            raise InvalidField(f"{where}.approvers", "name at least one approver (user id)")
        if len(approvers) > MAX_APPROVERS:
            raise InvalidField(f"{where}.approvers", f"at most {MAX_APPROVERS} approvers")
        cleaned = [clean_reference(a, f"{where}.approvers[{n}]") for n, a in enumerate(approvers)]
        if len(set(cleaned)) != len(cleaned):
            raise InvalidField(f"{where}.approvers", "an approver is named twice")
        require = raw.get("require") or "all"
        if require not in STEP_RULES:
            raise InvalidField(f"{where}.require", f"must be one of {', '.join(STEP_RULES)}")
        days = raw.get("days_to_deadline")
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS_TO_DEADLINE):
            raise InvalidField(f"{where}.days_to_deadline", f"a whole number of days, 0 to {MAX_DAYS_TO_DEADLINE}")
        steps.append({
            "number": position + 1, "approvers": cleaned, "require": require, "days_to_deadline": days,
            "status": "waiting", "decisions": [],
        })
    return steps


class Workflow(Aggregate):
    def __init__(
        self,
        id: str,
        tenant_id: str,
        case_id: str,
        title: str,
        mode: str,
        status: str,
        steps: list[dict],
        started_by: str,
        started_at: datetime,
        updated_at: datetime,
        registration_id: str | None = None,
        finished_at: datetime | None = None,
        outcome_comment: str | None = None,
        version: int = 1,
    ) -> None:
        super().__init__()
        self.id, self.tenant_id, self.case_id, self.title, self.mode = id, tenant_id, case_id, title, mode
        self.status, self.steps, self.started_by = status, steps, started_by
        self.started_at, self.updated_at, self.registration_id = started_at, updated_at, registration_id
        self.finished_at, self.outcome_comment, self.version = finished_at, outcome_comment, version

    @classmethod
    def start(
        cls,
        tenant_id: str,
        case_id: str,
        title: str,
        mode: str,
        steps: list[dict],
        actor: str,
        now: datetime,
        today: date,
        registration_id: str | None = None,
    ) -> tuple[Workflow, list[Task]]:
        """The running workflow and the approval tasks of its first step (all steps if parallel)."""
        if mode not in WORKFLOW_MODES:
            raise InvalidField("mode", f"must be one of {', '.join(WORKFLOW_MODES)}")
        workflow = cls(
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            case_id=case_id,
            title=clean_text(title, "title", TITLE_MAX_LENGTH),
            mode=mode,
            status="running",
            steps=parse_steps(steps),
            started_by=actor,
            started_at=now,
            updated_at=now,
            registration_id=clean_reference(registration_id, "registration_id"),
        )
        workflow.record(
            WorkflowStarted(
                workflow_id=workflow.id, case_id=case_id, registration_id=workflow.registration_id,
                title=workflow.title, mode=mode,
                steps=[WorkflowStepSpec(number=s["number"], approvers=s["approvers"], require=s["require"]) for s in workflow.steps],
            )
        )
        steps_now = workflow.steps if mode == "parallel" else workflow.steps[:1]
        tasks = [task for step in steps_now for task in workflow._activate(step["number"], actor, now, today)]
        return workflow, tasks

    def step(self, number: int) -> dict:
        if not 1 <= number <= len(self.steps):
            raise NotFound(f"the workflow has no step {number}; its steps are 1 to {len(self.steps)}")
        return self.steps[number - 1]

    def decide(
        self,
        number: int,
        approver_id: str,
        decision: str,
        comment: str | None,
        actor: str,
        now: datetime,
        today: date,
        tasks: list[Task],
    ) -> list[Task]:
        """Record one approver's decision on an active step, completing their approval task;
        returns the tasks of the step it starts, if any. `tasks` are the workflow's tasks."""
        if decision not in DECISIONS:
            raise InvalidField("decision", f"must be one of {', '.join(DECISIONS)}")
        comment = clean_text(comment, "comment", REASON_MAX_LENGTH, required=False) or None
        if decision == "reject" and comment is None:
            raise InvalidField("comment", "say why you reject the step")
        if self.status != "running":
            raise Conflict(f"the workflow is {self.status}; nothing more is decided in it", current_status=self.status)
        step = self.step(number)
        if approver_id not in step["approvers"]:
            raise Forbidden(f"you are not an approver of step {number}")
        if step["status"] != "active":
            raise Conflict(f"step {number} is {step['status']}, not awaiting decisions", current_status=step["status"])
        if any(d["approver_id"] == approver_id for d in step["decisions"]):
            raise Conflict(f"you have decided on step {number} already")
        own = [t for t in tasks if t.workflow_step == number and t.assignee_id == approver_id and t.status == "open"]
        for task in own:
            task.complete(now, actor)
        steps = copy.deepcopy(self.steps)
        current = steps[number - 1]
        current["decisions"].append({"approver_id": approver_id, "decision": decision, "comment": comment, "decided_at": now.isoformat()})
        approvals = {d["approver_id"] for d in current["decisions"] if d["decision"] == "approve"}
        if decision == "reject":
            current["status"] = "rejected"
        elif current["require"] == "any" or approvals >= set(current["approvers"]):
            current["status"] = "approved"
        self.steps = steps
        self._touch(now)
        self.record(
            WorkflowStepDecided(
                workflow_id=self.id, case_id=self.case_id, step=number, approver_id=approver_id,
                decision=decision, comment=comment, step_status=current["status"],
            )
        )
        if current["status"] == "rejected":
            self._cancel_open(tasks, now, f"step {number} was rejected")
            self._finish("rejected", now, comment)
            return []
        if current["status"] != "approved":
            return []
        self._cancel_open([t for t in tasks if t.workflow_step == number], now, f"step {number} was approved")
        if self.mode == "ordered" and number < len(self.steps):
            return self._activate(number + 1, actor, now, today)
        if all(s["status"] == "approved" for s in self.steps):
            self._finish("approved", now, None)
        return []

    def cancel(self, now: datetime, reason: str | None, tasks: list[Task]) -> None:
        if self.status != "running":
            raise Conflict(f"the workflow is {self.status} already", current_status=self.status)
        reason = _reason(reason, required=False)
        steps = copy.deepcopy(self.steps)
        for step in steps:
            if step["status"] in ("waiting", "active"):
                step["status"] = "cancelled"
        self.steps = steps
        self._cancel_open(tasks, now, reason or "the workflow was cancelled")
        self._finish("cancelled", now, reason)

    def _activate(self, number: int, actor: str, now: datetime, today: date) -> list[Task]:
        steps = copy.deepcopy(self.steps)
        step = steps[number - 1]
        step["status"] = "active"
        step["started_at"] = now.isoformat()
        self.steps = steps
        deadline = deadline_after(today, step["days_to_deadline"])
        return [
            Task.create(
                self.tenant_id, self.case_id, self.title, actor, now, today, assignee_id=approver,
                deadline=deadline, registration_id=self.registration_id, kind="approval",
                workflow_id=self.id, workflow_step=number,
            )
            for approver in step["approvers"]
        ]

    @staticmethod
    def _cancel_open(tasks: list[Task], now: datetime, reason: str) -> None:
        for task in tasks:
            if task.status == "open":
                task.cancel(now, reason)

    def _finish(self, outcome: str, now: datetime, comment: str | None) -> None:
        self.status, self.finished_at, self.outcome_comment = outcome, now, comment
        self._touch(now)
        self.record(WorkflowFinished(workflow_id=self.id, case_id=self.case_id, outcome=outcome, comment=comment))

    def _touch(self, now: datetime) -> None:
        self.updated_at = now
        self.version += 1
