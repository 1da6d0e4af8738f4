"""The case core over HTTP on both engines: archive plan import, templates, cases from
templates with inherited defaults, lifecycle, links, notes, person cases."""

import json
import threading

import pytest
from sqlalchemy import select

from akta.bus.tables import outbox_table
from tests.support.stack import Stack

PLAN = """code;title;retention_rule;access_group_id
17.00.00;Undervisning;B;
17.02.00;Folkeskolen - elever;;{access_group}
17.02.05;Elevsager;K10;
"""


@pytest.fixture
def stack(tmp_path, database_url, bus_namespace, tokens):
    built = Stack.build(tmp_path, None if database_url.startswith("sqlite") else database_url, "memory://", bus_namespace, tokens)
    yield built
    built.shutdown()


@pytest.fixture
def school(stack):
    stack.organisation("skolen")
    admin = stack.sign_in("skolen", "admin")
    access_group = stack.admin_post(admin, "/access-groups", {"name": "Elevsager"})["id"]
    me = stack.client.get("/api/identity/me", headers=admin).json["subject_id"]
    stack.grant(admin, me, "access_group", access_group)
    stack.grant(admin, me, "screening_code", "pupil")
    stack.settled()
    return {"admin": admin, "access_group": access_group, "me": me}


def _post(stack, path, headers, status=201, **kwargs):
    response = stack.client.post(f"/api/cases{path}", headers=headers, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


def _published(stack, event_type: str) -> list[dict]:
    with stack.services["cases"].database.session() as session:
        bodies = session.scalars(
            select(outbox_table.c.body).where(outbox_table.c.event_type == event_type).order_by(outbox_table.c.position)
        )
        return [json.loads(body)["data"] for body in bodies]


def _plan_and_template(stack, school, **template):
    admin = school["admin"]
    imported = _post(stack, "/classes/import", admin, 200, data=PLAN.format(access_group=school["access_group"]), content_type="text/csv")
    classes = {c["code"]: c["id"] for c in stack.client.get("/api/cases/classes", headers=admin).json["items"]}
    body = {"name": "Elevsag", "class_id": classes["17.02.05"], "screening_code": "pupil",
            "fields": [{"key": "klasse", "label": "Klasse", "type": "text", "required": True}], **template}
    return imported, classes, _post(stack, "/templates", admin, json=body)["id"]


def test_the_archive_plan_imports_idempotently_and_passes_defaults_down(stack, school):
    imported, classes, _ = _plan_and_template(stack, school)
    assert imported == {"created": 3, "updated": 0, "unchanged": 0}
    again = _post(stack, "/classes/import", school["admin"], 200, data=PLAN.format(access_group=school["access_group"]), content_type="text/csv")
    assert again == {"created": 0, "updated": 0, "unchanged": 3}
    leaf = stack.client.get(f"/api/cases/classes/{classes['17.02.05']}", headers=school["admin"]).json
    assert leaf["parent_id"] == classes["17.02.00"]
    assert (leaf["effective_retention_rule"], leaf["effective_access_group_id"]) == ("K10", school["access_group"])
    assert [a["code"] for a in leaf["ancestors"]] == ["17.02.00", "17.00.00"]
    bad = stack.client.post("/api/cases/classes/import", data="code;title\n17.09.01;\n", content_type="text/csv", headers=school["admin"])
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "rows[2].title"


def test_a_case_takes_its_defaults_from_template_and_class(stack, school):
    _, classes, template_id = _plan_and_template(stack, school)
    case = _post(stack, "/cases", school["admin"], json={"template_id": template_id, "title": "Elevsag: Bo", "metadata": {"klasse": "2.C"}})
    assert case["access_group_id"] == school["access_group"], "inherited from class 17.02.00"
    assert case["retention_rule"] == "K10" and case["class_id"] == classes["17.02.05"]
    assert case["screening_code"] == "pupil" and case["owner_id"] == school["me"]
    for body, field in [
        ({"template_id": template_id, "title": "x"}, "metadata.klasse"),
        ({"template_id": template_id, "title": "x", "metadata": {"klasse": "2.C", "farve": "blå"}}, "metadata.farve"),
        ({"template_id": "no-such-template", "title": "x"}, "template_id"),
        ({"template_id": template_id, "title": "x", "class_id": "nope", "metadata": {"klasse": "1"}}, "class_id"),
    ]:
        response = stack.client.post("/api/cases/cases", json=body, headers=school["admin"])
        assert response.status_code == 422 and response.json["errors"][0]["field"] == field, response.json
    assert stack.client.post("/api/cases/cases", json={"title": "x"}, headers=school["admin"]).status_code == 422


def test_close_reopen_with_a_reason_and_archive(stack, school):
    _, _, template_id = _plan_and_template(stack, school)
    case = _post(stack, "/cases", school["admin"], json={"template_id": template_id, "title": "Sag", "metadata": {"klasse": "1"}})
    path = f"/cases/{case['id']}"
    assert _post(stack, f"{path}/close", school["admin"], 200, json={"reason": "afsluttet"})["status"] == "closed"
    assert stack.client.post(f"/api/cases{path}/close", json={}, headers=school["admin"]).status_code == 409
    assert stack.client.post(f"/api/cases{path}/reopen", json={}, headers=school["admin"]).status_code == 422
    reopened = _post(stack, f"{path}/reopen", school["admin"], 200, json={"reason": "forældrene klagede"})
    assert reopened["status"] == "open" and reopened["closed_at"] is None
    assert stack.client.post(f"/api/cases{path}/archive", headers=school["admin"]).status_code == 409
    _post(stack, f"{path}/close", school["admin"], 200, json={})
    assert _post(stack, f"{path}/archive", school["admin"], 200)["status"] == "archived"
    frozen = stack.client.patch(f"/api/cases{path}", json={"title": "ny"}, headers=school["admin"])
    assert frozen.status_code == 409
    [created] = _published(stack, "cases.case.created.v1")
    updates = _published(stack, "cases.case.updated.v1")
    assert [u["changed_fields"] for u in updates] == [["status"]] * 4
    assert {(e["class_id"], e["class_code"]) for e in [created, *updates]} == {(case["class_id"], "17.02.05")}


def test_links_and_notes_respect_access(stack, school):
    _, _, template_id = _plan_and_template(stack, school)
    first = _post(stack, "/cases", school["admin"], json={"template_id": template_id, "title": "A", "metadata": {"klasse": "1"}})
    second = _post(stack, "/cases", school["admin"], json={"template_id": template_id, "title": "B", "metadata": {"klasse": "1"}})
    assert stack.client.post(f"/api/cases/cases/{first['id']}/links", json={"case_id": second["id"], "kind": "follows"}, headers=school["admin"]).status_code == 204
    assert stack.client.post(f"/api/cases/cases/{first['id']}/links", json={"case_id": first["id"]}, headers=school["admin"]).status_code == 422
    incoming = stack.client.get(f"/api/cases/cases/{second['id']}/links", headers=school["admin"]).json["items"]
    assert incoming == [{**incoming[0], "case_id": first["id"], "kind": "follows", "direction": "incoming"}]
    _post(stack, f"/cases/{first['id']}/notes", school["admin"], json={"text": "Ringede til far."})
    assert [n["text"] for n in stack.client.get(f"/api/cases/cases/{first['id']}/notes", headers=school["admin"]).json["items"]] == ["Ringede til far."]

    stranger = stack.user(school["admin"], "stranger")
    assert stranger
    stack.settled()
    headers = stack.sign_in("skolen", "stranger")
    for path in (f"/api/cases/cases/{first['id']}/links", f"/api/cases/cases/{first['id']}/notes"):
        assert stack.client.get(path, headers=headers).status_code == 404
    assert stack.client.post(f"/api/cases/cases/{first['id']}/notes", json={"text": "x"}, headers=headers).status_code == 404


def test_a_person_case_is_found_or_created_once(stack, school):
    _, _, template_id = _plan_and_template(stack, school, fields=[])
    body = {"identifier": "010203-1234", "template_id": template_id, "title": "Elevsag: Ida"}
    created = stack.client.post("/api/cases/person-cases", json=body, headers=school["admin"])
    assert created.status_code == 201 and created.json["created"]
    found = stack.client.post("/api/cases/person-cases", json={**body, "identifier": "0102031234"}, headers=school["admin"])
    assert found.status_code == 200 and found.json["case"]["id"] == created.json["case"]["id"]
    company = stack.client.post("/api/cases/person-cases", json={**body, "identifier": "10103940"}, headers=school["admin"])
    assert company.status_code == 201
    bad = stack.client.post("/api/cases/person-cases", json={**body, "identifier": "10103941"}, headers=school["admin"])
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "identifier"

    results = []
    parallel = {**body, "identifier": "020304-5678"}

    def file_it():
        results.append(stack.client.post("/api/cases/person-cases", json=parallel, headers=school["admin"]).json["case"]["id"])

    threads = [threading.Thread(target=file_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1, "four callers at once still give the person one case"


def test_the_person_is_the_one_party_of_their_case(stack, school):
    _, _, template_id = _plan_and_template(stack, school, fields=[])
    body = {"identifier": "010203-1234", "template_id": template_id, "title": "Elevsag: Ida"}
    created = _post(stack, "/person-cases", school["admin"], json=body)
    again = _post(stack, "/person-cases", school["admin"], 200, json={**body, "identifier": "0102031234", "party_role": "pupil"})
    case_id = created["case"]["id"]
    assert again["case"]["id"] == case_id
    parties = stack.client.get(f"/api/cases/cases/{case_id}/parties", headers=school["admin"]).json
    assert parties["total"] == 1 and parties["items"][0]["role"] == "other", "a neutral role unless one is named"
    found = _post(stack, "/contacts/lookup", school["admin"], 200, json={"identifier_scheme": "cpr", "identifier": "0102031234"})
    assert parties["items"][0]["contact"]["id"] == found["id"] and found["kind"] == "person"

    named = _post(stack, "/person-cases", school["admin"], json={**body, "identifier": "020304-5678", "party_role": "pupil"})
    [party] = stack.client.get(f"/api/cases/cases/{named['case']['id']}/parties", headers=school["admin"]).json["items"]
    assert party["role"] == "pupil"
    added = _published(stack, "cases.party.added.v1")
    assert [(e["contact_id"], e["contact_name"]) for e in added] == [
        (found["id"], None), (party["contact"]["id"], None)
    ], "a contact filed without a name has none to search by"
    bad = stack.client.post("/api/cases/person-cases", json={**body, "party_role": "boss"}, headers=school["admin"])
    assert bad.status_code == 422 and bad.json["errors"][0]["field"].startswith("party_role")
