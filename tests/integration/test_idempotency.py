"""Idempotency-Key on SQLite and PostgreSQL: the library on a small app whose view can be made to
stall or crash at each step, then POST /cases of the cases service, and races on PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import jsonify
from pydantic import BaseModel
from sqlalchemy import Column, MetaData, String, Table, func, select, update

from akta.aggregate import Aggregate
from akta.auth.tokens import TokenVerifier
from akta.db.database import Database
from akta.db.idempotency_keys import (
    KeyId,
    claim,
    idempotency_keys,
    idempotency_metadata,
    purge_idempotency_keys,
)
from akta.db.types import utcnow
from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta.errors import Forbidden
from akta.web.app import create_app
from akta.web.auth import current_principal
from akta.web.idempotency import idempotent, request_fingerprint
from akta_cases.bootstrap import bootstrap
from akta_cases.settings import CasesSettings
from tests.support.cases import template
from tests.support.replica import grant, known_tenant

things_metadata = MetaData()
things = Table(
    "things",
    things_metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
)


class Thing(Aggregate):
    def __init__(self, thing_id: str) -> None:
        super().__init__()
        self.id = thing_id


class ThingsUnitOfWork(SqlAlchemyUnitOfWork):
    def start(self, session) -> None:
        self.added: list[Thing] = []

    def add(self, tenant_id: str, name: str) -> Thing:
        thing = Thing(str(uuid.uuid4()))
        self.session.execute(things.insert().values(id=thing.id, tenant_id=tenant_id, name=name))
        self.added.append(thing)
        return thing

    def seen_aggregates(self):
        return self.added


class ThingIn(BaseModel):
    name: str


@dataclass
class Harness:
    """A service with one idempotent endpoint, POST /things. Names steer the view: `forbidden`
    refuses, `crash-before` fails before its effect, `crash-after` after it; the first `wait`
    sets `entered` and waits for `go` (before touching the database), later ones go through."""

    database: Database
    service: SimpleNamespace
    entered: threading.Event = field(default_factory=threading.Event)
    go: threading.Event = field(default_factory=threading.Event)

    def count(self) -> int:
        with self.database.session() as session:
            return session.scalar(select(func.count()).select_from(things))

    def key_rows(self) -> list[dict]:
        with self.database.session() as session:
            return [dict(row) for row in session.execute(select(idempotency_keys)).mappings()]

    def end_leases(self) -> None:
        """As if every lease had run out: the holder died (or is stuck)."""
        with self.database.session() as session, session.begin():
            session.execute(update(idempotency_keys).values(locked_until=utcnow() - timedelta(seconds=1)))


def _build_app(harness: Harness):
    service = harness.service
    app = create_app("things", "Things")

    def recovered(resources):
        [thing] = resources
        return jsonify(id=thing["id"]), 201, {"Location": f"/things/{thing['id']}"}

    @app.post("/things")
    @idempotent(service, recover=recovered)
    def create_thing(body: ThingIn):
        """Create a thing."""
        principal = current_principal(service.authenticator)
        if body.name == "forbidden":
            raise Forbidden("not this one")
        if body.name == "wait" and not harness.entered.is_set():
            harness.entered.set()
            assert harness.go.wait(10)
        if body.name == "crash-before":
            raise RuntimeError("died before the effect")
        uow = ThingsUnitOfWork(harness.database, ())
        with uow:
            thing = uow.add(principal.tenant_id, body.name)
            uow.commit()
        if body.name == "crash-after":
            raise RuntimeError("died after the effect")
        return jsonify(id=thing.id), 201, {"Location": f"/things/{thing.id}", "ETag": '"1"'}

    return app


@pytest.fixture
def harness(database_url, tokens):
    database = Database(database_url)
    idempotency_metadata.create_all(database.engine)
    things_metadata.create_all(database.engine)
    built = Harness(database, SimpleNamespace(database=database, authenticator=TokenVerifier(tokens.public_key_file)))
    built.service.app = _build_app(built)
    yield built
    database.dispose()


@pytest.fixture
def user_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def caller(tokens, tenant_id, user_id):
    def headers(key: str | None = None, **token_args) -> dict[str, str]:
        found = tokens.headers(token_args.pop("tenant_id", tenant_id), subject_id=token_args.pop("subject_id", user_id))
        return {**found, "Idempotency-Key": key} if key is not None else found

    return headers


def _post(harness, headers, name="Elevsag", **kwargs):
    return harness.service.app.test_client().post("/things", json={"name": name, **kwargs}, headers=headers)


def test_the_same_key_twice_does_it_once_and_answers_the_same(harness, caller):
    first = _post(harness, caller("run-2026-03-02"))
    again = _post(harness, caller("run-2026-03-02"))
    assert first.status_code == again.status_code == 201
    assert first.get_data() == again.get_data()
    assert again.headers["Location"] == first.headers["Location"] and again.headers["ETag"] == '"1"'
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert again.mimetype == "application/json"
    assert harness.count() == 1
    [row] = harness.key_rows()
    assert row["status"] == "completed" and row["request_method"] == "POST" and row["request_path"] == "/things"


def test_the_same_key_with_another_body_is_refused(harness, caller):
    _post(harness, caller("k-1"))
    refused = _post(harness, caller("k-1"), name="Anden sag")
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert refused.json["errors"][0]["field"] == "Idempotency-Key"
    assert harness.count() == 1


def test_without_a_key_every_request_runs(harness, caller):
    assert _post(harness, caller()).status_code == _post(harness, caller()).status_code == 201
    assert harness.count() == 2 and harness.key_rows() == []


def test_keys_belong_to_one_organisation_and_one_caller(harness, caller, tenant_id):
    _post(harness, caller("shared-key"))
    _post(harness, caller("shared-key", subject_id=str(uuid.uuid4())))
    _post(harness, caller("shared-key", tenant_id=str(uuid.uuid4())))
    assert harness.count() == 3


def test_a_malformed_key_is_a_bad_request_naming_the_header(harness, caller):
    for key in ("", "x" * 201, "nøgle"):
        refused = harness.service.app.test_client().post(
            "/things", json={"name": "x"}, headers={**caller(), "Idempotency-Key": key.encode("utf-8").decode("latin-1")}
        )
        assert refused.status_code == 400, key
        assert refused.json["errors"] == [{"field": "Idempotency-Key", "message": refused.json["errors"][0]["message"]}]
    assert harness.count() == 0


def test_a_quoted_key_is_the_same_key(harness, caller):
    _post(harness, caller("abc"))
    assert _post(harness, caller('"abc"')).headers["Idempotent-Replayed"] == "true"


def test_a_refusal_changes_nothing_and_frees_the_key(harness, caller):
    assert _post(harness, caller("k-2"), name="forbidden").status_code == 403
    assert harness.key_rows() == []
    assert _post(harness, caller("k-2"), name="allowed").status_code == 201
    assert harness.count() == 1


def test_a_retry_while_the_first_is_still_running_is_told_to_wait(harness, caller):
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(_post, harness, caller("k-3"), "wait")
        assert harness.entered.wait(10)
        meanwhile = _post(harness, caller("k-3"), "wait")
        harness.go.set()
        assert first.result().status_code == 201
    assert meanwhile.status_code == 409 and meanwhile.headers["Retry-After"] == "1"
    assert meanwhile.mimetype == "application/problem+json"
    assert _post(harness, caller("k-3"), "wait").status_code == 201
    assert harness.count() == 1


def test_a_crash_before_the_effect_leaves_the_key_free(harness, caller):
    assert _post(harness, caller("k-4"), "crash-before").status_code == 500
    assert harness.key_rows() == []


def test_a_process_that_died_before_its_effect_is_replaced_after_its_lease(harness, caller, tenant_id, user_id):
    with harness.service.app.test_request_context("/things", method="POST", json={"name": "Elevsag"}):
        fingerprint = request_fingerprint()
    with harness.database.session() as session, session.begin():  # all a process dying mid-request leaves
        claim(session, KeyId(tenant_id, f"user:{user_id}", "k-5"), fingerprint)
    assert _post(harness, caller("k-5")).status_code == 409, "within the lease it may still be running"
    harness.end_leases()
    assert _post(harness, caller("k-5")).status_code == 201
    assert _post(harness, caller("k-5")).headers["Idempotent-Replayed"] == "true"
    assert harness.count() == 1


def test_a_crash_after_the_effect_never_repeats_it_and_the_answer_is_rebuilt(harness, caller):
    assert _post(harness, caller("k-6"), "crash-after").status_code == 500
    [row] = harness.key_rows()
    assert row["status"] == "applied", "the effect's own transaction marked the key"
    assert _post(harness, caller("k-6"), "crash-after").status_code == 409, "in flight until the lease ends"
    harness.end_leases()
    rebuilt = _post(harness, caller("k-6"), "crash-after")
    assert rebuilt.status_code == 201 and rebuilt.headers["Idempotent-Replayed"] == "true"
    [thing_id] = [r["id"] for r in _things(harness)]
    assert rebuilt.json == {"id": thing_id} and rebuilt.headers["Location"] == f"/things/{thing_id}"
    assert _post(harness, caller("k-6"), "crash-after").get_data() == rebuilt.get_data()
    assert harness.count() == 1


def test_an_attempt_that_outlived_its_lease_cannot_add_a_second_effect(harness, caller):
    with ThreadPoolExecutor(1) as pool:
        stuck = pool.submit(_post, harness, caller("k-7"), "wait")
        assert harness.entered.wait(10)
        harness.end_leases()
        retry = _post(harness, caller("k-7"), "wait")
        harness.go.set()
        late = stuck.result()
    assert retry.status_code == 201
    assert late.status_code == 409 and late.json["type"] == "urn:akta:problem:idempotency-key-in-use"
    assert harness.count() == 1, "the stuck attempt's effect was rolled back"
    assert _post(harness, caller("k-7"), "wait").get_data() == retry.get_data()


def test_expired_keys_are_purged_and_a_service_without_the_table_is_left_alone(harness, caller, tmp_path):
    _post(harness, caller("old"))
    _post(harness, caller("new"), name="Ny")
    with harness.database.session() as session, session.begin():
        session.execute(
            update(idempotency_keys).where(idempotency_keys.c.key == "old").values(created_at=utcnow() - timedelta(days=8))
        )
    assert purge_idempotency_keys(harness.database) == 1
    assert [row["key"] for row in harness.key_rows()] == ["new"]
    assert _post(harness, caller("old")).headers.get("Idempotent-Replayed") is None, "an expired key is new again"
    bare = Database(f"sqlite:///{tmp_path / 'bare.db'}")
    assert purge_idempotency_keys(bare) == 0
    bare.dispose()


def test_the_header_is_in_the_openapi_document(harness):
    operation = harness.service.app.test_client().get("/openapi.json").json["paths"]["/things"]["post"]
    [parameter] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert parameter["in"] == "header" and parameter["required"] is False
    assert "422" in parameter["description"] and "409" in parameter["description"]
    assert "Idempotency-Key" in operation["description"]


def test_racing_retries_on_postgresql_do_it_once(postgres_url, tokens, tenant_id):
    database = Database(postgres_url)
    idempotency_metadata.create_all(database.engine)
    things_metadata.create_all(database.engine)
    harness = Harness(database, SimpleNamespace(database=database, authenticator=TokenVerifier(tokens.public_key_file)))
    harness.service.app = _build_app(harness)
    headers = {**tokens.headers(tenant_id, subject_id="u-1"), "Idempotency-Key": "race"}
    try:
        start = threading.Barrier(12)

        def attempt():
            start.wait()
            return _post(harness, headers)

        with ThreadPoolExecutor(12) as pool:
            answers = [future.result() for future in [pool.submit(attempt) for _ in range(12)]]
        assert harness.count() == 1
        assert {answer.status_code for answer in answers} <= {201, 409}
        created = {answer.headers["Location"] for answer in answers if answer.status_code == 201}
        assert len(created) == 1
    finally:
        database.dispose()


def _things(harness) -> list[dict]:
    with harness.database.session() as session:
        return [dict(row) for row in session.execute(select(things)).mappings()]


# POST /cases of the cases service


@pytest.fixture
def cases(database_url, tmp_path, tokens):
    service = bootstrap(
        CasesSettings(database_url=database_url, data_dir=tmp_path, token_public_key_file=tokens.public_key_file)
    )
    service.migrate()
    yield service
    service.database.dispose()


def _case_writer(cases, tokens, tenant_id: str, user_id: str | None = None) -> dict[str, str]:
    user_id = user_id or str(uuid.uuid4())
    grant(cases, tenant_id, user_id, "access_group", "ag-1")
    return tokens.headers(tenant_id, subject_id=user_id)


def _organisation(cases, tenant_id: str) -> str:
    known_tenant(cases, tenant_id)
    return template(cases, tenant_id, "ag-1")


def _case_count(cases, headers) -> int:
    return cases.app.test_client().get("/cases", headers=headers).json["total"]


def test_a_nightly_transfer_run_twice_creates_each_case_once(cases, tokens, tenant_id):
    template_id = _organisation(cases, tenant_id)
    partner = _case_writer(cases, tokens, tenant_id)
    client = cases.app.test_client()

    def transfer():
        return [
            client.post(
                "/cases",
                json={"title": f"Elev {n}", "template_id": template_id},
                headers={**partner, "Idempotency-Key": f"sis-2026-03-02-{n}"},
            )
            for n in range(3)
        ]

    first, second = transfer(), transfer()
    assert [r.status_code for r in first + second] == [201] * 6
    assert [r.get_data() for r in first] == [r.get_data() for r in second]
    assert [r.headers["Location"] for r in first] == [r.headers["Location"] for r in second]
    assert [r.headers["ETag"] for r in first] == [r.headers["ETag"] for r in second]
    assert _case_count(cases, partner) == 3
    refused = client.post(
        "/cases", json={"title": "Another", "template_id": template_id}, headers={**partner, "Idempotency-Key": "sis-2026-03-02-0"}
    )
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "Idempotency-Key"
    for _ in range(2):
        assert client.post("/cases", json={"title": "Unkeyed", "template_id": template_id}, headers=partner).status_code == 201
    assert _case_count(cases, partner) == 5


def test_case_keys_are_per_organisation_and_caller(cases, tokens, tenant_id):
    template_id = _organisation(cases, tenant_id)
    other_tenant = str(uuid.uuid4())
    other_template = _organisation(cases, other_tenant)
    anna, bo = _case_writer(cases, tokens, tenant_id), _case_writer(cases, tokens, tenant_id)
    eve = _case_writer(cases, tokens, other_tenant)
    client = cases.app.test_client()
    for headers, template_id_ in ((anna, template_id), (bo, template_id), (eve, other_template)):
        response = client.post(
            "/cases", json={"title": "Elevsag", "template_id": template_id_}, headers={**headers, "Idempotency-Key": "same"}
        )
        assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert _case_count(cases, anna) == 2 and _case_count(cases, eve) == 1


def test_a_refused_case_frees_its_key(cases, tokens, tenant_id):
    template_id = _organisation(cases, tenant_id)
    reader_id = str(uuid.uuid4())
    grant(cases, tenant_id, reader_id, "access_group", "ag-1", "read")
    reader = {**tokens.headers(tenant_id, subject_id=reader_id), "Idempotency-Key": "k"}
    client = cases.app.test_client()
    assert client.post("/cases", json={"title": "x", "template_id": template_id}, headers=reader).status_code == 403
    grant(cases, tenant_id, reader_id, "access_group", "ag-1", "write")
    assert client.post("/cases", json={"title": "x", "template_id": template_id}, headers=reader).status_code == 201


def test_racing_case_creations_with_one_key_make_one_case_on_postgresql(postgres_url, tmp_path, tokens, tenant_id):
    cases = bootstrap(CasesSettings(database_url=postgres_url, data_dir=tmp_path, token_public_key_file=tokens.public_key_file))
    cases.migrate()
    try:
        template_id = _organisation(cases, tenant_id)
        partner = _case_writer(cases, tokens, tenant_id)
        start = threading.Barrier(10)

        def attempt():
            start.wait()
            return cases.app.test_client().post(
                "/cases", json={"title": "Elevsag", "template_id": template_id}, headers={**partner, "Idempotency-Key": "race"}
            )

        with ThreadPoolExecutor(10) as pool:
            answers = [future.result() for future in [pool.submit(attempt) for _ in range(10)]]
        assert {answer.status_code for answer in answers} <= {201, 409}
        assert len({answer.headers["Location"] for answer in answers if answer.status_code == 201}) == 1
        assert _case_count(cases, partner) == 1
    finally:
        cases.database.dispose()


def test_the_command_line_purges_expired_keys(cases, tokens, tenant_id):
    from click.testing import CliRunner

    from akta.cli import service_cli

    template_id = _organisation(cases, tenant_id)
    partner = {**_case_writer(cases, tokens, tenant_id), "Idempotency-Key": "old-run"}
    cases.app.test_client().post("/cases", json={"title": "Elevsag", "template_id": template_id}, headers=partner)
    with cases.database.session() as session, session.begin():
        session.execute(update(idempotency_keys).values(created_at=utcnow() - timedelta(days=7, seconds=1)))
    result = CliRunner().invoke(service_cli(lambda: cases, "cases"), ["purge-idempotency-keys"])
    assert result.exit_code == 0, result.output
    assert "1 expired idempotency keys purged" in result.output
