"""Tasks and approval workflows: the pure domain, then the handlers with in-memory adapters."""

from datetime import UTC, date, datetime, timedelta

import pytest

from akta.errors import Conflict, Forbidden, InvalidField, NotFound
from akta_cases.archive_plan.model import CaseTemplate
from akta_cases.bootstrap import PUBLISHED_EVENTS
from akta_cases.domain import commands
from akta_cases.domain.model import CaseHasOpenTasks
from akta_cases.service_layer import handlers
from akta_cases.tasks.model import StaleTask, Task, Workflow
from tests.support.access import writer
from tests.support.fakes import (
    FakeArchivePlanRepository,
    FakeCaseRepository,
    FakeTaskRepository,
    FakeUnitOfWork,
)

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 21)
ACTOR = "user:u-boss"


def task(**fields) -> Task:
    return Task.create("t-1", "case-1", fields.pop("title", "Ring til forældrene"), ACTOR, NOW, TODAY, **fields)


def types(aggregate) -> list[str]:
    found = [event.event_type for event in aggregate.events]
    aggregate.events.clear()
    return found


def test_a_task_is_open_until_done_and_reopens_only_with_a_reason():
    work = task(assignee_id="u-anna", deadline=TODAY + timedelta(days=3))
    assert (work.status, work.kind, work.version) == ("open", "task", 1)
    assert types(work) == ["cases.task.created.v1"]

    work.complete(NOW, "user:u-anna")
    assert (work.status, work.completed_by) == ("done", "user:u-anna")
    assert types(work) == ["cases.task.completed.v1"]
    with pytest.raises(Conflict):
        work.complete(NOW, "user:u-anna")

    with pytest.raises(InvalidField) as refused:
        work.reopen(NOW, "  ")
    assert refused.value.field == "reason"
    work.reopen(NOW, "forældrene ringede tilbage")
    assert (work.status, work.completed_at, work.status_reason) == ("open", None, "forældrene ringede tilbage")
    assert types(work) == ["cases.task.reopened.v1"]


def test_a_cancelled_task_stays_cancelled():
    work = task()
    work.cancel(NOW, "ikke længere nødvendig")
    assert (work.status, work.status_reason) == ("cancelled", "ikke længere nødvendig")
    assert types(work)[-1] == "cases.task.cancelled.v1"
    with pytest.raises(Conflict):
        work.reopen(NOW, "alligevel")
    with pytest.raises(Conflict):
        work.change(NOW, TODAY, title="Nyt")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"deadline": TODAY - timedelta(days=1)}, "deadline"),
        ({"assignee_id": "has space"}, "assignee_id"),
        ({"registration_id": ""}, "registration_id"),
        ({"description": "bell\x07"}, "description"),
    ],
)
def test_bad_input_names_its_field(fields, field):
    with pytest.raises(InvalidField) as refused:
        task(**fields)
    assert refused.value.field == field


def test_a_deadline_today_is_accepted():
    assert task(deadline=TODAY).deadline == TODAY


def test_reassigning_says_who_had_it_and_other_changes_say_what_changed():
    work = task(assignee_id="u-anna")
    types(work)
    changed = work.change(NOW, TODAY, assignee_id="u-bo", deadline=TODAY + timedelta(days=7))
    assert sorted(changed) == ["assignee_id", "deadline"]
    assigned, other = work.events
    assert (assigned.assignee_id, assigned.previous_assignee_id) == ("u-bo", "u-anna")
    assert other.changed_fields == ["deadline"] and other.version == 2
    types(work)
    assert work.change(NOW, TODAY, assignee_id="u-bo") == []
    assert work.events == []


def test_a_change_against_an_old_version_is_refused():
    work = task()
    work.change(NOW, TODAY, title="Ny titel")
    with pytest.raises(StaleTask):
        work.change(NOW, TODAY, title="Min titel", expected_version=1)


def test_the_open_task_of_a_case_that_cannot_close_lists_what_the_caller_needs():
    work = task(assignee_id="u-anna", deadline=TODAY)
    assert work.as_open_task() == {"id": work.id, "title": "Ring til forældrene", "kind": "task", "assignee": "u-anna", "deadline": "2026-11-21"}


def start(mode="ordered", steps=None) -> tuple[Workflow, list[Task]]:
    steps = steps if steps is not None else [{"approvers": ["u-anna"]}, {"approvers": ["u-bo", "u-carl"]}, {"approvers": ["u-dorte"]}]
    return Workflow.start("t-1", "case-1", "Godkend afgørelse", mode, steps, ACTOR, NOW, TODAY)


def statuses(workflow) -> list[str]:
    return [step["status"] for step in workflow.steps]


def test_an_ordered_workflow_hands_out_one_step_at_a_time():
    workflow, tasks = start()
    assert [(t.assignee_id, t.kind, t.workflow_step) for t in tasks] == [("u-anna", "approval", 1)]
    assert statuses(workflow) == ["active", "waiting", "waiting"]
    assert types(workflow) == ["cases.workflow.started.v1"]

    with pytest.raises(Conflict):
        workflow.decide(2, "u-bo", "approve", None, "user:u-bo", NOW, TODAY, tasks)
    second = workflow.decide(1, "u-anna", "approve", None, "user:u-anna", NOW, TODAY, tasks)
    assert tasks[0].status == "done"
    assert sorted(t.assignee_id for t in second) == ["u-bo", "u-carl"]
    tasks += second

    # Step 2 needs both of its approvers (require "all" by default).
    assert workflow.decide(2, "u-bo", "approve", "fint", "user:u-bo", NOW, TODAY, tasks) == []
    assert statuses(workflow) == ["approved", "active", "waiting"]
    third = workflow.decide(2, "u-carl", "approve", None, "user:u-carl", NOW, TODAY, tasks)
    assert [t.assignee_id for t in third] == ["u-dorte"]
    tasks += third
    types(workflow)

    workflow.decide(3, "u-dorte", "approve", None, "user:u-dorte", NOW, TODAY, tasks)
    assert workflow.status == "approved" and workflow.finished_at == NOW
    assert statuses(workflow) == ["approved", "approved", "approved"]
    assert types(workflow) == ["cases.workflow.step_decided.v1", "cases.workflow.finished.v1"]
    assert {t.status for t in tasks} == {"done"}


def test_a_parallel_workflow_asks_everyone_at_once():
    workflow, tasks = start("parallel", [{"approvers": ["u-anna"]}, {"approvers": ["u-bo"]}])
    assert sorted((t.workflow_step, t.assignee_id) for t in tasks) == [(1, "u-anna"), (2, "u-bo")]
    assert statuses(workflow) == ["active", "active"]
    workflow.decide(2, "u-bo", "approve", None, "user:u-bo", NOW, TODAY, tasks)
    assert workflow.status == "running"
    workflow.decide(1, "u-anna", "approve", None, "user:u-anna", NOW, TODAY, tasks)
    assert workflow.status == "approved"


def test_any_one_approver_may_approve_a_step_that_requires_any():
    workflow, tasks = start("ordered", [{"approvers": ["u-anna", "u-bo"], "require": "any"}])
    workflow.decide(1, "u-bo", "approve", None, "user:u-bo", NOW, TODAY, tasks)
    assert workflow.status == "approved"
    assert {t.assignee_id: t.status for t in tasks} == {"u-anna": "cancelled", "u-bo": "done"}


def test_a_rejection_needs_a_comment_and_stops_the_chain():
    workflow, tasks = start("parallel")
    with pytest.raises(InvalidField) as refused:
        workflow.decide(2, "u-bo", "reject", " ", "user:u-bo", NOW, TODAY, tasks)
    assert refused.value.field == "comment"
    types(workflow)

    assert workflow.decide(2, "u-bo", "reject", "Mangler partshøring", "user:u-bo", NOW, TODAY, tasks) == []
    assert workflow.status == "rejected" and workflow.outcome_comment == "Mangler partshøring"
    assert statuses(workflow) == ["active", "rejected", "active"]
    assert {t.assignee_id: t.status for t in tasks} == {"u-anna": "cancelled", "u-bo": "done", "u-carl": "cancelled", "u-dorte": "cancelled"}
    decided, finished = workflow.events
    assert (decided.decision, decided.step_status) == ("reject", "rejected")
    assert (finished.outcome, finished.comment) == ("rejected", "Mangler partshøring")
    with pytest.raises(Conflict):
        workflow.decide(1, "u-anna", "approve", None, "user:u-anna", NOW, TODAY, tasks)


def test_only_the_step_approvers_decide_and_each_once():
    workflow, tasks = start("ordered", [{"approvers": ["u-anna", "u-bo"]}])
    with pytest.raises(Forbidden):
        workflow.decide(1, "u-eve", "approve", None, "user:u-eve", NOW, TODAY, tasks)
    with pytest.raises(NotFound):
        workflow.decide(4, "u-anna", "approve", None, "user:u-anna", NOW, TODAY, tasks)
    with pytest.raises(InvalidField):
        workflow.decide(1, "u-anna", "maybe", None, "user:u-anna", NOW, TODAY, tasks)
    workflow.decide(1, "u-anna", "approve", None, "user:u-anna", NOW, TODAY, tasks)
    with pytest.raises(Conflict):
        workflow.decide(1, "u-anna", "approve", None, "user:u-anna", NOW, TODAY, tasks)


def test_cancelling_a_workflow_cancels_its_open_approvals():
    workflow, tasks = start()
    workflow.cancel(NOW, "sagen er trukket tilbage", tasks)
    assert workflow.status == "cancelled"
    assert statuses(workflow) == ["cancelled"] * 3
    assert tasks[0].status == "cancelled"
    with pytest.raises(Conflict):
        workflow.cancel(NOW, None, tasks)


def test_step_deadlines_count_from_when_the_step_starts():
    workflow, tasks = start("ordered", [{"approvers": ["u-anna"], "days_to_deadline": 2}, {"approvers": ["u-bo"], "days_to_deadline": 5}])
    assert tasks[0].deadline == TODAY + timedelta(days=2)
    later = NOW + timedelta(days=1)
    second = workflow.decide(1, "u-anna", "approve", None, "user:u-anna", later, TODAY + timedelta(days=1), tasks)
    assert second[0].deadline == TODAY + timedelta(days=6)


@pytest.mark.parametrize(
    ("mode", "steps", "field"),
    [
        ("sideways", [{"approvers": ["u-anna"]}], "mode"),
        ("ordered", [], "steps"),
        ("ordered", [{"approvers": []}], "steps[0].approvers"),
        ("ordered", [{"approvers": ["u-anna"]}, {"approvers": ["u-bo", "u-bo"]}], "steps[1].approvers"),
        ("ordered", [{"approvers": ["u-anna"], "require": "most"}], "steps[0].require"),
        ("ordered", [{"approvers": ["u-anna"], "days_to_deadline": -1}], "steps[0].days_to_deadline"),
    ],
)
def test_a_bad_workflow_names_its_field(mode, steps, field):
    with pytest.raises(InvalidField) as refused:
        start(mode, steps)
    assert refused.value.field == field


def test_an_approval_is_not_reassigned_or_reopened_on_its_own():
    _, tasks = start()
    with pytest.raises(Conflict):
        tasks[0].change(NOW, TODAY, assignee_id="u-eve")
    tasks[0].complete(NOW, "user:u-anna")
    with pytest.raises(Conflict):
        tasks[0].reopen(NOW, "igen")


# The handlers with in-memory adapters.

def fake_uow():
    template = CaseTemplate.create(
        "t-1", "Elevsag", NOW, access_group_id="ag-1",
        default_tasks=[{"title": "Indhent samtykke", "days_to_deadline": 5}, {"title": "Journalisér"}],
    )
    uow = FakeUnitOfWork(
        PUBLISHED_EVENTS, cases=FakeCaseRepository(), archive_plan=FakeArchivePlanRepository(template), tasks=FakeTaskRepository()
    )
    return uow, template


def test_default_tasks_come_with_the_case_for_its_owner_in_the_same_commit():
    uow, template = fake_uow()
    case = handlers.create_case(
        commands.CreateCase("t-1", "Elevsag", template_id=template.id, owner_id="u-carl"), uow, writer("t-1", "ag-1"), now=NOW
    )
    created = sorted(uow.tasks.open_on_case("t-1", case.id), key=lambda t: t["title"])
    assert [(t["title"], t["assignee"], t["deadline"]) for t in created] == [
        ("Indhent samtykke", "u-carl", "2026-11-26"), ("Journalisér", "u-carl", None),
    ]
    assert uow.commits == 1
    assert sorted(e.type for e in uow.outbox if e.type.startswith("cases.task")) == ["cases.task.created.v1"] * 2
    assert [n["kind"] for n in uow.tasks.notifications] == ["task_assigned"] * 2


def test_a_case_with_open_tasks_closes_neither_by_close_nor_by_a_status_change():
    uow, template = fake_uow()
    scope = writer("t-1", "ag-1")
    case = handlers.create_case(commands.CreateCase("t-1", "Elevsag", template_id=template.id), uow, scope, now=NOW)
    with pytest.raises(CaseHasOpenTasks) as refused:
        handlers.close_case(uow, scope, "t-1", case.id)
    assert sorted(t["title"] for t in refused.value.extra["open_tasks"]) == ["Indhent samtykke", "Journalisér"]
    with pytest.raises(CaseHasOpenTasks):
        handlers.update_case(commands.UpdateCase("t-1", case.id, status="closed"), uow, scope)
    assert uow.cases.get("t-1", case.id).status == "open"
