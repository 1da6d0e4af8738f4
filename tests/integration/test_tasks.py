"""Tasks, workflows, notifications and the dashboard over HTTP on both engines, with a real SMTP
server (aiosmtpd on 127.0.0.1) for the e-mails."""

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from akta_cases.tasks import deadlines, mail
from akta_cases.tasks.orm import notifications, tasks
from tests.support.smtp import free_port, smtp_server
from tests.support.stack import Stack

QUIET = {"notifier_interval_seconds": 3600.0, "deadline_check_seconds": 3600.0}


@pytest.fixture
def mailbox():
    with smtp_server() as server:
        yield server


@pytest.fixture
def stack_settings(request, mailbox) -> dict:
    """E-mail off unless a test asks for "sending" (the notifier sends every 0.1 s to the test's
    SMTP server) or "by_hand" (the same server; the notifier waits, the test calls the sender)."""
    mode = getattr(request, "param", "off")
    smtp = {"smtp_host": "127.0.0.1", "smtp_port": mailbox.port, "smtp_starttls": False, "mail_from": "akta@skolen.dk"}
    if mode == "sending":
        return {**smtp, "notifier_interval_seconds": 0.1}
    if mode == "by_hand":
        return {**smtp, **QUIET, "mail_retry_seconds": 60.0, "mail_max_attempts": 3}
    return {"smtp_host": "", **QUIET}


@pytest.fixture
def stack(tmp_path, database_url, bus_namespace, tokens, stack_settings):
    built = Stack.build(tmp_path, None if database_url.startswith("sqlite") else database_url, "memory://", bus_namespace, tokens, **stack_settings)
    yield built
    built.shutdown()


@pytest.fixture
def school(stack):
    """Anna and Dorte write in the access group, Carl only reads it, Bo has no grant at all."""
    stack.organisation("skolen")
    admin = stack.sign_in("skolen", "admin")
    access_group = stack.admin_post(admin, "/access-groups", {"name": "Elevsager"})["id"]
    users = {name: stack.user(admin, name) for name in ("anna", "bo", "carl", "dorte")}
    stack.grant(admin, users["anna"], "access_group", access_group, "write")
    stack.grant(admin, users["dorte"], "access_group", access_group, "write")
    stack.grant(admin, users["carl"], "access_group", access_group, "read")
    stack.settled()
    template = stack.client.post("/api/cases/templates", headers=admin, json={
        "name": "Elevsag", "access_group_id": access_group,
        "default_tasks": [{"title": "Indhent samtykke", "days_to_deadline": 5}, {"title": "Journalisér"}],
    })
    assert template.status_code == 201, template.get_data(as_text=True)
    headers = {name: stack.sign_in("skolen", name) for name in users}
    return {"admin": admin, "access_group": access_group, "template": template.json["id"], "ids": users, "headers": headers}


def call(stack, method, path, headers, status=None, **kwargs):
    response = getattr(stack.client, method)(f"/api/cases{path}", headers=headers, **kwargs)
    if status is not None:
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.get_data(as_text=True)}"
    return response


def new_case(stack, school, owner=None, title="Elevsag: Anna Jensen", by="anna"):
    body = {"template_id": school["template"], "title": title, **({"owner_id": school["ids"][owner]} if owner else {})}
    return call(stack, "post", "/cases", school["headers"][by], 201, json=body).json


def new_task(stack, school, case, assignee=None, by="anna", **fields):
    body = {"title": "Ring til forældrene", **({"assignee_id": school["ids"][assignee]} if assignee else {}), **fields}
    return call(stack, "post", f"/cases/{case['id']}/tasks", school["headers"][by], 201, json=body).json


def today() -> date:
    return datetime.now(UTC).date()


def test_a_case_from_a_template_gets_its_default_tasks_for_its_owner(stack, school):
    case = new_case(stack, school, owner="carl")
    listed = call(stack, "get", f"/cases/{case['id']}/tasks", school["headers"]["anna"], 200).json
    assert listed["total"] == 2
    by_title = {t["title"]: t for t in listed["items"]}
    assert by_title["Indhent samtykke"]["deadline"] == (today() + timedelta(days=5)).isoformat()
    assert by_title["Journalisér"]["deadline"] is None
    assert {t["assignee_id"] for t in listed["items"]} == {school["ids"]["carl"]}
    assert [t["title"] for t in listed["items"]] == ["Indhent samtykke", "Journalisér"]  # soonest deadline first

    carl = school["headers"]["carl"]
    assert call(stack, "get", "/dashboard/my-tasks", carl, 200).json["total"] == 2
    my_cases = call(stack, "get", "/dashboard/my-cases", carl, 200).json["items"]
    assert [(c["id"], c["open_tasks"]) for c in my_cases] == [(case["id"], 2)]
    kinds = [n["kind"] for n in call(stack, "get", "/dashboard/notifications", carl, 200).json["items"]]
    assert kinds == ["task_assigned", "task_assigned"]
    # Anna created the case for herself next: nobody is told of what they did themself.
    mine = new_case(stack, school)
    assert call(stack, "get", f"/cases/{mine['id']}/tasks", school["headers"]["anna"], 200).json["total"] == 2
    assert call(stack, "get", "/dashboard/notifications", school["headers"]["anna"], 200).json["total"] == 0


def test_closing_a_case_with_open_tasks_is_refused_with_the_tasks_listed(stack, school):
    anna = school["headers"]["anna"]
    case = new_case(stack, school)
    refused = call(stack, "post", f"/cases/{case['id']}/close", anna, 409, json={"reason": "færdig"})
    call(stack, "patch", f"/cases/{case['id']}", anna, 409, json={"status": "closed"})
    assert refused.mimetype == "application/problem+json"
    listed = refused.json["open_tasks"]
    assert sorted(t["title"] for t in listed) == ["Indhent samtykke", "Journalisér"]
    assert {t["assignee"] for t in listed} == {school["ids"]["anna"]}
    assert {t["deadline"] for t in listed} == {(today() + timedelta(days=5)).isoformat(), None}

    first, second = listed
    call(stack, "post", f"/tasks/{first['id']}/complete", anna, 200)
    call(stack, "post", f"/tasks/{second['id']}/cancel", anna, 200, json={"reason": "ikke relevant"})
    assert call(stack, "post", f"/cases/{case['id']}/close", anna, 200, json={}).json["status"] == "closed"
    # Nothing changes on a closed case's tasks.
    call(stack, "post", f"/tasks/{first['id']}/reopen", anna, 409, json={"reason": "glemte noget"})
    call(stack, "post", f"/cases/{case['id']}/tasks", anna, 409, json={"title": "Mere"})


def test_without_a_grant_on_the_case_none_of_its_tasks_exist(stack, school):
    case = new_case(stack, school)
    task = new_task(stack, school, case, assignee="bo", deadline=today().isoformat())
    bo = school["headers"]["bo"]
    call(stack, "get", f"/cases/{case['id']}/tasks", bo, 404)
    call(stack, "get", f"/tasks/{task['id']}", bo, 404)
    call(stack, "post", f"/tasks/{task['id']}/complete", bo, 404)
    call(stack, "patch", f"/tasks/{task['id']}", bo, 404, json={"title": "Mit nu"})
    call(stack, "post", f"/cases/{case['id']}/tasks", bo, 404, json={"title": "x"})
    for view in ("my-tasks", "my-cases", "critical-cases", "notifications", "latest-registrations"):
        assert call(stack, "get", f"/dashboard/{view}", bo, 200).json["total"] == 0, view
    # Carl may read the case, so he sees its tasks, but he may not change them.
    carl = school["headers"]["carl"]
    assert call(stack, "get", f"/tasks/{task['id']}", carl, 200).json["title"] == "Ring til forældrene"
    call(stack, "patch", f"/tasks/{task['id']}", carl, 403, json={"title": "Carls"})
    call(stack, "post", f"/tasks/{task['id']}/cancel", carl, 403, json={})
    call(stack, "post", f"/tasks/{task['id']}/complete", carl, 403)


def test_the_assignee_completes_their_task_with_read_access_alone(stack, school):
    case = new_case(stack, school)
    task = new_task(stack, school, case, assignee="carl")
    carl = school["headers"]["carl"]
    assert [t["id"] for t in call(stack, "get", "/dashboard/my-tasks", carl, 200).json["items"]] == [task["id"]]
    done = call(stack, "post", f"/tasks/{task['id']}/complete", carl, 200).json
    assert (done["status"], done["completed_by"]) == ("done", f"user:{school['ids']['carl']}")
    assert call(stack, "get", "/dashboard/my-tasks", carl, 200).json["total"] == 0
    # Reopening is a change of the case's work: write access, and a reason.
    call(stack, "post", f"/tasks/{task['id']}/reopen", carl, 403, json={"reason": "igen"})
    call(stack, "post", f"/tasks/{task['id']}/reopen", school["headers"]["anna"], 422, json={})
    assert call(stack, "post", f"/tasks/{task['id']}/reopen", school["headers"]["anna"], 200, json={"reason": "mangler svar"}).json["status"] == "open"


def test_bad_task_input_names_the_field_and_stale_changes_are_refused(stack, school):
    anna = school["headers"]["anna"]
    case = new_case(stack, school)
    path = f"/cases/{case['id']}/tasks"
    for body, field in (
        ({"title": ""}, "title"),
        ({"title": "x", "deadline": "2026-02-30"}, "deadline"),
        ({"title": "x", "deadline": (today() - timedelta(days=1)).isoformat()}, "deadline"),
        ({"title": "x", "assignee_id": "a b"}, "assignee_id"),
        ({"title": "x", "registration_id": "no-such-registration"}, "registration_id"),
        ({"title": "x", "colour": "red"}, "colour"),
    ):
        refused = call(stack, "post", path, anna, 422, json=body)
        assert field in {e["field"] for e in refused.json["errors"]}, refused.json
    task = new_task(stack, school, case)
    response = call(stack, "patch", f"/tasks/{task['id']}", {**anna, "If-Match": '"1"'}, 200, json={"deadline": None, "description": "Se noter"})
    assert response.headers["ETag"] == '"2"'
    call(stack, "patch", f"/tasks/{task['id']}", {**anna, "If-Match": '"1"'}, 412, json={"title": "Gammel"})


def test_reassigning_notifies_the_new_and_the_previous_assignee(stack, school):
    case = new_case(stack, school)
    task = new_task(stack, school, case, assignee="carl")
    call(stack, "patch", f"/tasks/{task['id']}", school["headers"]["anna"], 200, json={"assignee_id": school["ids"]["anna"]})
    carl = call(stack, "get", "/dashboard/notifications", school["headers"]["carl"], 200).json["items"]
    assert [n["kind"] for n in carl] == ["task_reassigned", "task_assigned"]
    assert all(n["read_at"] is None for n in carl)
    call(stack, "post", f"/dashboard/notifications/{carl[0]['id']}/read", school["headers"]["carl"], 204)
    after = call(stack, "get", "/dashboard/notifications", school["headers"]["carl"], 200).json["items"]
    assert [(n["kind"], n["read_at"] is None) for n in after] == [("task_assigned", True), ("task_reassigned", False)]
    assert call(stack, "get", "/dashboard/notifications", school["headers"]["carl"], 200, query_string={"unread_only": "true"}).json["total"] == 1
    # Someone else's notification does not exist for you.
    call(stack, "post", f"/dashboard/notifications/{carl[1]['id']}/read", school["headers"]["anna"], 404)


def test_an_ordered_workflow_runs_step_by_step_and_a_rejection_stops_it(stack, school):
    anna, carl = school["headers"]["anna"], school["headers"]["carl"]
    case = new_case(stack, school)
    body = {"title": "Godkend afgørelse", "mode": "ordered",
            "steps": [{"approvers": [school["ids"]["carl"]]}, {"approvers": [school["ids"]["anna"]], "days_to_deadline": 2}]}
    call(stack, "post", f"/cases/{case['id']}/workflows", carl, 403, json=body)
    workflow = call(stack, "post", f"/cases/{case['id']}/workflows", anna, 201, json=body).json
    assert [s["status"] for s in workflow["steps"]] == ["active", "waiting"]
    approvals = [t for t in call(stack, "get", "/dashboard/my-tasks", carl, 200).json["items"] if t["kind"] == "approval"]
    assert [(t["workflow_id"], t["workflow_step"]) for t in approvals] == [(workflow["id"], 1)]
    assert call(stack, "get", "/dashboard/notifications", carl, 200).json["items"][0]["kind"] == "workflow_step"
    call(stack, "post", f"/tasks/{approvals[0]['id']}/complete", carl, 409)

    decision = f"/workflows/{workflow['id']}/steps"
    call(stack, "post", f"{decision}/2/decision", anna, 409, json={"decision": "approve"})
    call(stack, "post", f"{decision}/1/decision", anna, 403, json={"decision": "approve"})
    after_first = call(stack, "post", f"{decision}/1/decision", carl, 200, json={"decision": "approve", "comment": "OK"}).json
    assert [s["status"] for s in after_first["steps"]] == ["approved", "active"]
    assert after_first["tasks"][-1]["deadline"] == (today() + timedelta(days=2)).isoformat()

    assert call(stack, "post", f"{decision}/2/decision", anna, 422, json={"decision": "reject"}).json["errors"][0]["field"] == "comment"
    rejected = call(stack, "post", f"{decision}/2/decision", anna, 200, json={"decision": "reject", "comment": "Mangler partshøring"}).json
    assert (rejected["status"], rejected["outcome_comment"]) == ("rejected", "Mangler partshøring")
    assert rejected["steps"][1]["decisions"][0]["comment"] == "Mangler partshøring"
    assert call(stack, "get", f"/workflows/{workflow['id']}", school["headers"]["bo"], 404)
    assert call(stack, "get", f"/workflows/{workflow['id']}", carl, 200).json["status"] == "rejected"


def test_a_parallel_workflow_asks_everyone_and_keeps_the_case_open_until_decided(stack, school):
    anna, carl = school["headers"]["anna"], school["headers"]["carl"]
    case = new_case(stack, school)
    for task in call(stack, "get", f"/cases/{case['id']}/tasks", anna, 200).json["items"]:
        call(stack, "post", f"/tasks/{task['id']}/complete", anna, 200)
    body = {"title": "Høring", "mode": "parallel", "steps": [{"approvers": [school["ids"]["carl"]]}, {"approvers": [school["ids"]["anna"]]}]}
    workflow = call(stack, "post", f"/cases/{case['id']}/workflows", anna, 201, json=body).json
    assert [s["status"] for s in workflow["steps"]] == ["active", "active"]
    refused = call(stack, "post", f"/cases/{case['id']}/close", anna, 409, json={})
    assert {t["kind"] for t in refused.json["open_tasks"]} == {"approval"}
    call(stack, "post", f"/workflows/{workflow['id']}/steps/2/decision", anna, 200, json={"decision": "approve"})
    done = call(stack, "post", f"/workflows/{workflow['id']}/steps/1/decision", carl, 200, json={"decision": "approve"}).json
    assert done["status"] == "approved"
    assert call(stack, "get", "/dashboard/notifications", anna, 200).json["items"][0]["kind"] == "workflow_finished"
    call(stack, "post", f"/cases/{case['id']}/close", anna, 200, json={})


def test_critical_cases_are_those_i_may_read_with_an_overdue_open_task(stack, school):
    late, fine = new_case(stack, school, title="Sen sag"), new_case(stack, school, title="Fin sag")
    overdue = new_task(stack, school, late, assignee="carl", deadline=today().isoformat())
    with stack.services["cases"].database.session() as session, session.begin():
        session.execute(update(tasks).where(tasks.c.id == overdue["id"]).values(deadline=today() - timedelta(days=3)))
    for name in ("anna", "carl"):
        critical = call(stack, "get", "/dashboard/critical-cases", school["headers"][name], 200).json
        assert [(c["id"], c["overdue_tasks"], c["earliest_deadline"]) for c in critical["items"]] == [
            (late["id"], 1, (today() - timedelta(days=3)).isoformat())
        ], name
    assert call(stack, "get", f"/tasks/{overdue['id']}", school["headers"]["carl"], 200).json["overdue"] is True
    assert fine["id"] not in [c["id"] for c in call(stack, "get", "/dashboard/critical-cases", school["headers"]["anna"], 200).json["items"]]
    assert call(stack, "get", "/dashboard/critical-cases", school["headers"]["bo"], 200).json["total"] == 0


def test_latest_registrations_lists_what_i_may_read(stack, school):
    case = new_case(stack, school)
    created = call(stack, "post", f"/cases/{case['id']}/registrations", school["headers"]["anna"], json={"kind": "N", "title": "Notat om samtale"})
    assert created.status_code == 201, created.get_data(as_text=True)
    for name, expected in (("anna", 1), ("carl", 1), ("bo", 0)):
        latest = call(stack, "get", "/dashboard/latest-registrations", school["headers"][name], 200).json
        assert latest["total"] == expected, name
    task = new_task(stack, school, case, registration_id=created.json["id"])
    assert task["registration_id"] == created.json["id"]


@pytest.mark.parametrize("stack_settings", ["sending"], indirect=True)
def test_a_notification_e_mail_reaches_the_smtp_server(stack, school, mailbox):
    carl = school["headers"]["carl"]
    call(stack, "put", "/dashboard/notification-settings", carl, 422, json={"email": "ikke en adresse"})
    settings = call(stack, "put", "/dashboard/notification-settings", carl, 200, json={"email": "carl@skolen.dk"}).json
    assert settings == {"email": "carl@skolen.dk", "email_delivery": "on"}
    case = new_case(stack, school, title="Elevsag: Anna Jensen, 7.A")
    new_task(stack, school, case, assignee="carl", title="Ring til Annas mor")
    assert mailbox.received.wait(10), "no e-mail arrived"
    message = mailbox.messages[0]
    assert mailbox.recipients[0] == ["carl@skolen.dk"]
    assert message["From"] == "akta@skolen.dk"
    assert case["number"] in message["Subject"] and message["Auto-Submitted"] == "auto-generated"
    body = message.get_content()
    assert case["number"] in body and "Anna" not in body and "Ring" not in body
    deadline = time.monotonic() + 10
    while (status := call(stack, "get", "/dashboard/notifications", carl, 200).json["items"][0]["email_status"]) != "sent":
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    assert len(mailbox.messages) == 1


@pytest.mark.parametrize("stack_settings", ["by_hand"], indirect=True)
def test_e_mails_are_retried_with_backoff_and_fail_with_the_reason(stack, school, mailbox):
    cases = stack.services["cases"]
    for name, address in (("carl", "carl@skolen.dk"), ("anna", "anna@skolen.dk")):
        call(stack, "put", "/dashboard/notification-settings", school["headers"][name], 200, json={"email": address})
    mailbox.refuse = {"carl@skolen.dk": "451 4.3.0 mailbox busy, try later", "anna@skolen.dk": "550 5.1.1 no such user"}
    case = new_case(stack, school, owner="carl", by="dorte")  # two default tasks for Carl
    new_task(stack, school, case, assignee="anna", by="dorte")

    now = datetime.now(UTC)
    first = mail.send_pending(cases.database, cases.settings, now)
    assert (first.sent, first.retried, first.failed) == (0, 2, 1)
    rows = _email_rows(cases)
    assert rows["anna@skolen.dk"] == [("failed", 1, "550 5.1.1 no such user")]
    assert rows["carl@skolen.dk"] == [("pending", 1, "451 4.3.0 mailbox busy, try later")] * 2
    assert mail.send_pending(cases.database, cases.settings, now + timedelta(seconds=30)).retried == 0  # not due yet

    mailbox.refuse = {}
    second = mail.send_pending(cases.database, cases.settings, now + timedelta(seconds=61))
    assert second.sent == 2 and len(mailbox.messages) == 2
    assert [status for status, _, _ in _email_rows(cases)["carl@skolen.dk"]] == ["sent", "sent"]
    assert mail.send_pending(cases.database, cases.settings, now + timedelta(hours=1)).sent == 0

    # With no server listening, the e-mail waits, is tried again, and finally fails saying why.
    cases.settings = cases.settings.model_copy(update={"smtp_port": free_port()})
    new_task(stack, school, case, assignee="carl", by="dorte", title="Ny opgave")
    moment = datetime.now(UTC)
    for _ in range(3):
        moment += timedelta(hours=7)
        mail.send_pending(cases.database, cases.settings, moment)
    status, attempts, error = _email_rows(cases)["carl@skolen.dk"][-1]
    assert (status, attempts) == ("failed", 3) and "ConnectionRefusedError" in error


def test_without_an_smtp_server_e_mail_is_skipped_and_says_so(stack, school):
    cases = stack.services["cases"]
    carl = school["headers"]["carl"]
    assert call(stack, "put", "/dashboard/notification-settings", carl, 200, json={"email": "carl@skolen.dk"}).json["email_delivery"] == "off"
    new_case(stack, school, owner="carl")
    assert mail.send_pending(cases.database, cases.settings).skipped == 2
    assert {n["email_status"] for n in call(stack, "get", "/dashboard/notifications", carl, 200).json["items"]} == {"skipped"}


def test_deadline_reminders_are_made_once(stack, school):
    cases = stack.services["cases"]
    case = new_case(stack, school)
    due_tomorrow = new_task(stack, school, case, assignee="carl", deadline=(today() + timedelta(days=1)).isoformat())
    new_task(stack, school, case, assignee="carl", title="Uden frist")
    now = datetime.now(UTC)
    assert deadlines.remind(cases.unit_of_work, today(), now) == 1
    assert deadlines.remind(cases.unit_of_work, today(), now) == 0
    # Two days later the deadline has passed: one more reminder, once.
    later = today() + timedelta(days=2)
    assert deadlines.remind(cases.unit_of_work, later, now) == 1
    assert deadlines.remind(cases.unit_of_work, later, now) == 0
    assert sorted(_reminders(stack, school)) == [("deadline_passed", due_tomorrow["id"]), ("deadline_tomorrow", due_tomorrow["id"])]
    # A moved deadline is reminded of again; a done task is not.
    call(stack, "patch", f"/tasks/{due_tomorrow['id']}", school["headers"]["anna"], 200, json={"deadline": (today() + timedelta(days=3)).isoformat()})
    assert deadlines.remind(cases.unit_of_work, today() + timedelta(days=2), now) == 1
    call(stack, "post", f"/tasks/{due_tomorrow['id']}/complete", school["headers"]["carl"], 200)
    deadlines.remind(cases.unit_of_work, today() + timedelta(days=4), now)
    assert len(_reminders(stack, school)) == 3


def _reminders(stack, school) -> list[tuple[str, str]]:
    items = call(stack, "get", "/dashboard/notifications", school["headers"]["carl"], 200).json["items"]
    return [(n["kind"], n["task_id"]) for n in items if n["kind"].startswith("deadline")]


def _email_rows(cases) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {}
    with cases.database.session() as session:
        for row in session.execute(
            select(notifications.c.email_to, notifications.c.email_status, notifications.c.email_attempts, notifications.c.email_error)
            .where(notifications.c.email_to.is_not(None))
            .order_by(notifications.c.created_at)
        ):
            found.setdefault(row.email_to, []).append((row.email_status, row.email_attempts, row.email_error))
    return found


def _any_task(cases, case_id: str) -> str:
    with cases.database.session() as session:
        return session.scalar(select(tasks.c.id).where(tasks.c.case_id == case_id, tasks.c.status == "open").order_by(tasks.c.created_at))
