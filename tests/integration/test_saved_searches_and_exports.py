"""Saved searches and CSV exports of case lists, through the HTTP API with real grants from
identity, on SQLite with the memory bus and on PostgreSQL with RabbitMQ: whoever runs a search or
an export sees only the cases they may read themselves; only owners change their searches."""

import csv
import io
import json

import pytest
from sqlalchemy import select

from akta.bus.tables import outbox_table
from tests.support.cases import template


@pytest.fixture
def school(stack):
    """Anna writes pupils' and staff cases and sees screened pupil cases; Bo reads pupils' cases
    without the screening; Carl and Dan see nothing. Five cases, one screened, one staff, one
    closed, one whose title is a spreadsheet formula."""
    tenant_id = stack.organisation("skolen")
    admin = stack.sign_in("skolen", "admin")
    pupils = stack.admin_post(admin, "/access-groups", {"name": "Elevsager"})["id"]
    staff = stack.admin_post(admin, "/access-groups", {"name": "Personalesager"})["id"]
    users = {name: stack.user(admin, name) for name in ("anna", "bo", "carl", "dan")}
    stack.grant(admin, users["anna"], "access_group", pupils)
    stack.grant(admin, users["anna"], "access_group", staff)
    stack.grant(admin, users["anna"], "screening_code", "pupil")
    stack.grant(admin, users["bo"], "access_group", pupils, "read")
    stack.settled()
    headers = {name: stack.sign_in("skolen", name) for name in users}
    cases = stack.services["cases"]
    templates = {pupils: template(cases, tenant_id, pupils), staff: template(cases, tenant_id, staff)}

    def case(title, access_group, screening_code=None):
        body = {"title": title, "template_id": templates[access_group]}
        if screening_code:
            body["screening_code"] = screening_code
        response = stack.client.post("/api/cases/cases", json=body, headers=headers["anna"])
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.json

    created = {
        "open": case("Elevsag: fravær", pupils),
        "formula": case('=HYPERLINK("http://evil.example","klik")', pupils),
        "screened": case("Elevsag: helbred", pupils, "pupil"),
        "staff": case("Personalesag", staff),
        "closed": case("Elevsag: afsluttet", pupils),
    }
    closed = stack.client.post(f"/api/cases/cases/{created['closed']['id']}/close", json={}, headers=headers["anna"])
    assert closed.status_code == 200, closed.get_data(as_text=True)
    return {"tenant_id": tenant_id, "admin": admin, "users": users, "headers": headers, "cases": created,
            "pupils": pupils, "staff": staff}


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    body = response.get_data()
    assert not body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def _ids(school, *names) -> set[str]:
    return {school["cases"][name]["id"] for name in names}


def _audited(stack, entity_type: str) -> list[dict]:
    with stack.services["cases"].database.session() as session:
        bodies = session.scalars(
            select(outbox_table.c.body)
            .where(outbox_table.c.event_type == "cases.audit.recorded.v1")
            .order_by(outbox_table.c.position)
        )
        return [record for record in (json.loads(body) for body in bodies) if record["data"]["entity_type"] == entity_type]


def test_an_export_never_contains_a_case_the_caller_cannot_read(stack, school):
    headers = school["headers"]
    everything = _csv(stack.client.get("/api/cases/cases.csv", headers=headers["anna"]))
    assert {row["id"] for row in everything} == _ids(school, "open", "formula", "screened", "staff", "closed")
    assert [row["id"] for row in everything] == _listed(stack, headers["anna"]), "in the list's order"
    [formula] = [row for row in everything if row["id"] == school["cases"]["formula"]["id"]]
    assert formula["title"] == "'" + school["cases"]["formula"]["title"], "a formula is neutralised"
    assert set(everything[0]) >= {"id", "number", "title", "status", "access_group_id", "created_at"}

    bo = _csv(stack.client.get("/api/cases/cases.csv", headers=headers["bo"]))
    assert {row["id"] for row in bo} == _ids(school, "open", "formula", "closed")
    assert _csv(stack.client.get("/api/cases/cases.csv", headers=headers["carl"])) == []

    closed_only = _csv(stack.client.get("/api/cases/cases.csv?status=closed&page=2&page_size=1", headers=headers["bo"]))
    assert {row["id"] for row in closed_only} == _ids(school, "closed"), "the list's filters; paging ignored"
    exports = [r["data"] for r in _audited(stack, "case") if r["data"]["action"] == "export"]
    assert len(exports) == 4 and exports[-1]["details"] == {"filter_status": "closed"}
    assert stack.client.get("/api/cases/cases.csv").status_code == 401


def _listed(stack, headers, query: str = "") -> list[str]:
    response = stack.client.get(f"/api/cases/cases?page_size=500{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.json["items"]]


def test_the_export_reads_in_batches_yet_lists_every_case_once(stack, school):
    from akta.access.scope import AccessScope
    from akta_cases import views

    scope = AccessScope(
        school["tenant_id"],
        read_groups=frozenset({school["pupils"], school["staff"]}),
        read_codes=frozenset({"pupil"}),
    )
    database = stack.services["cases"].database
    for batch_size in (1, 2, 4):
        batched = [row["id"] for row in views.iter_cases(database, scope, {"status": None}, batch_size=batch_size)]
        assert batched == _listed(stack, school["headers"]["anna"]) and len(set(batched)) == 5, batch_size
    assert [row["number"] for row in views.iter_cases(database, scope, {"status": "closed"}, batch_size=1)] == [
        school["cases"]["closed"]["number"]
    ]


def test_case_exports_list_in_the_order_of_their_lists(stack, school):
    headers = school["headers"]
    oldest = school["cases"]["open"]
    changed = stack.client.patch(
        f"/api/cases/cases/{oldest['id']}", json={"title": "Elevsag: fravær, opfølgning"},
        headers={**headers["anna"], "If-Match": f'"{oldest["version"]}"'},
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    for name, query in (("anna", ""), ("bo", ""), ("anna", "status=open")):
        exported = [row["id"] for row in _csv(stack.client.get(f"/api/cases/cases.csv?{query}", headers=headers[name]))]
        assert exported == _listed(stack, headers[name], f"&{query}"), (name, query)
    assert _listed(stack, headers["anna"])[0] == oldest["id"], "most recently changed first"

    search = _save(stack, headers["anna"], criteria={"status": "open"}, sharing="organisation").json

    def results(name, suffix=""):
        return stack.client.get(f"/api/cases/saved-searches/{search['id']}/results{suffix}?page_size=500", headers=headers[name])

    for name in ("anna", "bo"):
        assert [row["id"] for row in _csv(results(name, ".csv"))] == [item["id"] for item in results(name).json["items"]], name


def _save(stack, headers, **body):
    return stack.client.post("/api/cases/saved-searches", json={"name": "Åbne elevsager", **body}, headers=headers)


def test_a_shared_saved_search_shows_each_runner_only_what_they_may_see(stack, school):
    headers, users = school["headers"], school["users"]
    saved = _save(stack, headers["anna"], criteria={"status": "open"}, sharing="named",
                  shared_with=[{"kind": "user", "id": users["bo"]}])
    assert saved.status_code == 201, saved.get_data(as_text=True)
    search = saved.json
    assert saved.headers["Location"].endswith(f"/saved-searches/{search['id']}") and saved.headers["ETag"] == '"1"'
    assert (search["owned"], search["criteria"], search["sharing"]) == (True, {"status": "open"}, "named")

    def results(name, suffix=""):
        return stack.client.get(f"/api/cases/saved-searches/{search['id']}/results{suffix}", headers=headers[name])

    assert {item["id"] for item in results("anna").json["items"]} == _ids(school, "open", "formula", "screened", "staff")
    bo_sees = results("bo").json
    assert {item["id"] for item in bo_sees["items"]} == _ids(school, "open", "formula") and bo_sees["total"] == 2
    assert {row["id"] for row in _csv(results("bo", ".csv"))} == _ids(school, "open", "formula")
    assert results("carl").status_code == results("carl", ".csv").status_code == 404

    listed = stack.client.get("/api/cases/saved-searches", headers=headers["bo"]).json
    assert [(item["id"], item["owned"]) for item in listed["items"]] == [(search["id"], False)]
    assert stack.client.get("/api/cases/saved-searches", headers=headers["carl"]).json["total"] == 0
    assert stack.client.get("/api/cases/saved-searches?owned=true", headers=headers["bo"]).json["total"] == 0

    runs = [r["data"] for r in _audited(stack, "saved_search") if r["data"]["entity_id"] == search["id"]]
    assert [(r["action"], r["outcome"]) for r in runs if r["action"] in ("run", "export")] == [
        ("run", "success"), ("run", "success"), ("export", "success"), ("run", "denied"), ("export", "denied"),
    ]
    assert {r["actor"] for r in _audited(stack, "saved_search")} >= {f"user:{users['anna']}", f"user:{users['bo']}"}


def test_sharing_with_a_group_or_the_whole_organisation(stack, school):
    headers, users, admin = school["headers"], school["users"], school["admin"]
    group = stack.admin_post(admin, "/groups", {"name": "Lærere"})["id"]
    stack.admin_post(admin, f"/groups/{group}/members", {"user_id": users["carl"]})
    stack.settled()
    search = _save(stack, headers["anna"], sharing="named", shared_with=[{"kind": "group", "id": group}]).json
    path = f"/api/cases/saved-searches/{search['id']}"
    assert stack.client.get(path, headers=headers["carl"]).status_code == 200
    assert stack.client.get(f"{path}/results", headers=headers["carl"]).json["total"] == 0, "Carl reads no cases"
    assert stack.client.get(path, headers=headers["dan"]).status_code == 404

    everyone = stack.client.patch(path, json={"sharing": "organisation"}, headers=headers["anna"])
    assert everyone.status_code == 200 and everyone.json["shared_with"] == []
    assert stack.client.get(path, headers=headers["dan"]).status_code == 200


def test_only_the_owner_changes_or_deletes_a_saved_search(stack, school):
    headers = school["headers"]
    search = _save(stack, headers["anna"], criteria={"status": "open"}, sharing="organisation").json
    path = f"/api/cases/saved-searches/{search['id']}"
    assert stack.client.patch(path, json={"name": "Mine"}, headers=headers["bo"]).status_code == 403
    assert stack.client.delete(path, headers=headers["bo"]).status_code == 403
    stale = stack.client.patch(path, json={"name": "Mine"}, headers={**headers["anna"], "If-Match": '"7"'})
    assert stale.status_code == 412
    renamed = stack.client.patch(
        path, json={"name": "Lukkede", "criteria": {"status": "closed"}}, headers={**headers["anna"], "If-Match": '"1"'}
    )
    assert renamed.status_code == 200 and renamed.headers["ETag"] == '"2"'
    assert (renamed.json["name"], renamed.json["criteria"]) == ("Lukkede", {"status": "closed"})
    assert {i["id"] for i in stack.client.get(f"{path}/results", headers=headers["bo"]).json["items"]} == _ids(school, "closed")
    assert stack.client.delete(path, headers=headers["anna"]).status_code == 204
    assert stack.client.get(path, headers=headers["anna"]).status_code == 404
    changes = [(r["data"]["action"], r["data"]["outcome"]) for r in _audited(stack, "saved_search") if r["data"]["entity_id"] == search["id"]]
    assert {("create", "success"), ("change", "success"), ("delete", "success")} <= set(changes)


def test_criteria_must_be_filters_of_the_case_list(stack, school):
    anna = school["headers"]["anna"]
    for criteria, field in (({"colour": "red"}, "criteria.colour"), ({"page": 2}, "criteria.page"), ({"status": "lost"}, "criteria.status")):
        refused = _save(stack, anna, criteria=criteria)
        assert refused.status_code == 422, criteria
        assert refused.json["errors"][0]["field"] == field
    assert _save(stack, anna, sharing="named").status_code == 422
    assert _save(stack, anna).status_code == 201
    assert _save(stack, anna).status_code == 409, "one name per owner"
    assert _save(stack, school["headers"]["bo"]).status_code == 201, "another owner may use the name"


def test_saving_a_search_is_idempotent_with_a_key(stack, school):
    anna = {**school["headers"]["anna"], "Idempotency-Key": "ui-save-1"}
    first, again = _save(stack, anna), _save(stack, anna)
    assert first.status_code == again.status_code == 201 and first.get_data() == again.get_data()
    assert stack.client.get("/api/cases/saved-searches", headers=school["headers"]["anna"]).json["total"] == 1
