"""Sync from the student administrative system on SQLite and PostgreSQL: imports through the
command line, the handler and HTTP; idempotence, updates, deactivation, dry runs, all-or-nothing,
tenant isolation, and the person look-ups other services use."""

import json
import threading
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from akta.bus.tables import outbox_table
from akta.errors import InvalidField
from akta_identity.adapters.orm import users
from akta_identity.bootstrap import bootstrap
from akta_identity.directory_sync import handlers as sync
from akta_identity.directory_sync.formats import parse_csv
from akta_identity.directory_sync.orm import guardian_links, persons, school_classes
from akta_identity.entrypoints.cli import main as identity_cli
from akta_identity.service_layer import handlers
from akta_identity.settings import IdentitySettings
from tests.support.persons import Directory, school_directory

PERSON_EVENTS = ("identity.person.created.v1", "identity.person.updated.v1", "identity.person.deactivated.v1")
STATE_EVENTS = (*PERSON_EVENTS, "identity.user.created.v1", "identity.subject.deactivated.v1")
AUDIT_EVENT = "identity.audit.recorded.v1"


@pytest.fixture
def identity(tmp_path, database_url, tokens):
    service = bootstrap(
        IdentitySettings(
            database_url=database_url,
            data_dir=tmp_path,
            token_public_key_file=tokens.public_key_file,
            token_private_key_file=tokens.private_key_file,
        )
    )
    service.migrate()
    yield service
    service.database.dispose()


@pytest.fixture
def school(identity) -> str:
    return handlers.create_organisation("skole", "Skolen", identity.unit_of_work()).id


@pytest.fixture
def other_school(identity) -> str:
    return handlers.create_organisation("anden-skole", "Anden Skole", identity.unit_of_work()).id


@pytest.fixture
def client(identity):
    return identity.app.test_client()


def small_directory() -> Directory:
    return Directory(
        rows=[
            {"kind": "class", "external_id": "3A", "name": "3.A"},
            {"kind": "guardian", "external_id": "G1", "national_id": "010180-1234", "given_name": "Mette", "family_name": "Østergaard"},
            {"kind": "guardian", "external_id": "G2", "national_id": "020281-1234", "given_name": "Jens", "family_name": "Østergaard"},
            {"kind": "pupil", "external_id": "E1", "national_id": "150515-4321", "given_name": "Ida",
             "family_name": "Østergaard", "class": "3A", "guardians": "G1|G2"},
            {"kind": "pupil", "external_id": "E2", "national_id": "160516-4321", "given_name": "Bo",
             "family_name": "Berg", "class": "3A", "guardians": "G1"},
            {"kind": "staff", "external_id": "S1", "given_name": "Lis", "family_name": "Holm", "username": "lh"},
        ]
    )


def _sync(identity, tenant_id: str, directory: Directory, full: bool = True, dry_run: bool = False):
    return sync.sync_persons(tenant_id, parse_csv(directory.csv()), identity.unit_of_work(), full=full, dry_run=dry_run)


def _persons(identity, tenant_id: str) -> dict[tuple[str, str], dict]:
    with identity.database.session() as session:
        rows = session.execute(select(persons).where(persons.c.tenant_id == tenant_id)).mappings()
        return {(row["kind"], row["external_id"]): dict(row) for row in rows}


def _outbox(identity, *event_types: str) -> list[dict]:
    with identity.database.session() as session:
        query = select(outbox_table.c.body).order_by(outbox_table.c.position)
        if event_types:
            query = query.where(outbox_table.c.event_type.in_(event_types))
        return [json.loads(body) for body in session.scalars(query)]


def _table_count(identity, table, tenant_id: str) -> int:
    with identity.database.session() as session:
        return session.scalar(select(func.count()).select_from(table).where(table.c.tenant_id == tenant_id))


def _user(identity, tenant_id: str, username: str) -> SimpleNamespace | None:
    with identity.database.session() as session:
        row = session.execute(
            select(users).where(users.c.tenant_id == tenant_id, users.c.username == username)
        ).mappings().one_or_none()
    return SimpleNamespace(**row) if row else None


def test_a_realistic_export_imported_twice_changes_nothing_the_second_time(identity, school, tmp_path):
    directory = school_directory(pupils=250, staff=30)
    export = tmp_path / "elever.csv"
    export.write_bytes(directory.csv(delimiter=";", bom=True))
    environment = {"AKTA_DATABASE_URL": identity.settings.database_url, "AKTA_DATA_DIR": str(tmp_path)}
    command = ["sync-persons", "--organisation", "skole", "--file", str(export), "--full"]
    rows = len(directory.rows)

    first = CliRunner().invoke(identity_cli, command, env=environment)
    assert first.exit_code == 0, first.output
    assert first.output.startswith(f"full import, applied: create {rows}, update 0, deactivate 0, unchanged 0")
    stored = _persons(identity, school)
    events, audited = _outbox(identity, *STATE_EVENTS), _outbox(identity, AUDIT_EVENT)

    second = CliRunner().invoke(identity_cli, command, env=environment)
    assert second.exit_code == 0, second.output
    assert second.output == f"full import, applied: create 0, update 0, deactivate 0, unchanged {rows}\n"
    assert _persons(identity, school) == stored
    assert _outbox(identity, *STATE_EVENTS) == events
    # The run itself is audited: an administrator acted, even when nothing changed.
    [run] = _outbox(identity, AUDIT_EVENT)[len(audited):]
    assert (run["data"]["action"], run["data"]["details"]["created"], run["data"]["details"]["unchanged"]) == (
        "import", 0, rows,
    )

    kinds = [kind for kind, _ in stored]
    assert (kinds.count("pupil"), kinds.count("staff")) == (250, 30)
    assert kinds.count("guardian") == len(directory.of_kind("guardian"))
    assert _table_count(identity, school_classes, school) == 20
    expected_links = sum(len(r["guardians"].split("|")) for r in directory.of_kind("pupil"))
    assert _table_count(identity, guardian_links, school) == expected_links
    pupil = directory.of_kind("pupil")[0]
    assert stored["pupil", pupil["external_id"]]["national_id"] == pupil["national_id"].replace("-", "")

    created = _outbox(identity, "identity.person.created.v1")
    assert len(created) == rows - 20
    assert all("national_id" not in event["data"] for event in created)
    national_ids = [r["national_id"].replace("-", "") for r in directory.rows if r.get("national_id")]
    every_body = json.dumps(_outbox(identity))
    assert not any(number in every_body for number in national_ids[:50])


def test_staff_become_caseworkers_who_cannot_sign_in_with_a_password(identity, school, client):
    _sync(identity, school, small_directory())

    user = _user(identity, school, "lh")
    assert (user.display_name, user.roles, user.active, user.password_hash) == ("Lis Holm", ["caseworker"], True, "!")
    assert _persons(identity, school)["staff", "S1"]["user_id"] == user.id
    response = client.post("/token", json={"organisation": "skole", "username": "lh", "password": "!"})
    assert response.status_code == 401


def test_a_pupil_changing_class_is_updated_and_who_left_is_deactivated_not_deleted(identity, school):
    _sync(identity, school, small_directory())
    before = _persons(identity, school)
    changed = small_directory()
    changed.row("pupil", "E1")["class"] = "4A"
    changed.rows = [r for r in changed.rows if r["external_id"] not in ("E2", "S1")]

    report = _sync(identity, school, changed)

    assert [change.summary() for change in report.plan.changes] == [
        "create class 4A (4A)",
        "deactivate staff S1 (Lis Holm)",
        "update pupil E1 (Ida Østergaard): class_code 3A -> 4A",
        "deactivate pupil E2 (Bo Berg)",
    ]
    after = _persons(identity, school)
    assert set(after) == set(before)
    assert after["pupil", "E1"]["class_code"] == "4A"
    assert (after["pupil", "E2"]["active"], after["staff", "S1"]["active"]) == (False, False)
    assert _user(identity, school, "lh").active is False

    [updated] = _outbox(identity, "identity.person.updated.v1")
    assert updated["data"]["changed_fields"] == ["class_code"]
    assert updated["data"]["class_code"] == "4A"
    assert updated["subject"] == before["pupil", "E1"]["id"]
    deactivated = {event["data"]["external_id"] for event in _outbox(identity, "identity.person.deactivated.v1")}
    assert deactivated == {"E2", "S1"}
    [subject] = _outbox(identity, "identity.subject.deactivated.v1")
    assert subject["data"] == {"subject_id": before["staff", "S1"]["user_id"], "subject_kind": "user"}

    back = _sync(identity, school, small_directory(), full=False)
    assert _persons(identity, school)["pupil", "E2"]["active"] is True
    assert any("stays so" in note for note in back.notes)


def test_guardians_change_with_the_pupil(identity, school):
    _sync(identity, school, small_directory())
    changed = small_directory()
    changed.row("pupil", "E1")["guardians"] = "G2"

    _sync(identity, school, changed)

    stored = _persons(identity, school)
    [updated] = _outbox(identity, "identity.person.updated.v1")
    assert updated["data"]["guardian_ids"] == [stored["guardian", "G2"]["id"]]
    assert updated["data"]["changed_fields"] == ["guardians"]


def test_a_dry_run_reports_and_changes_nothing(identity, school):
    report = _sync(identity, school, small_directory(), dry_run=True)

    assert report.dry_run and report.plan.count("create") == 6
    assert _persons(identity, school) == {}
    assert _user(identity, school, "lh") is None
    assert _outbox(identity, *PERSON_EVENTS, "identity.user.created.v1") == []

    _sync(identity, school, small_directory())
    stored, events = _persons(identity, school), _outbox(identity, *PERSON_EVENTS)
    changed = small_directory()
    changed.row("pupil", "E1")["class"] = "4A"
    report = _sync(identity, school, changed, dry_run=True)

    assert report.plan.count("update") == 1
    assert _persons(identity, school) == stored
    assert _outbox(identity, *PERSON_EVENTS) == events


def test_a_bad_row_names_row_and_column_and_nothing_is_imported(identity, school):
    directory = school_directory(pupils=40, staff=5)
    index = [i for i, row in enumerate(directory.rows) if row["kind"] == "pupil"][10]
    directory.rows[index]["national_id"] = "310299-1234"

    with pytest.raises(InvalidField) as raised:
        _sync(identity, school, directory)

    line = index + 2  # the header is line 1
    assert raised.value.field == f"rows[{line}].national_id"
    assert raised.value.detail == (
        f"rows[{line}].national_id: the CPR number starts with a date that does not exist (31.02.1999)"
    )
    assert _persons(identity, school) == {}
    assert _outbox(identity, *PERSON_EVENTS) == []


def test_an_error_found_while_applying_rolls_back_the_whole_import(identity, school):
    _sync(identity, school, small_directory())
    stored, events = _persons(identity, school), _outbox(identity)
    successor = small_directory()
    successor.rows = [r for r in successor.rows if r["external_id"] != "S1"]
    successor.rows.append({"kind": "staff", "external_id": "S2", "given_name": "Lars", "family_name": "Hald", "username": "lh"})
    successor.rows.append({"kind": "pupil", "external_id": "E3", "national_id": "170517-4321", "given_name": "Ny",
                           "family_name": "Elev", "class": "3A", "guardians": "G2"})

    with pytest.raises(InvalidField) as raised:
        _sync(identity, school, successor)

    assert raised.value.field == "rows[7].username"  # S2, after the class and the four persons left
    assert "belongs to staff S1" in raised.value.detail
    assert _persons(identity, school) == stored
    assert _outbox(identity) == events


def test_a_user_made_by_hand_is_taken_over_by_the_staff_member(identity, school):
    admin = handlers.create_user("skole", "lh", "L. Holm", "a-long-password", ["administrator"], identity.unit_of_work())

    _sync(identity, school, small_directory())

    user = _user(identity, school, "lh")
    assert (user.id, user.display_name, user.roles) == (admin.id, "Lis Holm", ["administrator"])
    assert _persons(identity, school)["staff", "S1"]["user_id"] == admin.id


def test_another_organisation_sees_none_of_it(identity, school, other_school, client, tokens):
    _sync(identity, school, small_directory())
    ida = _persons(identity, school)["pupil", "E1"]

    report = _sync(identity, other_school, small_directory())

    assert report.plan.count("create") == 6
    theirs = _persons(identity, other_school)
    assert theirs["pupil", "E1"]["id"] != ida["id"]
    assert _user(identity, other_school, "lh").id != _user(identity, school, "lh").id
    headers = tokens.headers(other_school)
    assert client.get(f"/persons/{ida['id']}", headers=headers).status_code == 404
    assert client.get(f"/persons/{ida['id']}/guardians", headers=headers).status_code == 404
    listed = client.get("/persons?q=Østergaard", headers=headers).get_json()
    assert ida["id"] not in {item["id"] for item in listed["items"]}
    assert listed["total"] == 3

    _sync(identity, other_school, Directory(rows=[]), full=True)
    assert all(person["active"] for person in _persons(identity, school).values())


def test_norwegian_numbers_and_json_over_http(identity, school, client, tokens):
    directory = school_directory(pupils=30, staff=3, norwegian=True)
    body = directory.json()
    number = body["persons"][0]["national_id"]
    body["persons"][0]["national_id"] = number[:10] + str((int(number[10]) + 1) % 10)

    response = client.post("/directory/imports", json=body, headers=tokens.headers(school, roles=("administrator",)))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "persons[0].national_id"

    body = directory.json()
    response = client.post("/directory/imports", json=body, headers=tokens.headers(school, roles=("administrator",)))
    assert response.status_code == 200
    assert response.get_json()["created"] == len(directory.rows)
    assert {p["national_id"] for p in client.get("/persons?kind=pupil&page_size=500", headers=tokens.headers(school)).get_json()["items"]} == {
        r["national_id"] for r in directory.of_kind("pupil")
    }


def test_an_import_over_http_needs_an_administrator(identity, school, client, tokens):
    body = small_directory().json()

    assert client.post("/directory/imports", json=body).status_code == 401
    forbidden = client.post("/directory/imports", json=body, headers=tokens.headers(school, roles=("caseworker",)))
    assert forbidden.status_code == 403
    assert forbidden.mimetype == "application/problem+json"
    assert _persons(identity, school) == {}


def test_the_import_endpoint_reports_and_honours_dry_run(identity, school, client, tokens):
    admin = tokens.headers(school, roles=("administrator",))
    body = small_directory().json()

    preview = client.post("/directory/imports?dry_run=true&full=true", json=body, headers=admin)
    assert preview.status_code == 200
    report = preview.get_json()
    assert (report["dry_run"], report["full"], report["created"], report["unchanged"]) == (True, True, 6, 0)
    assert report["changes"][0] == {
        "action": "create", "kind": "class", "external_id": "3A", "name": "3.A", "changed_fields": [],
        "summary": "create class 3A (3.A)",
    }
    assert _persons(identity, school) == {}

    assert client.post("/directory/imports?full=true", json=body, headers=admin).get_json()["created"] == 6
    again = client.post("/directory/imports?full=true", json=body, headers=admin).get_json()
    assert (again["created"], again["updated"], again["deactivated"], again["unchanged"], again["changes"]) == (0, 0, 0, 6, [])

    body["persons"][0]["national_id"] = "310299-1234"
    bad = client.post("/directory/imports", json=body, headers=admin)
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == [
        {"field": "persons[0].national_id", "message": "the CPR number starts with a date that does not exist (31.02.1999)"}
    ]


def test_persons_are_listed_filtered_and_paged(identity, school, client, tokens):
    _sync(identity, school, small_directory())
    headers = tokens.headers(school)

    def listed(query: str) -> dict:
        response = client.get(f"/persons{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    everyone = listed("")
    assert [(p["family_name"], p["given_name"]) for p in everyone["items"]] == [
        ("Berg", "Bo"), ("Holm", "Lis"), ("Østergaard", "Ida"), ("Østergaard", "Jens"), ("Østergaard", "Mette"),
    ]
    assert {p["external_id"] for p in listed("?kind=pupil")["items"]} == {"E1", "E2"}
    assert {p["external_id"] for p in listed("?class=3A")["items"]} == {"E1", "E2"}
    assert {p["external_id"] for p in listed("?q=østergaard")["items"]} == {"G1", "G2", "E1"}
    assert {p["external_id"] for p in listed("?q=ida+ØSTER")["items"]} == {"E1"}
    assert {p["external_id"] for p in listed("?q=150515-4321")["items"]} == {"E1"}
    assert listed("?q=100%25")["total"] == 0
    page = listed("?page=2&page_size=4")
    assert (page["total"], page["page"], len(page["items"])) == (5, 2, 1)
    ida = listed("?q=E1")["items"][0]
    assert (ida["class_code"], ida["class_name"], ida["national_id"], len(ida["guardian_ids"])) == ("3A", "3.A", "1505154321", 2)

    assert client.get("/persons").status_code == 401
    assert client.get("/persons?kind=teacher", headers=headers).status_code == 422


def test_a_pupil_and_their_guardians_are_looked_up_by_id(identity, school, client, tokens):
    _sync(identity, school, small_directory())
    stored = _persons(identity, school)
    headers = tokens.headers(school, roles=())

    ida = client.get(f"/persons/{stored['pupil', 'E1']['id']}", headers=headers).get_json()
    assert (ida["kind"], ida["given_name"], ida["national_id"], ida["active"]) == ("pupil", "Ida", "1505154321", True)
    assert sorted(ida["guardian_ids"]) == sorted([stored["guardian", "G1"]["id"], stored["guardian", "G2"]["id"]])

    guardians = client.get(f"/persons/{ida['id']}/guardians", headers=headers).get_json()["items"]
    assert {(g["external_id"], g["national_id"]) for g in guardians} == {("G1", "0101801234"), ("G2", "0202811234")}
    staff = stored["staff", "S1"]
    assert client.get(f"/persons/{staff['id']}/guardians", headers=headers).get_json() == {"items": []}
    assert client.get("/persons/no-such-person", headers=headers).status_code == 404


def test_the_openapi_document_shows_the_import_and_person_models(client):
    document = client.get("/openapi.json").get_json()

    assert {"/directory/imports", "/persons", "/persons/{person_id}", "/persons/{person_id}/guardians"} <= set(document["paths"])
    schemas = document["components"]["schemas"]
    assert {"ImportDocument", "PersonIn", "ImportReportOut", "PersonOut"} <= set(schemas)
    assert "class" in schemas["PersonIn"]["properties"]


def test_a_pupil_in_two_imports_keeps_one_identity(identity, school):
    _sync(identity, school, small_directory())
    first = _persons(identity, school)["pupil", "E1"]["id"]
    renamed = small_directory()
    renamed.row("pupil", "E1")["given_name"] = "Ida Marie"

    _sync(identity, school, renamed)

    assert _persons(identity, school)["pupil", "E1"]["id"] == first
    assert _persons(identity, school)["pupil", "E1"]["given_name"] == "Ida Marie"


def test_two_imports_at_once_take_turns(postgres_url, tmp_path, tokens):
    """SQLite runs one writer at a time anyway; PostgreSQL lets the two transactions overlap."""
    service = bootstrap(IdentitySettings(database_url=postgres_url, data_dir=tmp_path))
    service.migrate()
    tenant_id = handlers.create_organisation("skole", "Skolen", service.unit_of_work()).id
    directory = school_directory(pupils=60, staff=5)
    reports, errors = [], []

    def run():
        try:
            reports.append(_sync(service, tenant_id, directory))
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    service.database.dispose()

    assert errors == []
    assert sorted(report.plan.count("create") for report in reports) == [0, len(directory.rows)]
