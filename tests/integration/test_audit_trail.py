"""Identity's audit trail on SQLite and PostgreSQL: appended through its event handler, queried
and exported over HTTP, verified, and append-only."""

import csv
import io
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy
from click.testing import CliRunner
from kombu import Connection
from sqlalchemy import select, text

from akta.bus.publisher import OutboundMessage, open_publisher
from akta.bus.tables import outbox_table
from akta.bus.topology import declare_topology, subscription_queue
from akta.bus.worker import Delivery
from akta.contracts import Envelope
from akta.contracts.audit import DocstoreAuditRecorded
from akta_identity.audit import views
from akta_identity.audit.tables import audit_chain_heads, audit_records
from akta_identity.audit.trail import record_from_event
from akta_identity.entrypoints.cli import main as identity_cli
from akta_identity.service_layer import handlers
from akta_identity.service_layer import handlers as identity_handlers
from tests.support.identity import audit_envelope, build_identity, feed_audit

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def identity(tmp_path, database_url, bus_namespace, tokens):
    service = build_identity(tmp_path, database_url, "memory://", bus_namespace, tokens)
    yield service
    service.database.dispose()


@pytest.fixture
def tenant_id(identity):
    """A real organisation: identity refuses tokens naming one it does not know."""
    return identity_handlers.create_organisation("skolen", "Skolen", identity.unit_of_work()).id


@pytest.fixture
def client(identity):
    return identity.app.test_client()


def _records(service, tenant_id) -> list[dict]:
    with service.database.session() as session:
        rows = session.execute(
            select(audit_records).where(audit_records.c.tenant_id == tenant_id).order_by(audit_records.c.sequence)
        ).mappings()
        return [dict(row) for row in rows]


def _outbox_audit(service) -> list[dict]:
    with service.database.session() as session:
        bodies = session.scalars(
            select(outbox_table.c.body).where(outbox_table.c.event_type == "identity.audit.recorded.v1")
        )
        return [json.loads(body) for body in bodies]


def _tamper(service, statement: str, **params) -> None:
    """Change the table behind the application's back, as someone with database access could."""
    with service.database.engine.begin() as connection:
        if service.database.is_postgresql:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_records_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_records_no_delete"))
        connection.execute(text(statement), params)


def _history(service, tenant_id):
    feed_audit(service, tenant_id, action="create", entity_id="case-1", occurred_at=T0)
    feed_audit(service, tenant_id, action="read", entity_id="case-1", occurred_at=T0 + timedelta(hours=1),
               actor="user:u-2", details={"page": 1, "screened": False})
    feed_audit(service, tenant_id, action="read", entity_id="case-2", occurred_at=T0 + timedelta(hours=2))
    feed_audit(service, tenant_id, event_class=DocstoreAuditRecorded, action="download", entity_type="document",
               entity_id="doc-1", occurred_at=T0 + timedelta(hours=3), outcome="denied")


def test_records_are_chained_per_tenant_and_verify(identity, tenant_id):
    other_tenant = "other-tenant"
    _history(identity, tenant_id)
    feed_audit(identity, other_tenant)

    records = _records(identity, tenant_id)
    assert [r["sequence"] for r in records] == [1, 2, 3, 4]
    assert [r["service"] for r in records] == ["cases", "cases", "cases", "docstore"]
    assert records[1]["actor"] == "user:u-2" and records[1]["details"] == {"page": 1, "screened": False}
    assert records[1]["previous_hash"] == records[0]["hash"]
    assert [r["sequence"] for r in _records(identity, other_tenant)] == [1]

    reports = {r.tenant_id: r for r in views.verify_chains(identity.database)}
    assert set(reports) == {tenant_id, other_tenant}
    assert reports[tenant_id].ok and reports[tenant_id].checked == 4
    assert reports[other_tenant].ok


def test_the_same_record_delivered_again_is_kept_once(identity, tenant_id):
    from akta_identity.service_layer.handlers import EVENT_HANDLERS
    from tests.support.identity import audit_envelope

    event, envelope = audit_envelope(tenant_id)
    for _ in range(2):
        with identity.unit_of_work() as uow:
            EVENT_HANDLERS["record_audit"](event, envelope=envelope, uow=uow)
            uow.commit()
    assert len(_records(identity, tenant_id)) == 1
    assert views.verify_chains(identity.database, [tenant_id])[0].ok


def test_query_by_entity_actor_action_and_time_range(identity, client, tokens, tenant_id):
    _history(identity, tenant_id)
    feed_audit(identity, "other-tenant", entity_id="case-1")
    headers = tokens.headers(tenant_id, roles=("archivist",))

    def query(**params):
        response = client.get("/audit", query_string=params, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    page = query(entity_type="case", entity_id="case-1")
    assert page["total"] == 2
    assert [item["action"] for item in page["items"]] == ["read", "create"], "newest first"
    assert all(item["tenant_id"] == tenant_id for item in page["items"])

    assert [i["sequence"] for i in query(actor="user:u-2")["items"]] == [2]
    assert [i["entity_id"] for i in query(action="read")["items"]] == ["case-2", "case-1"]
    window = query(**{"from": (T0 + timedelta(hours=1)).isoformat(), "to": (T0 + timedelta(hours=3)).isoformat()})
    assert [i["sequence"] for i in window["items"]] == [3, 2]
    assert query(entity_type="document")["items"][0]["outcome"] == "denied"

    first, second = query(page_size=3), query(page=2, page_size=3)
    assert first["total"] == second["total"] == 4
    assert [i["sequence"] for i in first["items"] + second["items"]] == [4, 3, 2, 1]


def test_the_query_is_itself_recorded_as_a_read_of_the_trail(identity, client, tokens, tenant_id):
    client.get("/audit?entity_type=case&entity_id=case-9", headers=tokens.headers(tenant_id, roles=("administrator",)))
    [recorded] = [r for r in _outbox_audit(identity) if r["data"]["entity_type"] == "audit_trail"]
    assert recorded["tenant"] == tenant_id
    assert recorded["data"]["entity_type"] == "audit_trail"
    assert recorded["data"]["details"] == {"filter_entity_type": "case", "filter_entity_id": "case-9"}


def test_only_administrators_and_archivists_may_read_the_trail(identity, client, tokens, tenant_id):
    _history(identity, tenant_id)
    for path in ("/audit", "/audit.csv", "/audit/verify"):
        response = client.get(path, headers=tokens.headers(tenant_id, roles=("caseworker",)))
        assert response.status_code == 403, path
        assert response.mimetype == "application/problem+json"
    assert client.get("/audit").status_code == 401
    assert client.get("/audit/verify", headers=tokens.headers(tenant_id, roles=("archivist",))).status_code == 403
    denied = [r for r in _outbox_audit(identity) if r["data"]["outcome"] == "denied"]
    assert len(denied) == 4


def test_unknown_filters_and_naive_times_are_refused(client, tokens, tenant_id):
    headers = tokens.headers(tenant_id, roles=("archivist",))
    assert client.get("/audit?user=u-1", headers=headers).status_code == 422
    assert client.get("/audit?from=2026-03-02T09:00:00", headers=headers).status_code == 422


def test_no_endpoint_changes_or_removes_records(identity, client, tokens, tenant_id):
    _history(identity, tenant_id)
    headers = tokens.headers(tenant_id, roles=("administrator",))
    record_id = _records(identity, tenant_id)[0]["record_id"]
    for method in ("put", "patch", "delete", "post"):
        for path in ("/audit", f"/audit/{record_id}", "/audit.csv"):
            status = getattr(client, method)(path, headers=headers, json={}).status_code
            assert status in (404, 405), (method, path, status)
    rules = [rule for rule in client.application.url_map.iter_rules() if rule.rule.startswith("/audit")]
    assert {method for rule in rules for method in rule.methods} <= {"GET", "HEAD", "OPTIONS"}


def test_csv_export_is_streamed_as_an_attachment_with_the_filters(identity, client, tokens, tenant_id):
    _history(identity, tenant_id)
    feed_audit(identity, tenant_id, action="read", entity_id="=HYPERLINK(\"http://x\")", occurred_at=T0)
    response = client.get("/audit.csv?entity_type=case", headers=tokens.headers(tenant_id, roles=("archivist",)))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["sequence"], row["action"]) for row in rows] == [("1", "create"), ("5", "read"), ("2", "read"), ("3", "read")]
    assert rows[2]["actor"] == "user:u-2"
    assert json.loads(rows[2]["details"]) == {"page": 1, "screened": False}
    assert rows[1]["entity_id"].startswith("'="), "a formula is neutralised"
    assert {row["tenant_id"] for row in rows} == {tenant_id}
    [export] = [r for r in _outbox_audit(identity) if r["data"]["action"] == "export"]
    assert export["data"]["details"] == {"filter_entity_type": "case"}


def test_an_edited_row_is_named_by_verify_the_cli_and_the_api(identity, client, tokens, tenant_id, monkeypatch):
    _history(identity, tenant_id)
    feed_audit(identity, "other-tenant")
    edited = _records(identity, tenant_id)[2]
    _tamper(
        identity, "UPDATE audit_records SET actor = 'user:innocent' WHERE tenant_id = :t AND sequence = 3", t=tenant_id
    )

    reports = {r.tenant_id: r for r in views.verify_chains(identity.database)}
    broken = reports[tenant_id].broken
    assert (broken.sequence, broken.record_id) == (3, edited["record_id"])
    assert "changed" in broken.problem
    assert reports["other-tenant"].ok

    response = client.get("/audit/verify", headers=tokens.headers(tenant_id, roles=("administrator",)))
    assert response.status_code == 200
    assert response.json["ok"] is False
    assert response.json["broken"]["sequence"] == 3
    assert response.json["broken"]["record_id"] == edited["record_id"]

    monkeypatch.setenv("AKTA_DATA_DIR", str(identity.settings.data_dir))
    monkeypatch.setenv("AKTA_IDENTITY_TOKEN_PRIVATE_KEY_FILE", str(identity.settings.token_private_key_file))
    if identity.settings.database_url:
        monkeypatch.setenv("AKTA_IDENTITY_DATABASE_URL", identity.settings.database_url)
    result = CliRunner().invoke(identity_cli, ["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert f"BROKEN  skolen: sequence 3 (record {edited['record_id']})" in result.output
    assert "ok      other-tenant: 1 records" in result.output


def test_a_deleted_row_is_named_by_verify(identity, tenant_id):
    _history(identity, tenant_id)
    _tamper(identity, "DELETE FROM audit_records WHERE tenant_id = :t AND sequence = 2", t=tenant_id)
    [report] = views.verify_chains(identity.database, [tenant_id])
    assert (report.broken.sequence, report.broken.record_id) == (2, None)


def test_the_cli_verifies_one_organisation_by_its_slug(identity, monkeypatch):
    organisation = handlers.create_organisation("skole-a", "Skole A", identity.unit_of_work())
    feed_audit(identity, organisation.id)
    feed_audit(identity, "other-tenant")
    _tamper(identity, "DELETE FROM audit_records WHERE tenant_id = 'other-tenant'")
    monkeypatch.setenv("AKTA_DATA_DIR", str(identity.settings.data_dir))
    monkeypatch.setenv("AKTA_IDENTITY_TOKEN_PRIVATE_KEY_FILE", str(identity.settings.token_private_key_file))
    if identity.settings.database_url:
        monkeypatch.setenv("AKTA_IDENTITY_DATABASE_URL", identity.settings.database_url)

    result = CliRunner().invoke(identity_cli, ["audit", "verify", "--organisation", "skole-a"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ok      skole-a: 1 records"
    assert CliRunner().invoke(identity_cli, ["audit", "verify"]).exit_code == 1
    unknown = CliRunner().invoke(identity_cli, ["audit", "verify", "--organisation", "nope"])
    assert unknown.exit_code != 0 and "no organisation 'nope'" in unknown.output


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_records SET actor = 'user:innocent'",
        "DELETE FROM audit_records",
    ],
)
def test_the_database_refuses_to_change_or_remove_records(identity, tenant_id, statement):
    _history(identity, tenant_id)
    with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"):
        with identity.database.engine.begin() as connection:
            connection.execute(text(statement))
    assert len(_records(identity, tenant_id)) == 4
    assert views.verify_chains(identity.database, [tenant_id])[0].ok


def test_postgresql_also_refuses_truncate(tmp_path, postgres_url, bus_namespace, tokens):
    identity = build_identity(tmp_path, postgres_url, "memory://", bus_namespace, tokens)
    tenant_id = identity_handlers.create_organisation("skolen", "Skolen", identity.unit_of_work()).id
    _history(identity, tenant_id)
    with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"):
        with identity.database.engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_records"))
    identity.database.dispose()


def test_sign_in_success_and_failure_are_recorded_without_the_password(identity, client):
    organisation = handlers.create_organisation("skole-b", "Skole B", identity.unit_of_work())
    user = handlers.create_user("skole-b", "anna", "Anna", "correct-horse", ["caseworker"], identity.unit_of_work())
    sign_in = {"organisation": "skole-b", "username": "anna"}
    assert client.post("/token", json={**sign_in, "password": "wrong-password"}).status_code == 401
    assert client.post("/token", json={**sign_in, "password": "correct-horse"}).status_code == 200
    assert client.post("/token", json={"organisation": "nowhere", "username": "x", "password": "guess-1"}).status_code == 401

    recorded = _outbox_audit(identity)
    assert [(r["data"]["action"], r["data"]["entity_type"]) for r in recorded[:2]] == [
        ("create", "organisation"), ("create", "user"),
    ]
    failed, succeeded, unknown = recorded[2:]
    assert (failed["tenant"], failed["data"]["outcome"], failed["data"]["entity_id"]) == (organisation.id, "denied", user.id)
    assert failed["data"]["details"] == {"username": "anna", "organisation": "skole-b", "reason": "bad_credentials"}
    assert (succeeded["data"]["outcome"], succeeded["actor"]) == ("success", f"user:{user.id}")
    assert unknown["tenant"] == handlers.UNKNOWN_ORGANISATION_TENANT
    assert unknown["data"]["details"]["organisation"] == "nowhere"
    assert failed["data"]["client_ip"] == "127.0.0.1"
    for body in recorded:
        assert "wrong-password" not in json.dumps(body) and "correct-horse" not in json.dumps(body)


def test_identitys_own_records_reach_its_chain_through_its_relay_and_worker(identity, client):
    import threading

    from tests.support.waiting import eventually

    handlers.create_organisation("skole-c", "Skole C", identity.unit_of_work())
    stop = threading.Event()
    threads = identity.start_background(stop)
    try:
        organisation_id = eventually(lambda: _head_tenants(identity))[0]
        records = eventually(lambda: _records(identity, organisation_id))
    finally:
        stop.set()
        identity.relay.wakeup.set()
        for thread in threads:
            thread.join(timeout=10)
    assert [(r["service"], r["action"], r["entity_type"]) for r in records] == [("identity", "create", "organisation")]


def _head_tenants(service) -> list[str]:
    with service.database.session() as session:
        return list(session.scalars(select(audit_chain_heads.c.tenant_id)))


def test_concurrent_appenders_take_turns_and_never_fork_a_chain(identity, tenant_id):
    from concurrent.futures import ThreadPoolExecutor

    def append_many(worker: int) -> None:
        for n in range(15):
            feed_audit(identity, tenant_id, entity_id=f"case-{worker}-{n}")

    # One append first: mapping the ORM classes on first use is not itself thread-safe.
    feed_audit(identity, tenant_id, entity_id="case-first")
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(append_many, range(3)))

    records = _records(identity, tenant_id)
    assert [r["sequence"] for r in records] == list(range(1, 47))
    assert len({r["previous_hash"] for r in records}) == 46
    [report] = views.verify_chains(identity.database, [tenant_id])
    assert report.ok and report.checked == 46


def _append_all(service, records: list[dict]) -> list[dict]:
    with service.unit_of_work() as uow:
        appended = uow.audit_trail.append_all(records)
        uow.commit()
    return appended


def _new_record(tenant_id: str, **fields) -> dict:
    return record_from_event(*audit_envelope(tenant_id, **fields))


def _head(service, tenant_id) -> tuple[int, str] | None:
    with service.database.session() as session:
        head = session.execute(
            select(audit_chain_heads.c.last_sequence, audit_chain_heads.c.last_hash).where(
                audit_chain_heads.c.tenant_id == tenant_id
            )
        ).one_or_none()
    return tuple(head) if head is not None else None


def test_a_batch_of_two_tenants_continues_each_tenants_chain(identity, tenant_id):
    other_tenant = "other-tenant"
    feed_audit(identity, tenant_id, entity_id="case-before")
    batch = [
        _new_record(tenant_id, entity_id="case-1"),
        _new_record(other_tenant, entity_id="case-2"),
        _new_record(tenant_id, entity_id="case-3"),
        _new_record(other_tenant, entity_id="case-4"),
        _new_record(tenant_id, entity_id="case-5"),
    ]

    appended = _append_all(identity, batch)

    assert [(r["tenant_id"], r["sequence"]) for r in appended] == [
        (tenant_id, 2), (other_tenant, 1), (tenant_id, 3), (other_tenant, 2), (tenant_id, 4),
    ]
    records = _records(identity, tenant_id)
    assert [r["entity_id"] for r in records] == ["case-before", "case-1", "case-3", "case-5"]
    assert [r["previous_hash"] for r in records[1:]] == [r["hash"] for r in records[:-1]]
    assert [r["hash"] for r in records[1:]] == [r["hash"] for r in appended if r["tenant_id"] == tenant_id]
    others = _records(identity, other_tenant)
    assert [r["entity_id"] for r in others] == ["case-2", "case-4"]
    assert others[1]["previous_hash"] == others[0]["hash"]
    assert _head(identity, tenant_id) == (4, records[-1]["hash"])
    assert _head(identity, other_tenant) == (2, others[-1]["hash"])
    reports = views.verify_chains(identity.database, [tenant_id, other_tenant])
    assert [(r.ok, r.checked) for r in reports] == [(True, 4), (True, 2)]


def test_a_record_already_in_the_trail_or_repeated_in_the_batch_is_appended_once(identity, tenant_id):
    already_in = _new_record(tenant_id, entity_id="case-1")
    _append_all(identity, [already_in])
    repeated = _new_record(tenant_id, entity_id="case-2")
    batch = [dict(already_in), repeated, _new_record(tenant_id, entity_id="case-3"), dict(repeated)]

    appended = _append_all(identity, batch)

    assert [(r["entity_id"], r["sequence"]) for r in appended] == [("case-2", 2), ("case-3", 3)]
    assert [r["entity_id"] for r in _records(identity, tenant_id)] == ["case-1", "case-2", "case-3"]
    assert views.verify_chains(identity.database, [tenant_id])[0].ok


def test_a_batch_of_records_all_in_the_trail_leaves_the_chain_as_it_was(identity, tenant_id):
    records = [_new_record(tenant_id, entity_id=f"case-{n}") for n in range(3)]
    _append_all(identity, records)
    head = _head(identity, tenant_id)

    assert _append_all(identity, [dict(record) for record in records]) == []
    assert _append_all(identity, []) == []
    assert _head(identity, tenant_id) == head
    assert len(_records(identity, tenant_id)) == 3


def test_concurrent_batches_for_the_same_tenants_take_turns_and_never_fork_a_chain(identity, tenant_id):
    from concurrent.futures import ThreadPoolExecutor

    other_tenant = "other-tenant"

    def append_batches(worker: int) -> None:
        # Each worker names the two tenants in its own order: the heads must still be locked in one.
        tenants = (tenant_id, other_tenant) if worker % 2 else (other_tenant, tenant_id)
        for n in range(8):
            _append_all(
                identity, [_new_record(tenants[i % 2], entity_id=f"case-{worker}-{n}-{i}") for i in range(10)]
            )

    # One append first: mapping the ORM classes on first use is not itself thread-safe.
    _append_all(identity, [_new_record(tenant_id, entity_id="case-first")])
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(append_batches, range(4)))

    records = _records(identity, tenant_id)
    assert [r["sequence"] for r in records] == list(range(1, 162))
    assert len({r["previous_hash"] for r in records}) == 161
    assert [r["sequence"] for r in _records(identity, other_tenant)] == list(range(1, 161))
    reports = views.verify_chains(identity.database, [tenant_id, other_tenant])
    assert [(r.ok, r.checked) for r in reports] == [(True, 161), (True, 160)]


@contextmanager
def _received_audit_batch(service, envelopes: list[Envelope]) -> Iterator[list[Delivery]]:
    """Publish audit events to identity's queue and take them back unacknowledged, as one batch."""
    [subscription] = service.subscriptions
    with Connection(service.settings.bus_url) as connection:
        declare_topology(connection.default_channel, service.names)
        publisher = open_publisher(connection)
        publisher.publish(
            [
                OutboundMessage(
                    message_id=envelope.id,
                    exchange=service.names.events_exchange,
                    routing_key=envelope.type,
                    body=envelope.to_json().encode(),
                )
                for envelope in envelopes
            ]
        )
        queue = subscription_queue(service.names, subscription)(connection.channel())
        taken = []
        while (message := queue.get(no_ack=False)) is not None:
            taken.append(message)
        assert len(taken) == len(envelopes)
        yield [Delivery(subscription, message) for message in taken]


def test_the_worker_appends_a_batch_of_audit_events_with_one_insert(identity, tenant_id):
    feed_audit(identity, tenant_id, entity_id="case-0")
    [already_in] = _records(identity, tenant_id)
    # The same record under a new event id: the inbox lets it through, the trail must not.
    _, again = audit_envelope(tenant_id, record_id=uuid.UUID(already_in["record_id"]), entity_id="case-0")
    envelopes = [
        again,
        *(audit_envelope(tenant_id, entity_id=f"case-{n}")[1] for n in range(1, 4)),
        *(audit_envelope("other-tenant", entity_id=f"case-{n}")[1] for n in range(4, 6)),
    ]
    audit_inserts = []

    def count_audit_inserts(_connection, _cursor, statement, *_args):
        if statement.startswith("INSERT INTO audit_records"):
            audit_inserts.append(statement)

    sqlalchemy.event.listen(identity.database.engine, "before_cursor_execute", count_audit_inserts)
    try:
        with _received_audit_batch(identity, envelopes) as batch:
            identity.worker().handle_batch(batch)
    finally:
        sqlalchemy.event.remove(identity.database.engine, "before_cursor_execute", count_audit_inserts)

    assert len(audit_inserts) == 1
    assert [r["entity_id"] for r in _records(identity, tenant_id)] == ["case-0", "case-1", "case-2", "case-3"]
    assert [r["entity_id"] for r in _records(identity, "other-tenant")] == ["case-4", "case-5"]
    assert all(report.ok for report in views.verify_chains(identity.database))
