"""The replica's refusal of a caller with a valid token, one statement for both checks."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from akta.access.store import DEACTIVATED, UNKNOWN_TENANT, ReplicaAccessStore
from akta.access.tables import access_deactivated_subjects, access_grants, access_metadata, access_tenants
from akta.auth.principal import Principal
from akta.db.database import Database

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _user(tenant_id: str, subject_id: str) -> Principal:
    return Principal(tenant_id=tenant_id, subject_id=subject_id, subject_kind="user", name="Anna")


@pytest.fixture
def store(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'access.db'}")
    access_metadata.create_all(database.engine)
    with database.engine.begin() as connection:
        connection.execute(insert(access_tenants), [{"tenant_id": "t-1", "slug": "skolen"}])
        connection.execute(insert(access_deactivated_subjects), [{"subject_id": "u-gone", "tenant_id": "t-1", "subject_kind": "user"}])
        connection.execute(insert(access_grants), [{
            "grant_id": "g-1", "tenant_id": "t-1", "grantee_kind": "user", "grantee_id": "u-1", "scope_kind": "access_group",
            "scope_id": "elevsager", "permission": "read", "valid_from": NOW - timedelta(days=1), "valid_until": None,
            "revoked": False,
        }])
    yield ReplicaAccessStore(database)
    database.dispose()


def test_a_known_tenants_active_user_is_not_refused(store):
    assert store.refuses("t-1", "u-1") is None


def test_an_unknown_organisation_is_refused_before_anything_else(store):
    assert store.refuses("t-unknown", "u-gone") == UNKNOWN_TENANT


def test_a_deactivated_account_is_refused(store):
    assert store.refuses("t-1", "u-gone") == DEACTIVATED


def test_the_default_answer_of_any_store_agrees(store):
    """Stores without a one-statement version (identity's own) answer through the two checks."""
    for tenant_id, subject_id in (("t-1", "u-1"), ("t-unknown", "u-gone"), ("t-1", "u-gone")):
        assert super(ReplicaAccessStore, store).refuses(tenant_id, subject_id) == store.refuses(tenant_id, subject_id)


def test_an_admitted_callers_scope_comes_with_the_checks(store):
    refusal, scope = store.refusal_or_scope(_user("t-1", "u-1"), NOW)
    assert refusal is None and scope.read_groups == {"elevsager"}


def test_a_refused_caller_gets_no_scope(store):
    assert store.refusal_or_scope(_user("t-1", "u-gone"), NOW) == (DEACTIVATED, None)
    assert store.refusal_or_scope(_user("t-unknown", "u-1"), NOW) == (UNKNOWN_TENANT, None)
