"""Contacts, parties and registrations over HTTP with real grants from identity, on SQLite and
PostgreSQL: no grant, no sight (lists, counts, reads: 404); read-only is 403 on changes; other
tenants see nothing; a registration screened stricter than its case hides from a caller without
that code; bad input is 422 naming the field; a bad move 409; a stale If-Match 412."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from akta.bus.tables import outbox_table
from tests.support.persons import cpr
from tests.support.stack import Stack

PUPIL_CPR = cpr(date(2014, 3, 9), 7)
GUARDIAN_CPR = cpr(date(1984, 6, 1), 2)
VALID_CVR = "34051178"


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request, tmp_path, bus_namespace, tokens):
    database_url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    built = Stack.build(tmp_path, database_url, "memory://", bus_namespace, tokens)
    yield built
    built.shutdown()


class School:
    """An organisation with an access group, a case template, and Anna, who may write in the
    group and see pupil matters."""

    def __init__(self, stack: Stack, slug: str = "skolen") -> None:
        self.stack, self.slug = stack, slug
        self.tenant_id = stack.organisation(slug)
        self.admin = stack.sign_in(slug, "admin")
        self.access_group = stack.admin_post(self.admin, "/access-groups", {"name": "Elevsager"})["id"]
        anna = stack.user(self.admin, "anna")
        stack.grant(self.admin, anna, "access_group", self.access_group)
        stack.grant(self.admin, anna, "screening_code", "pupil")
        stack.settled()
        self.anna = stack.sign_in(slug, "anna")
        created = stack.client.post(
            "/api/cases/templates", json={"name": "Elevsag", "access_group_id": self.access_group}, headers=self.admin
        )
        assert created.status_code == 201, created.get_data(as_text=True)
        self.template = created.json["id"]

    def person(self, username: str, *grants: tuple[str, str, str], roles: tuple[str, ...] = ("caseworker",)) -> dict:
        """A user with grants given as (scope kind, scope id, permission); their headers."""
        user = self.stack.user(self.admin, username, roles=roles)
        for scope_kind, scope_id, permission in grants:
            self.stack.grant(self.admin, user, scope_kind, scope_id, permission)
        self.stack.settled()
        return self.stack.sign_in(self.slug, username)

    def case(self, title: str = "Elevsag", screening_code: str | None = None) -> dict:
        body = {"template_id": self.template, "title": title, "access_group_id": self.access_group}
        if screening_code:
            body["screening_code"] = screening_code
        response = self.stack.client.post("/api/cases/cases", json=body, headers=self.anna)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.json


@pytest.fixture
def school(stack) -> School:
    return School(stack)


def post(stack, path, body, headers, **extra):
    return stack.client.post(f"/api/cases{path}", json=body, headers=headers, **extra)


def get(stack, path, headers, **extra):
    return stack.client.get(f"/api/cases{path}", headers=headers, **extra)


def fields(response) -> list[str]:
    assert response.status_code == 422, response.get_data(as_text=True)
    return [error["field"] for error in response.json["errors"]]


def pupil_party(stack, school, case) -> dict:
    response = post(
        stack, f"/cases/{case['id']}/parties",
        {"role": "pupil", "contact": {"name": "Anna Østergaard", "identifier_scheme": "cpr", "identifier": PUPIL_CPR}},
        school.anna,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def registration_body(**overrides) -> dict:
    return {
        "kind": "I",
        "title": "Ansøgning om skoleskift",
        "document_date": "2026-01-05",
        "received_date": "2026-01-07",
        "correspondents": [{"role": "sender", "name": "Mor", "address": {"lines": ["Skolevej 1"], "postal_code": "8000", "city": "Aarhus", "country": "DK"}}],
        "documents": [{"document_id": "doc-main", "role": "main"}, {"document_id": "doc-att", "role": "attachment"}],
        **overrides,
    }


def file_registration(stack, school, case, **overrides) -> dict:
    response = post(stack, f"/cases/{case['id']}/registrations", registration_body(**overrides), school.anna)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def sees_registration(stack, headers, registration) -> dict:
    listed = get(stack, "/registrations", headers).json
    in_case = get(stack, f"/cases/{registration['case_id']}/registrations", headers)
    return {
        "get": get(stack, f"/registrations/{registration['id']}", headers).status_code,
        "listed": any(item["id"] == registration["id"] for item in listed["items"]),
        "counted": listed["total"],
        "in_case": in_case.status_code == 200 and any(i["id"] == registration["id"] for i in in_case.json["items"]),
    }


HIDDEN = {"get": 404, "listed": False, "counted": 0, "in_case": False}
VISIBLE = {"get": 200, "listed": True, "counted": 1, "in_case": True}


def test_parties_are_added_once_listed_and_removed(stack, school):
    case = school.case(screening_code="pupil")
    party = pupil_party(stack, school, case)
    assert party["role_labels"] == {"da": "Elev", "nb": "Elev", "en": "Pupil"}
    assert party["contact"]["identifier"] == PUPIL_CPR.replace("-", "")
    again = post(
        stack, f"/cases/{case['id']}/parties",
        {"role": "pupil", "contact": {"name": "Anna Ø.", "identifier_scheme": "cpr", "identifier": PUPIL_CPR.replace("-", "")}},
        school.anna,
    )
    assert again.status_code == 200 and again.json["id"] == party["id"]
    guardian = post(
        stack, f"/cases/{case['id']}/parties",
        {"role": "guardian", "contact": {"name": "Mor", "identifier_scheme": "cpr", "identifier": GUARDIAN_CPR}},
        school.anna,
    ).json
    listed = get(stack, f"/cases/{case['id']}/parties", school.anna).json
    assert [(p["role"], p["contact"]["name"]) for p in listed["items"]] == [("pupil", "Anna Ø."), ("guardian", "Mor")]
    assert stack.client.delete(f"/api/cases/cases/{case['id']}/parties/{guardian['id']}", headers=school.anna).status_code == 204
    assert get(stack, f"/cases/{case['id']}/parties", school.anna).json["total"] == 1
    roles = get(stack, "/party-roles", school.anna).json["roles"]
    assert {"code": "guardian", "labels": {"da": "Værge", "nb": "Verge", "en": "Guardian"}} in roles


def test_parties_follow_the_case_access(stack, school):
    case = school.case(screening_code="pupil")
    party = pupil_party(stack, school, case)
    stranger = school.person("bo")
    reader = school.person("carl", ("access_group", school.access_group, "read"), ("screening_code", "pupil", "read"))
    without_code = school.person("dan", ("access_group", school.access_group, "read"))
    parties, one = f"/cases/{case['id']}/parties", f"/cases/{case['id']}/parties/{party['id']}"
    body = {"role": "other", "contact": {"name": "Naboen", "kind": "person"}}
    for hidden_from in (stranger, without_code):
        assert get(stack, parties, hidden_from).status_code == 404
        assert get(stack, one, hidden_from).status_code == 404
        assert post(stack, parties, body, hidden_from).status_code == 404
        assert stack.client.delete(f"/api/cases{one}", headers=hidden_from).status_code == 404
    assert get(stack, parties, reader).json["total"] == 1
    assert post(stack, parties, body, reader).status_code == 403
    assert stack.client.delete(f"/api/cases{one}", headers=reader).status_code == 403
    assert get(stack, parties, school.anna).json["total"] == 1


def test_contacts_need_a_grant_and_national_ids_show_only_where_a_case_is_readable(stack, school):
    case = school.case(screening_code="pupil")
    contact_id = pupil_party(stack, school, case)["contact"]["id"]
    other_group = stack.admin_post(school.admin, "/access-groups", {"name": "Personalesager"})["id"]
    colleague = school.person("emma", ("access_group", other_group, "write"))
    reader = school.person("carl", ("access_group", school.access_group, "read"), ("screening_code", "pupil", "read"))
    archivist = school.person("arkivar", roles=("archivist",))
    nobody = school.person("bo")

    def shown(headers) -> tuple:
        contact = get(stack, f"/contacts/{contact_id}", headers).json
        return contact["identifier"], contact["identifier_hidden"]

    digits = PUPIL_CPR.replace("-", "")
    assert shown(colleague) == (None, True)
    assert shown(reader) == (digits, False)
    assert shown(archivist) == (digits, False)
    listed = get(stack, "/contacts", colleague, query_string={"name": "østergaard"}).json
    assert [(c["id"], c["identifier"]) for c in listed["items"]] == [(contact_id, None)]
    # Whoever knows the number may look the person up with it, in the body, not the URL.
    looked_up = post(stack, "/contacts/lookup", {"identifier_scheme": "cpr", "identifier": PUPIL_CPR}, colleague)
    assert looked_up.status_code == 200 and looked_up.json["identifier"] == digits
    missing = post(stack, "/contacts/lookup", {"identifier_scheme": "cpr", "identifier": GUARDIAN_CPR}, colleague)
    assert missing.status_code == 404
    assert get(stack, "/contacts", nobody).status_code == 403
    assert post(stack, "/contacts", {"name": "X", "kind": "person"}, nobody).status_code == 403
    assert post(stack, "/contacts", {"name": "X", "kind": "person"}, reader).status_code == 403

    company = post(stack, "/contacts", {"name": "Skolebussen ApS", "identifier_scheme": "cvr", "identifier": VALID_CVR}, colleague)
    assert company.status_code == 201 and company.headers["ETag"] == '"1"'
    assert get(stack, f"/contacts/{company.json['id']}", reader).json["identifier"] == VALID_CVR
    same = post(stack, "/contacts", {"name": "Skolebussen ApS", "identifier_scheme": "cvr", "identifier": VALID_CVR, "phone": "+45 70 10 20 30"}, colleague)
    assert same.status_code == 200 and same.json["id"] == company.json["id"] and same.json["phone"] == "+45 70 10 20 30"

    # Only through a case they may change does anyone change a party's contact.
    moved = stack.client.patch(f"/api/cases/contacts/{contact_id}", json={"address": {"lines": ["Fremmedvej 1"]}}, headers=colleague)
    assert moved.status_code == 403
    assert stack.client.patch(f"/api/cases/contacts/{contact_id}", json={"email": "anna@skole.dk"}, headers=school.anna).status_code == 200

    with stack.services["cases"].database.session() as session:
        bodies = session.scalars(select(outbox_table.c.body)).all()
    assert bodies and not any(digits in body or PUPIL_CPR in body for body in bodies)


def test_changing_a_contact_needs_the_version_read(stack, school):
    created = post(stack, "/contacts", {"name": "Hans Müller", "kind": "person", "email": "hans@example.de"}, school.anna)
    path = f"/api/cases/contacts/{created.json['id']}"
    changed = stack.client.patch(path, json={"phone": "+49 30 123456"}, headers={**school.anna, "If-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    stale = stack.client.patch(path, json={"phone": "+49 30 999999"}, headers={**school.anna, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert fields(stack.client.patch(path, json={"identifier_scheme": "cpr", "identifier": "310290-1234"}, headers=school.anna)) == ["identifier"]


BAD_CONTACTS = [
    ("/contacts", {"name": "Anna", "identifier_scheme": "cpr", "identifier": "310214-1234"}, ["identifier"]),
    ("/contacts", {"name": "Firma", "identifier_scheme": "cvr", "identifier": "34051179"}, ["identifier"]),
    ("/contacts", {"name": "Firma", "identifier_scheme": "vat", "identifier": "1"}, ["identifier_scheme"]),
    ("/contacts", {"name": "Ukendt"}, ["kind"]),
    ("/contacts", {"name": "Anna", "kind": "person", "email": "anna(at)example.dk"}, ["email"]),
    ("/contacts/lookup", {"identifier_scheme": "fodselsnummer", "identifier": "17051250078"}, ["identifier"]),
]


def test_bad_contacts_are_422_naming_the_field(stack, school):
    for path, body, expected in BAD_CONTACTS:
        assert fields(post(stack, path, body, school.anna)) == expected, body
    assert get(stack, "/contacts", school.anna).json["total"] == 0


def test_bad_parties_are_422_naming_the_field(stack, school):
    case = school.case()
    parties = f"/cases/{case['id']}/parties"
    invalid_cpr = {"role": "pupil", "contact": {"name": "Anna", "identifier_scheme": "cpr", "identifier": "310214-1234"}}
    assert fields(post(stack, parties, invalid_cpr, school.anna)) == ["contact.identifier"]
    assert fields(post(stack, parties, {"role": "teacher", "contact_id": "x"}, school.anna)) == ["role"]
    assert fields(post(stack, parties, {"role": "pupil", "contact_id": "no-such-contact"}, school.anna)) == ["contact_id"]
    assert get(stack, parties, school.anna).json["total"] == 0


def test_a_registration_is_numbered_read_changed_and_moved_on(stack, school):
    case = school.case()
    contact = post(stack, "/contacts", {"name": "Mor", "kind": "person", "address": {"lines": ["Skolevej 1"], "country": "DK"}}, school.anna).json
    created = post(
        stack, f"/cases/{case['id']}/registrations",
        registration_body(correspondents=[{"role": "sender", "contact_id": contact["id"]}]),
        school.anna,
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    registration = created.json
    assert registration["number"] == f"{case['number']}-1"
    assert created.headers["ETag"] == '"1"' and created.headers["Location"].endswith(f"/registrations/{registration['id']}")
    assert registration["correspondents"] == [
        {"role": "sender", "contact_id": contact["id"], "name": "Mor", "address": {"lines": ["Skolevej 1"], "postal_code": None, "city": None, "country": "DK"}}
    ]
    assert [d["document_id"] for d in registration["documents"]] == ["doc-main", "doc-att"]
    assert registration["access_group_id"] == school.access_group and registration["status"] == "registered"
    second = file_registration(stack, school, case, kind="U", received_date=None, title="Svar på ansøgning")
    assert second["number"] == f"{case['number']}-2"

    path = f"/api/cases/registrations/{registration['id']}"
    changed = stack.client.patch(path, json={"title": "Ansøgning om skoleskift (rettet)"}, headers={**school.anna, "If-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    stale = stack.client.patch(path, json={"title": "Tabt opdatering"}, headers={**school.anna, "If-Match": '"1"'})
    assert stale.status_code == 412
    refused = stack.client.post(f"{path}/status", json={"status": "archived"}, headers=school.anna)
    assert refused.status_code == 409 and refused.json["allowed"] == ["journaled"]
    assert refused.json["current_status"] == "registered"
    moved = stack.client.post(f"{path}/status", json={"status": "journaled"}, headers={**school.anna, "If-Match": '"2"'})
    assert moved.status_code == 200 and moved.json["status"] == "journaled" and moved.headers["ETag"] == '"3"'

    reply = file_registration(stack, school, case, reply_to_registration_id=second["id"], title="Tak for svaret")
    assert reply["reply_to_registration_id"] == second["id"]
    replies = get(stack, "/registrations", school.anna, query_string={"reply_to_registration_id": second["id"]}).json
    assert [r["id"] for r in replies["items"]] == [reply["id"]]
    in_case = get(stack, f"/cases/{case['id']}/registrations", school.anna).json
    assert [r["number"] for r in in_case["items"]] == [f"{case['number']}-{n}" for n in (1, 2, 3)]
    outgoing = get(stack, "/registrations", school.anna, query_string={"kind": "U"}).json
    assert [r["id"] for r in outgoing["items"]] == [second["id"]]
    today = date.today()
    window = {"from": (today - timedelta(days=2)).isoformat(), "to": (today + timedelta(days=2)).isoformat()}
    assert get(stack, "/registrations", school.anna, query_string=window).json["total"] == 3
    assert get(stack, "/registrations", school.anna, query_string={"to": "2000-01-01"}).json["total"] == 0
    assert get(stack, "/registrations", school.anna, query_string={"status": "journaled"}).json["total"] == 1


def test_the_same_idempotency_key_files_once(stack, school):
    case = school.case()
    headers = {**school.anna, "Idempotency-Key": "nightly-2026-01-07-0001"}
    first = post(stack, f"/cases/{case['id']}/registrations", registration_body(), headers)
    again = post(stack, f"/cases/{case['id']}/registrations", registration_body(), headers)
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == first.get_data(), "the same body"
    assert get(stack, f"/cases/{case['id']}/registrations", school.anna).json["total"] == 1


BAD_REGISTRATIONS = [
    ({"kind": "Q"}, ["kind"]),
    ({"document_date": "2026-13-01"}, ["document_date"]),
    ({"received_date": (date.today() + timedelta(days=10)).isoformat()}, ["received_date"]),
    ({"received_date": "2026-01-01"}, ["received_date"]),  # before the document date
    ({"documents": [{"document_id": "d", "role": "cover"}]}, ["documents.0.role"]),
    ({"documents": [{"document_id": "d", "role": "attachment"}]}, ["documents"]),
    ({"correspondents": [{"role": "sender"}]}, ["correspondents.0.name"]),
    ({"correspondents": [{"role": "sender", "contact_id": "no-such-contact"}]}, ["correspondents.0.contact_id"]),
    ({"screening_code": "top-secret"}, ["screening_code"]),
    ({"reply_to_registration_id": "no-such-registration"}, ["reply_to_registration_id"]),
]


def test_bad_registrations_are_422_naming_the_field(stack, school):
    case = school.case()
    for change, expected in BAD_REGISTRATIONS:
        assert fields(post(stack, f"/cases/{case['id']}/registrations", registration_body(**change), school.anna)) == expected, change
    assert get(stack, f"/cases/{case['id']}/registrations", school.anna).json["total"] == 0


def test_registrations_follow_the_case_access(stack, school):
    case = school.case()
    registration = file_registration(stack, school, case)
    stranger = school.person("bo")
    reader = school.person("carl", ("access_group", school.access_group, "read"))
    assert sees_registration(stack, school.anna, registration) == VISIBLE
    assert sees_registration(stack, reader, registration) == VISIBLE
    assert sees_registration(stack, stranger, registration) == HIDDEN
    path = f"/api/cases/registrations/{registration['id']}"
    for headers, status in ((stranger, 404), (reader, 403)):
        assert stack.client.patch(path, json={"title": "x"}, headers=headers).status_code == status
        assert stack.client.post(f"{path}/status", json={"status": "journaled"}, headers=headers).status_code == status
        assert post(stack, f"/cases/{case['id']}/registrations", registration_body(), headers).status_code == status
    bad_window = get(stack, "/registrations", reader, query_string={"from": "2026-02-01", "to": "2026-01-01"})
    assert fields(bad_window) == ["to"]


def test_a_registration_screened_stricter_than_its_case_needs_that_code_too(stack, school):
    case = school.case()
    stack.grant(school.admin, _user_id(stack, school.anna), "screening_code", "health")
    stack.settled()
    open_one = file_registration(stack, school, case, title="Åbent brev")
    screened = file_registration(stack, school, case, title="Lægeerklæring", screening_code="health")
    assert screened["screening_code"] == "health" and screened["case_screening_code"] is None
    reader = school.person("carl", ("access_group", school.access_group, "read"))
    assert sees_registration(stack, reader, open_one)["get"] == 200
    assert sees_registration(stack, reader, screened) == {**HIDDEN, "counted": 1}
    assert get(stack, f"/cases/{case['id']}/registrations", reader).json["total"] == 1
    lifting = stack.client.patch(f"/api/cases/registrations/{screened['id']}", json={"screening_code": None}, headers=school.anna)
    assert lifting.status_code == 200  # the case has no screening: lifting the registration's is allowed
    assert sees_registration(stack, reader, screened)["get"] == 200


def test_another_tenant_sees_no_contact_party_or_registration(stack, school):
    case = school.case(screening_code="pupil")
    party = pupil_party(stack, school, case)
    registration = file_registration(stack, school, case)
    other = School(stack, "andenskole")
    # Even a grant naming the first school's case gives nothing across tenants.
    eve = other.person("eve", ("case", case["id"], "write"), ("access_group", other.access_group, "write"), ("screening_code", "pupil", "write"))
    assert sees_registration(stack, eve, registration) == HIDDEN
    assert get(stack, f"/cases/{case['id']}/parties", eve).status_code == 404
    assert get(stack, f"/contacts/{party['contact']['id']}", eve).status_code == 404
    assert get(stack, "/contacts", eve).json["total"] == 0
    assert post(stack, "/contacts/lookup", {"identifier_scheme": "cpr", "identifier": PUPIL_CPR}, eve).status_code == 404
    theirs = post(stack, "/contacts", {"name": "Anna", "identifier_scheme": "cpr", "identifier": PUPIL_CPR}, eve)
    assert theirs.status_code == 201 and theirs.json["id"] != party["contact"]["id"]
    reply = post(stack, f"/cases/{other.case()['id']}/registrations", registration_body(reply_to_registration_id=registration["id"]), other.anna)
    assert fields(reply) == ["reply_to_registration_id"]


def _user_id(stack, headers) -> str:
    return stack.client.get("/api/identity/me", headers=headers).json["subject_id"]


def _csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _exports(stack, entity_type: str) -> list[dict]:
    with stack.services["cases"].database.session() as session:
        bodies = session.scalars(select(outbox_table.c.body).where(outbox_table.c.event_type == "cases.audit.recorded.v1"))
        records = [json.loads(body)["data"] for body in bodies]
    return [r for r in records if r["entity_type"] == entity_type and r["action"] == "export"]


def test_the_registration_export_holds_what_the_list_holds_for_each_caller(stack, school):
    case, screened_case = school.case(), school.case("Elevsag: helbred", screening_code="pupil")
    plain = file_registration(stack, school, case)
    stricter = file_registration(stack, school, case, title="Lægeerklæring", screening_code="pupil")
    hidden_case = file_registration(stack, school, screened_case, title="=HYPERLINK(\"x\")")
    bo = school.person("bo", ("access_group", school.access_group, "read"))
    carl = school.person("carl")
    for headers, query, expected in [
        (school.anna, "", {plain["id"], stricter["id"], hidden_case["id"]}),
        (school.anna, f"?case_id={case['id']}&page_size=1", {plain["id"], stricter["id"]}),
        (bo, "", {plain["id"]}),
        (carl, "", set()),
    ]:
        exported = _csv_rows(get(stack, f"/registrations.csv{query}", headers))
        listed = get(stack, f"/registrations{query.replace('page_size=1', 'page_size=100')}", headers).json["items"]
        assert {row["id"] for row in exported} == {item["id"] for item in listed} == expected
    [formula] = [r for r in _csv_rows(get(stack, "/registrations.csv", school.anna)) if r["id"] == hidden_case["id"]]
    assert formula["title"].startswith("'="), "a formula stays text"
    assert len(_exports(stack, "registration")) == 5
    assert stack.client.get("/api/cases/registrations.csv").status_code == 401


def test_the_my_tasks_export_holds_my_open_tasks_on_cases_i_may_read(stack, school):
    case, screened_case = school.case(), school.case("Elevsag: helbred", screening_code="pupil")
    bo = school.person("bo", ("access_group", school.access_group, "read"))
    bo_id = _user_id(stack, bo)

    def task(on, title, assignee):
        response = post(stack, f"/cases/{on['id']}/tasks", {"title": title, "assignee_id": assignee}, school.anna)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.json["id"]

    mine = task(case, "Ring til mor", bo_id)
    task(screened_case, "Læs lægeerklæringen", bo_id)
    task(case, "Annas opgave", _user_id(stack, school.anna))
    exported = _csv_rows(get(stack, "/dashboard/my-tasks.csv", bo))
    listed = get(stack, "/dashboard/my-tasks", bo).json["items"]
    assert [row["id"] for row in exported] == [item["id"] for item in listed] == [mine]
    assert exported[0]["case_number"] == case["number"] and exported[0]["title"] == "Ring til mor"
    assert len(_csv_rows(get(stack, "/dashboard/my-tasks.csv", school.anna))) == 1
    assert len(_exports(stack, "task")) == 2


def test_the_contact_export_keeps_hidden_national_ids_hidden(stack, school):
    case = school.case()
    pupil = pupil_party(stack, school, case)["contact"]
    guardian = post(
        stack, "/contacts", {"name": "=cmd", "identifier_scheme": "cpr", "identifier": GUARDIAN_CPR}, school.anna
    ).json
    other_group = stack.admin_post(school.admin, "/access-groups", {"name": "Personalesager"})["id"]
    bo = school.person("bo", ("access_group", school.access_group, "read"))
    olga = school.person("olga", ("access_group", other_group, "read"))
    for headers, shown in [(school.anna, {pupil["id"]}), (bo, {pupil["id"]}), (olga, set())]:
        response = get(stack, "/contacts.csv", headers)
        exported = {row["id"]: row for row in _csv_rows(response)}
        listed = {item["id"]: item for item in get(stack, "/contacts", headers).json["items"]}
        assert set(exported) == set(listed) == {pupil["id"], guardian["id"]}
        for contact_id, item in listed.items():
            assert exported[contact_id]["identifier"] == (item["identifier"] or "")
            assert exported[contact_id]["identifier_hidden"] == str(item["identifier_hidden"])
        assert {i for i, row in exported.items() if row["identifier"]} == shown
        assert GUARDIAN_CPR not in response.get_data(as_text=True)
        if not shown:
            assert PUPIL_CPR not in response.get_data(as_text=True)
    assert exported[guardian["id"]]["name"] == "'=cmd"
    assert get(stack, "/contacts.csv", school.person("carl")).status_code == 403
    assert len(_exports(stack, "contact")) == 3


def _anna_scope(school):
    from akta.access.scope import AccessScope

    return AccessScope(school.tenant_id, read_groups=frozenset({school.access_group}), read_codes=frozenset({"pupil"}))


def test_the_registration_export_lists_in_the_order_of_the_list(stack, school):
    from akta_cases.registrations import views

    case, other_case = school.case(), school.case("Elevsag: skoleskift")
    for on, journal_date, title in [
        (case, "2026-01-10", "Første"), (other_case, "2026-03-01", "Nyeste dato"), (case, "2026-01-10", "Samme dato, senere"),
        (other_case, "2025-12-24", "Ældste"), (case, "2026-02-14", "Midt i"),
    ]:
        file_registration(stack, school, on, title=title, journal_date=journal_date)
    listed = [item["id"] for item in get(stack, "/registrations?page_size=500", school.anna).json["items"]]
    exported = [row["id"] for row in _csv_rows(get(stack, "/registrations.csv", school.anna))]
    assert exported == listed and len(listed) == 5
    titles = [item["title"] for item in get(stack, "/registrations?page_size=500", school.anna).json["items"]]
    assert titles == ["Nyeste dato", "Midt i", "Samme dato, senere", "Første", "Ældste"]
    in_case = f"?case_id={case['id']}"
    assert [row["id"] for row in _csv_rows(get(stack, f"/registrations.csv{in_case}", school.anna))] == [
        item["id"] for item in get(stack, f"/registrations{in_case}", school.anna).json["items"]
    ]
    for batch_size in (1, 2, 4):
        batched = views.iter_registrations(stack.services["cases"].database, _anna_scope(school), {}, batch_size=batch_size)
        assert [row["id"] for row in batched] == listed, batch_size


def test_the_contact_export_lists_in_the_order_of_the_list(stack, school):
    from akta_cases.contacts import views

    for name in ("Åse Berg", "bo hansen", "Carl Dahl", "Anna  Jensen", "anna jensen", "Børge Ek"):
        assert post(stack, "/contacts", {"name": name, "kind": "person"}, school.anna).status_code == 201
    listed = [item["id"] for item in get(stack, "/contacts?page_size=500", school.anna).json["items"]]
    exported = [row["id"] for row in _csv_rows(get(stack, "/contacts.csv", school.anna))]
    assert exported == listed and len(listed) == 6
    named = "?name=anna"
    assert [row["id"] for row in _csv_rows(get(stack, f"/contacts.csv{named}", school.anna))] == [
        item["id"] for item in get(stack, f"/contacts{named}", school.anna).json["items"]
    ]
    for batch_size in (1, 2, 5):
        batched = views.iter_contacts(stack.services["cases"].database, _anna_scope(school), batch_size=batch_size)
        assert [row["id"] for row in batched] == listed, batch_size


def test_the_my_tasks_export_lists_in_the_order_of_the_list(stack, school):
    from datetime import UTC, datetime

    from akta_cases.tasks import views

    case = school.case()
    anna_id = _user_id(stack, school.anna)
    today = datetime.now(UTC).date()
    for title, days in [("Om fem dage", 5), ("I morgen", 1), ("Uden frist", None), ("Også i morgen", 1), ("Om tre dage", 3), ("Heller ingen frist", None)]:
        body = {"title": title, "assignee_id": anna_id, **({"deadline": (today + timedelta(days=days)).isoformat()} if days else {})}
        assert post(stack, f"/cases/{case['id']}/tasks", body, school.anna).status_code == 201
    listed = get(stack, "/dashboard/my-tasks?page_size=500", school.anna).json["items"]
    exported = [row["id"] for row in _csv_rows(get(stack, "/dashboard/my-tasks.csv", school.anna))]
    assert exported == [item["id"] for item in listed]
    assert [item["title"] for item in listed] == [
        "I morgen", "Også i morgen", "Om tre dage", "Om fem dage", "Uden frist", "Heller ingen frist"
    ]
    for batch_size in (1, 2, 5):
        batched = views.iter_my_tasks(stack.services["cases"].database, _anna_scope(school), anna_id, today, batch_size=batch_size)
        assert [row["id"] for row in batched] == exported, batch_size
