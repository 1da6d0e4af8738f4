"""Audit records published by cases reach identity's chain: memory bus with SQLite, RabbitMQ with
PostgreSQL."""

import threading
import uuid

import pytest
from sqlalchemy import select

from akta import audit, context
from akta.bus.tables import outbox_table
from akta.contracts import SUBSCRIPTIONS
from akta_cases.bootstrap import bootstrap as bootstrap_cases
from akta_cases.settings import CasesSettings
from akta_identity.audit import views
from akta_identity.audit.tables import audit_records
from tests.support.environment import delete_bus_namespace
from tests.support.identity import build_identity
from tests.support.system import service_settings
from tests.support.waiting import eventually


@pytest.fixture(params=["memory", "rabbitmq"])
def services(request, tmp_path, bus_namespace, tokens):
    if request.param == "memory":
        database_url, bus_url = None, "memory://"
    else:
        database_url = request.getfixturevalue("postgres_url")
        bus_url = request.getfixturevalue("rabbitmq_url")
    cases = bootstrap_cases(
        service_settings(CasesSettings, tmp_path, database_url, bus_url, bus_namespace, tokens.public_key_file)
    )
    cases.migrate()
    identity = build_identity(tmp_path, database_url, bus_url, bus_namespace, tokens)
    stop = threading.Event()
    threads = [*identity.start_background(stop), *cases.start_background(stop)]
    yield cases, identity
    stop.set()
    for service in (cases, identity):
        service.relay.wakeup.set()
    for thread in threads:
        thread.join(timeout=15)
    for service in (cases, identity):
        service.database.dispose()
    if not bus_url.startswith("memory"):
        names = identity.names
        queues = [q for s in SUBSCRIPTIONS for q in (names.queue(s), names.dead_letter_queue(s))]
        delete_bus_namespace(bus_url, bus_namespace, queues)


def _chain(identity, tenant_id) -> list[dict]:
    with identity.database.session() as session:
        rows = session.execute(
            select(audit_records).where(audit_records.c.tenant_id == tenant_id).order_by(audit_records.c.sequence)
        ).mappings()
        return [dict(row) for row in rows]


def test_a_cases_audit_record_reaches_identitys_chain(services):
    cases, identity = services
    tenant_id = str(uuid.uuid4())
    request = context.MessageContext(
        correlation_id="corr-audit-1", actor="user:u-9", client_ip="198.51.100.4", user_agent="Edge/130"
    )
    with context.bound(request):
        with cases.unit_of_work() as uow:
            audit.record(uow, tenant_id, "delete", "case", "never-happened")
            # no commit: the change and its audit record roll back together
        with cases.unit_of_work() as uow:
            changed = audit.record(uow, tenant_id, "change", "case", "c-1", fields="title")
            uow.commit()
        read = audit.record_read(cases, tenant_id, "case", "c-1", number="2026/000001")

    records = eventually(lambda: (found := _chain(identity, tenant_id)) and len(found) == 2 and found)
    assert [r["record_id"] for r in records] == [str(changed.record_id), str(read.record_id)]
    first = records[0]
    assert (first["service"], first["action"], first["entity_type"], first["entity_id"]) == ("cases", "change", "case", "c-1")
    assert (first["actor"], first["correlation_id"]) == ("user:u-9", "corr-audit-1")
    assert (first["client_ip"], first["user_agent"]) == ("198.51.100.4", "Edge/130")
    assert records[1]["details"] == {"number": "2026/000001"}
    with cases.database.session() as session:
        event_ids = set(session.scalars(select(outbox_table.c.event_id)))
    assert {r["event_id"] for r in records} <= event_ids

    [report] = views.verify_chains(identity.database, [tenant_id])
    assert report.ok and report.checked == 2
