"""Sign-in: tokens and refresh, lockout after repeated failures that never says which part was
wrong, on SQLite and PostgreSQL."""

import pytest

from akta_identity.service_layer import handlers
from tests.support.identity import build_identity

PASSWORD = "a-long-enough-password"


@pytest.fixture
def identity(database_url, tmp_path, tokens):
    service = build_identity(tmp_path, database_url, "memory://", "unused", tokens)
    handlers.create_organisation("skolen", "Skolen", service.unit_of_work())
    handlers.create_user("skolen", "anna", "Anna", PASSWORD, ["caseworker"], service.unit_of_work())
    yield service
    service.database.dispose()


def _sign_in(client, username="anna", password=PASSWORD, organisation="skolen"):
    return client.post("/token", json={"organisation": organisation, "username": username, "password": password})


def test_a_password_gives_an_access_token_and_a_refresh_token(identity):
    client = identity.app.test_client()
    tokens = _sign_in(client).json
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"].startswith("rt_")
    me = client.get("/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}).json
    assert me["name"] == "Anna" and me["roles"] == ["caseworker"]


def test_wrong_name_and_wrong_password_get_the_same_answer(identity):
    client = identity.app.test_client()
    wrong_password = _sign_in(client, password="nope")
    wrong_name = _sign_in(client, username="nobody")
    wrong_organisation = _sign_in(client, organisation="elsewhere")
    assert wrong_password.status_code == wrong_name.status_code == wrong_organisation.status_code == 401
    assert wrong_password.json["detail"] == wrong_name.json["detail"] == wrong_organisation.json["detail"]


def test_repeated_failures_lock_the_name_known_or_not(identity):
    client = identity.app.test_client()
    for username in ("anna", "nobody"):
        for _ in range(5):
            assert _sign_in(client, username=username, password="wrong").status_code == 401
        locked = _sign_in(client, username=username)
        assert locked.status_code == 429
        assert locked.json["retry_after_seconds"] > 0
    # Another user of the same organisation is not affected.
    handlers.create_user("skolen", "bo", "Bo", PASSWORD, ["caseworker"], identity.unit_of_work())
    assert _sign_in(client, username="bo").status_code == 200


def test_a_refresh_token_works_once_and_its_reuse_ends_the_whole_family(identity):
    client = identity.app.test_client()
    first = _sign_in(client).json["refresh_token"]
    second = client.post("/token/refresh", json={"refresh_token": first}).json
    assert second["access_token"] and second["refresh_token"] != first
    # The first token presented again: someone copied it. Both it and its successor stop working.
    assert client.post("/token/refresh", json={"refresh_token": first}).status_code == 401
    assert client.post("/token/refresh", json={"refresh_token": second["refresh_token"]}).status_code == 401


def test_signing_out_revokes_the_refresh_token(identity):
    client = identity.app.test_client()
    refresh_token = _sign_in(client).json["refresh_token"]
    assert client.post("/token/revoke", json={"refresh_token": refresh_token}).status_code == 204
    assert client.post("/token/refresh", json={"refresh_token": refresh_token}).status_code == 401
