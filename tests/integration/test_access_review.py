"""The access review: roles and grants per user, privileged roles flagged, grants near their
end marked, CSV export, and the grants of users who changed unit since."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from akta_identity.access import handlers as access
from akta_identity.entrypoints.cli import main as identity_cli
from akta_identity.service_layer import handlers
from tests.support.identity import build_identity

PASSWORD = "a-long-enough-password"


@pytest.fixture
def identity(database_url, tmp_path, tokens):
    service = build_identity(tmp_path, database_url, "memory://", "unused", tokens)
    yield service
    service.database.dispose()


@pytest.fixture
def school(identity):
    uow = identity.unit_of_work
    tenant = handlers.create_organisation("skolen", "Skolen", uow()).id
    admin = handlers.create_user("skolen", "admin", "Admin", PASSWORD, ["administrator"], uow())
    anna = handlers.create_user("skolen", "anna", "Anna", PASSWORD, ["caseworker"], uow())
    office = access.create_unit(uow(), tenant, "Kontoret")
    teachers = access.create_unit(uow(), tenant, "Lærerne")
    access.change_user(uow(), tenant, anna.id, unit_id=office.id)
    pupils = access.create_access_group(uow(), tenant, "Elevsager")
    access.give_grant(uow(), tenant, "user", anna.id, "access_group", pupils.id, "write")
    access.give_grant(
        uow(), tenant, "user", anna.id, "screening_code", "pupil", "read", valid_until=datetime.now(UTC) + timedelta(days=3)
    )
    group = access.create_group(uow(), tenant, "Ledelse")
    access.add_group_member(uow(), tenant, group.id, admin.id)
    access.give_grant(uow(), tenant, "group", group.id, "access_group", pupils.id, "read")
    return {"tenant": tenant, "anna": anna, "admin": admin, "teachers": teachers}


def _headers(identity):
    response = identity.app.test_client().post("/token", json={"organisation": "skolen", "username": "admin", "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def test_the_review_shows_roles_grants_and_what_needs_attention(identity, school):
    client = identity.app.test_client()
    users = {u["username"]: u for u in client.get("/access-review", headers=_headers(identity)).json["users"]}
    assert users["admin"]["privileged"] and not users["anna"]["privileged"]
    assert users["anna"]["unit"] == "Kontoret"
    anna_grants = {(g["scope_kind"], g["scope"], g["permission"], g["expires_soon"]) for g in users["anna"]["grants"]}
    assert anna_grants == {("access_group", "Elevsager", "write", False), ("screening_code", "pupil", "read", True)}
    [via_group] = users["admin"]["grants"]
    assert via_group["via_group"] == "Ledelse" and via_group["scope"] == "Elevsager"
    assert users["admin"]["last_sign_in_at"] is not None


def test_the_review_exports_csv(identity, school):
    response = identity.app.test_client().get("/access-review.csv?within_days=1", headers=_headers(identity))
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    anna_rows = [r for r in rows if r["username"] == "anna"]
    assert len(anna_rows) == 2 and {r["expires_soon"] for r in anna_rows} == {"False"}


def test_grants_of_users_who_changed_unit_are_listed(identity, school):
    access.change_user(identity.unit_of_work(), school["tenant"], school["anna"].id, unit_id=school["teachers"].id)
    changed = identity.app.test_client().get("/access-review/unit-changes", headers=_headers(identity)).json["grants"]
    assert {(g["username"], g["scope_kind"]) for g in changed} == {("anna", "access_group"), ("anna", "screening_code")}


def test_only_administrators_and_archivists_see_the_review(identity, school):
    client = identity.app.test_client()
    token = client.post("/token", json={"organisation": "skolen", "username": "anna", "password": PASSWORD}).json["access_token"]
    assert client.get("/access-review", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_the_command_line_administers_users_and_grants(identity, school, monkeypatch, tmp_path):
    for name, value in {
        "AKTA_DATA_DIR": str(tmp_path),
        "AKTA_DATABASE_URL": identity.settings.effective_database_url,
    }.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    result = runner.invoke(identity_cli, ["create-access-group", "--organisation", "skolen", "--name", "Personale"])
    assert result.exit_code == 0, result.output
    access_group_id = result.output.strip().rsplit("(", 1)[1].rstrip(")")
    result = runner.invoke(identity_cli, [
        "grant", "--organisation", "skolen", "--username", "anna", "--scope-kind", "access_group",
        "--scope-id", access_group_id, "--permission", "write", "--until", "2030-01-01",
    ])
    assert result.exit_code == 0, result.output
    assert runner.invoke(identity_cli, ["deactivate-user", "--organisation", "skolen", "--username", "anna"]).exit_code == 0
    result = runner.invoke(identity_cli, ["create-service-account", "--organisation", "skolen", "--name", "Lectio", "--scope", "cases:read"])
    assert result.exit_code == 0 and "akta_" in result.output
    with identity.unit_of_work() as uow:
        assert uow.directory.user(school["tenant"], school["anna"].id).active is False
    assert runner.invoke(identity_cli, ["deactivate-user", "--organisation", "nowhere", "--username", "x"]).exit_code != 0
