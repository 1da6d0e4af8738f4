"""Events published by the cases service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from akta.contracts.base import Event

CaseStatus = Literal["open", "closed", "archived"]


class CaseCreated(Event):
    event_type = "cases.case.created.v1"
    subject_field = "case_id"
    summary = "A case was created."

    case_id: str
    number: str = Field(description="Case number per tenant and year, e.g. 2026/000123.")
    title: str
    status: CaseStatus
    access_group_id: str | None = Field(default=None, description="Who may see it: the access group.")
    screening_code: str | None = Field(default=None, description="Restriction level (skjerming), if any.")
    template_id: str | None = None
    class_id: str | None = None
    class_code: str | None = Field(default=None, description="The class's number in the archive plan, e.g. 28.00.00.")
    retention_rule: str | None = Field(default=None, description="The rule from the template or the class.")
    owner_id: str | None = None
    unit_id: str | None = None


class CaseUpdated(Event):
    event_type = "cases.case.updated.v1"
    subject_field = "case_id"
    summary = "A case's title or status changed."

    case_id: str
    number: str
    title: str
    status: CaseStatus
    changed_fields: list[str]
    version: int
    access_group_id: str | None = None
    screening_code: str | None = None
    class_id: str | None = None
    class_code: str | None = None


class ArchiveClassSaved(Event):
    event_type = "cases.archive_class.saved.v1"
    subject_field = "class_id"
    summary = "A class of the archive plan was created or changed (retention reads its rule)."

    class_id: str
    code: str
    title: str
    parent_id: str | None = None
    retention_rule: str | None = None
    access_group_id: str | None = None
    active: bool = True


class CaseTemplateSaved(Event):
    event_type = "cases.case_template.saved.v1"
    subject_field = "template_id"
    summary = "A case template was created or changed (retention reads its rule)."

    template_id: str
    name: str
    class_id: str | None = None
    access_group_id: str | None = None
    screening_code: str | None = None
    retention_rule: str | None = None
    active: bool = True


class CaseClosed(Event):
    event_type = "cases.case.closed.v1"
    subject_field = "case_id"
    summary = "A case was closed (the usual trigger of its retention period)."

    case_id: str
    number: str
    closed_at: datetime
    reason: str | None = None


class CaseReopened(Event):
    event_type = "cases.case.reopened.v1"
    subject_field = "case_id"
    summary = "A closed case was reopened, with the reason."

    case_id: str
    number: str
    reason: str


class CaseArchived(Event):
    event_type = "cases.case.archived.v1"
    subject_field = "case_id"
    summary = "A closed case was archived: it no longer changes."

    case_id: str
    number: str
    archived_at: datetime


class CaseLinked(Event):
    event_type = "cases.case.linked.v1"
    subject_field = "case_id"
    summary = "Two cases were linked (related, follows, replaces)."

    case_id: str
    linked_case_id: str
    kind: str


class CaseNoteAdded(Event):
    event_type = "cases.case.note_added.v1"
    subject_field = "case_id"
    summary = "A note was written on a case."

    case_id: str
    note_id: str


# Parties and registrations carry contact ids, never a national id (CPR, fødselsnummer).
RegistrationKind = Literal["I", "U", "N", "X"]
RegistrationStatus = Literal["registered", "journaled", "expedited", "archived"]


class PartyAdded(Event):
    event_type = "cases.party.added.v1"
    subject_field = "party_id"
    summary = "A contact became a party of a case, in a role (pupil, guardian, applicant…)."

    party_id: str
    case_id: str
    contact_id: str
    role: str = Field(description="pupil, guardian, applicant, employee, sender, recipient or other.")
    contact_name: str | None = Field(default=None, description="The contact's name, for search.")
    access_group_id: str | None = Field(default=None, description="The case's access group.")
    screening_code: str | None = Field(default=None, description="The case's screening code.")


class PartyRemoved(Event):
    event_type = "cases.party.removed.v1"
    subject_field = "party_id"
    summary = "A party was removed from a case."

    party_id: str
    case_id: str
    contact_id: str
    role: str
    access_group_id: str | None = None
    screening_code: str | None = None


class RegistrationEvent(Event):
    """Fields every registration event carries; not an event type of its own."""

    subject_field = "registration_id"

    registration_id: str
    case_id: str
    number: str = Field(description="<case number>-<n>, e.g. 2026/000123-4; n has no gaps within the case.")
    kind: RegistrationKind = Field(description="Noark 5: I incoming, U outgoing, N internal memo, X note.")
    status: RegistrationStatus
    access_group_id: str | None = Field(default=None, description="The case's access group.")
    screening_code: str | None = Field(
        default=None, description="The registration's own screening; a reader also needs the case's."
    )
    case_screening_code: str | None = None
    document_ids: list[str] = Field(default_factory=list, description="Docstore ids, main document first.")
    main_document_id: str | None = None
    reply_to_registration_id: str | None = Field(default=None, description="The outgoing registration this answers.")
    version: int


class RegistrationCreated(RegistrationEvent):
    event_type = "cases.registration.created.v1"
    summary = "A registration (journal entry: incoming, outgoing, internal memo, note) was filed in a case."


class RegistrationChanged(RegistrationEvent):
    event_type = "cases.registration.changed.v1"
    summary = "A registration's title, dates, correspondents, documents, screening or reply link changed."

    changed_fields: list[str]


class RegistrationStatusChanged(RegistrationEvent):
    event_type = "cases.registration.status_changed.v1"
    summary = "A registration moved on: registered → journaled → expedited (outgoing) → archived."

    previous_status: RegistrationStatus


TaskKind = Literal["task", "approval"]


class TaskCreated(Event):
    event_type = "cases.task.created.v1"
    subject_field = "task_id"
    summary = "A task (opgave/oppgave) was created on a case, possibly on one of its registrations."

    task_id: str
    case_id: str
    registration_id: str | None = None
    kind: TaskKind = Field(description="`approval` tasks are the steps of a workflow.")
    title: str
    assignee_id: str | None = Field(default=None, description="User id; none while unassigned.")
    deadline: date | None = None
    workflow_id: str | None = None
    workflow_step: int | None = Field(default=None, description="The workflow step, counted from 1.")


class TaskAssigned(Event):
    event_type = "cases.task.assigned.v1"
    subject_field = "task_id"
    summary = "A task was given to someone else (or unassigned)."

    task_id: str
    case_id: str
    assignee_id: str | None = None
    previous_assignee_id: str | None = None


class TaskChanged(Event):
    event_type = "cases.task.changed.v1"
    subject_field = "task_id"
    summary = "A task's title, description or deadline changed."

    task_id: str
    case_id: str
    changed_fields: list[str]
    deadline: date | None = None
    version: int


class TaskCompleted(Event):
    event_type = "cases.task.completed.v1"
    subject_field = "task_id"
    summary = "A task was done."

    task_id: str
    case_id: str
    completed_by: str
    completed_at: datetime


class TaskCancelled(Event):
    event_type = "cases.task.cancelled.v1"
    subject_field = "task_id"
    summary = "A task was cancelled: nobody needs to do it."

    task_id: str
    case_id: str
    reason: str | None = None


class TaskReopened(Event):
    event_type = "cases.task.reopened.v1"
    subject_field = "task_id"
    summary = "A done task was opened again, with the reason."

    task_id: str
    case_id: str
    reason: str


WorkflowMode = Literal["ordered", "parallel"]


class WorkflowStepSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int = Field(description="Counted from 1.")
    approvers: list[str] = Field(description="User ids.")
    require: Literal["all", "any"] = Field(description="Every approver must approve, or any one of them.")


class WorkflowStarted(Event):
    event_type = "cases.workflow.started.v1"
    subject_field = "workflow_id"
    summary = "An approval workflow (godkendelse/dokumentflyt) started on a case or registration."

    workflow_id: str
    case_id: str
    registration_id: str | None = None
    title: str
    mode: WorkflowMode = Field(description="`ordered`: one step at a time; `parallel`: all steps at once.")
    steps: list[WorkflowStepSpec]


class WorkflowStepDecided(Event):
    event_type = "cases.workflow.step_decided.v1"
    subject_field = "workflow_id"
    summary = "An approver approved or rejected their step of a workflow."

    workflow_id: str
    case_id: str
    step: int
    approver_id: str
    decision: Literal["approve", "reject"]
    comment: str | None = None
    step_status: Literal["active", "approved", "rejected"]


class WorkflowFinished(Event):
    event_type = "cases.workflow.finished.v1"
    subject_field = "workflow_id"
    summary = "A workflow ended: every step approved, one rejected, or it was cancelled."

    workflow_id: str
    case_id: str
    outcome: Literal["approved", "rejected", "cancelled"]
    comment: str | None = None
