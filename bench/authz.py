"""Access control and audit: the cost of the access check on a list of 10,000 cases with 50 grants
per user (ms per request, p50/p95/p99), and audit records written per second.

Builds a throwaway PostgreSQL database (and a SQLite directory for the embedded column), loads
the cases and the access replica in bulk, measures GET /cases through the real Flask app (and
under gunicorn), then the parts of that request, then audit records into the outbox, into
identity's hash chain, and end to end over the bus. Prints a table and writes it to
docs/benchmarks.md under "Access control and audit (issue 3)". Run with `make bench-authz` or
`python bench/authz.py`; `--no-docs` prints only; `--audit-only` measures and prints only the audit
records written per second.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select, text, update
from support import (
    BENCHMARKS_FILE,
    LoadSampler,
    Timing,
    akta_environment,
    cleanup_bus,
    cpu_model,
    create_database,
    database_work,
    drop_database,
    gunicorn_server,
    library_versions,
    server_versions,
    timed,
    timed_concurrently,
    wait_for,
    write_section,
)

from akta import audit, context
from akta.access.scope import AccessScope
from akta.access.screening import SCREENING_CODES
from akta.access.tables import access_grants, access_group_members, access_tenants
from akta.auth.principal import Principal
from akta.auth.tokens import TokenSigner, write_new_keypair
from akta.bus.tables import outbox_table
from akta.bus.worker import Delivery
from akta.contracts import SUBSCRIPTIONS, Envelope, parse_envelope
from akta.contracts.audit import CasesAuditRecorded
from akta.logs import configure_logging
from akta.service import Service
from akta_cases import views
from akta_cases.adapters.orm import cases as cases_table
from akta_cases.bootstrap import bootstrap as bootstrap_cases
from akta_cases.settings import CasesSettings
from akta_identity.audit import views as audit_views
from akta_identity.audit.tables import audit_records
from akta_identity.bootstrap import bootstrap as bootstrap_identity
from akta_identity.service_layer.handlers import EVENT_HANDLERS as IDENTITY_HANDLERS
from akta_identity.settings import IdentitySettings

SECTION_TITLE = "## Access control and audit (issue 3)"

CASES = 10_000
ACCESS_GROUPS = 200
OTHER_GRANT_ROWS = 2_000
PAGE_SIZE = 50
LIST_PATH = f"/cases?page_size={PAGE_SIZE}"
RECORD_AUDIT = next(s for s in SUBSCRIPTIONS if (s.service, s.handler) == ("identity", "record_audit"))
WORDS = (
    "elevsag byggesag klage aktindsigt personalesag skolebestyrelse indskrivning fravær "
    "specialundervisning befordring tilsyn budget høring forældremøde vikar lærerstilling "
    "underretning PPR-udredning skolehjem tilbygning legeplads"
).split()


# --------------------------------------------------------------------------- the data set


@dataclass
class Dataset:
    """The same rows for both engines, from one seed."""

    tenant_id: str
    other_tenant_id: str
    user_id: str
    cases: list[dict]
    grants: list[dict]
    members: list[dict]
    visible: int  # cases the benchmark user may read, computed here independently
    user_grants_in_force: int
    user_grants_not_in_force: int
    screened_cases: int


def make_dataset(seed: int = 3) -> Dataset:
    rng = random.Random(seed)

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    now = datetime.now(UTC)
    tenant_id, other_tenant_id, user_id = new_id(), new_id(), new_id()
    groups = [new_id() for _ in range(ACCESS_GROUPS)]
    screened_groups = set(groups[:20])  # e.g. pupil and personnel matters: mostly screened
    codes = list(SCREENING_CODES)
    common_codes = ["pupil", "personnel", "child", "health", "gradering-B", "gradering-F"]
    creators = [f"user:{new_id()}" for _ in range(40)]

    cases, sequences = [], {}
    for _ in range(CASES):
        group = rng.choice(groups)
        screened = rng.random() < (0.6 if group in screened_groups else 0.05)
        updated_at = now - timedelta(seconds=rng.randrange(3 * 365 * 86400))
        created_at = updated_at - timedelta(seconds=rng.randrange(365 * 86400))
        sequences[created_at.year] = sequences.get(created_at.year, 0) + 1
        status = rng.choice(("open", "closed", "closed"))
        creator = rng.choice(creators)
        cases.append({
            "id": new_id(),
            "tenant_id": tenant_id,
            "number": f"{created_at.year}/{sequences[created_at.year]:06d}",
            "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))).capitalize(),
            "status": status,
            "created_at": created_at,
            "updated_at": updated_at,
            "created_by": creator,
            "version": rng.randint(1, 6),
            "access_group_id": group,
            "screening_code": rng.choice(common_codes if rng.random() < 0.9 else codes) if screened else None,
            "template_id": None,
            "class_id": None,
            "retention_rule": None,
            "owner_id": creator.removeprefix("user:"),
            "unit_id": None,
            "metadata": {},
            "closed_at": updated_at if status == "closed" else None,
        })

    grants: list[dict] = []
    members: list[dict] = []
    year_ago, in_a_year = now - timedelta(days=365), now + timedelta(days=365)

    def grant(tenant, grantee_kind, grantee_id, scope_kind, scope_id, permission, *,
              valid_from=year_ago, valid_until=None, revoked=False) -> None:
        grants.append({
            "grant_id": new_id(), "tenant_id": tenant, "grantee_kind": grantee_kind, "grantee_id": grantee_id,
            "scope_kind": scope_kind, "scope_id": scope_id, "permission": permission,
            "valid_from": valid_from, "valid_until": valid_until, "revoked": revoked,
        })

    def member(tenant, group_id, member_id, is_member=True) -> None:
        members.append({"group_id": group_id, "user_id": member_id, "tenant_id": tenant,
                        "is_member": is_member, "changed_at": year_ago})

    # The benchmark user: 50 grants in force. 44 to the user (30 access groups, 4 screening codes,
    # 10 single cases), 6 through two groups the user belongs to; and 5 rows not in force.
    shuffled = rng.sample(groups, len(groups))
    user_groups, group_grant_groups = shuffled[:30], shuffled[30:34]
    unreached = [c for c in cases if c["access_group_id"] not in set(shuffled[:34])]
    single_cases = rng.sample(unreached, 11)
    for index, group in enumerate(user_groups):
        grant(tenant_id, "user", user_id, "access_group", group, "write" if index < 10 else "read",
              valid_until=in_a_year if index % 7 == 0 else None)
    for code, permission in (("pupil", "write"), ("personnel", "read"), ("child", "read"), ("gradering-B", "read")):
        grant(tenant_id, "user", user_id, "screening_code", code, permission)
    for index, case in enumerate(single_cases[:10]):
        grant(tenant_id, "user", user_id, "case", case["id"], "write" if index < 3 else "read")
    team, class_group, former_group = new_id(), new_id(), new_id()
    member(tenant_id, team, user_id)
    member(tenant_id, class_group, user_id)
    member(tenant_id, former_group, user_id, is_member=False)
    for group in group_grant_groups:
        grant(tenant_id, "group", team, "access_group", group, "read")
    grant(tenant_id, "group", team, "screening_code", "health", "read")
    grant(tenant_id, "group", class_group, "case", single_cases[10]["id"], "read")
    in_force = len(grants)
    grant(tenant_id, "user", user_id, "access_group", shuffled[40], "read", revoked=True)
    grant(tenant_id, "user", user_id, "access_group", shuffled[41], "read", valid_until=now - timedelta(days=3))
    grant(tenant_id, "user", user_id, "access_group", shuffled[42], "read", valid_from=now + timedelta(days=3))
    grant(tenant_id, "group", former_group, "access_group", shuffled[43], "read")
    grant(tenant_id, "group", former_group, "screening_code", "gradering-F", "read")
    not_in_force = len(grants) - in_force

    # Everyone else: 100 users and 20 groups of this tenant, and a second tenant.
    others_start = len(grants)
    other_users = [new_id() for _ in range(100)]
    other_groups = [new_id() for _ in range(20)]
    for other in other_users:
        for group in rng.sample(other_groups, rng.randint(1, 3)):
            member(tenant_id, group, other, is_member=rng.random() < 0.9)
    other_tenant_users = [new_id() for _ in range(30)]
    while len(grants) - others_start < OTHER_GRANT_ROWS:
        roll = rng.random()
        if roll < 0.75:
            tenant, kind, grantee = tenant_id, "user", rng.choice(other_users)
        elif roll < 0.85:
            tenant, kind, grantee = tenant_id, "group", rng.choice(other_groups)
        else:
            # The other tenant's grants even name this tenant's groups: the tenant still separates them.
            tenant, kind, grantee = other_tenant_id, "user", rng.choice(other_tenant_users)
        scope_roll = rng.random()
        if scope_roll < 0.6:
            scope_kind, scope_id = "access_group", rng.choice(groups)
        elif scope_roll < 0.75:
            scope_kind, scope_id = "screening_code", rng.choice(codes)
        else:
            scope_kind, scope_id = "case", rng.choice(cases)["id"]
        grant(tenant, kind, grantee, scope_kind, scope_id, rng.choice(("read", "read", "write")),
              revoked=rng.random() < 0.05,
              valid_until=(now - timedelta(days=rng.randint(1, 300))) if rng.random() < 0.05 else None)

    read_groups = set(user_groups) | set(group_grant_groups)
    read_codes = {"pupil", "personnel", "child", "gradering-B", "health"}
    read_cases = {case["id"] for case in single_cases}
    visible = sum(
        1 for case in cases
        if (case["access_group_id"] in read_groups or case["id"] in read_cases)
        and (case["screening_code"] is None or case["screening_code"] in read_codes)
    )
    return Dataset(
        tenant_id=tenant_id, other_tenant_id=other_tenant_id, user_id=user_id, cases=cases, grants=grants,
        members=members, visible=visible, user_grants_in_force=in_force, user_grants_not_in_force=not_in_force,
        screened_cases=sum(1 for case in cases if case["screening_code"]),
    )


def load(service: Service, data: Dataset) -> None:
    """Bulk inserts straight into the tables (fine for a bench), then fresh planner statistics."""
    missing = set(cases_table.c.keys()) - set(data.cases[0])
    if missing:
        raise RuntimeError(f"the cases table has columns this benchmark does not fill: {sorted(missing)}")
    with service.database.engine.begin() as connection:
        connection.execute(insert(cases_table), data.cases)
        connection.execute(insert(access_grants), data.grants)
        connection.execute(insert(access_group_members), data.members)
        connection.execute(insert(access_tenants), [
            {"tenant_id": data.tenant_id, "slug": "bench-skole"},
            {"tenant_id": data.other_tenant_id, "slug": "anden-skole"},
        ])
    analyze(service)


def analyze(service: Service) -> None:
    if service.database.is_postgresql:
        with service.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("cases", "access_grants", "access_group_members", "access_tenants", "outbox"):
                connection.execute(text(f"VACUUM ANALYZE {table}"))
    else:
        with service.database.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


# --------------------------------------------------------------------------- measuring


class TenantOnlyScope(AccessScope):
    """The baseline: the same list with the tenant as its only condition."""

    def condition(self, permission, tenant_column, *_columns):
        return tenant_column == self.tenant_id


@dataclass
class Backend:
    name: str  # column title
    bus_label: str
    cases: Service
    identity: Service
    gunicorn_env: dict[str, str]
    figures: dict = field(default_factory=dict)


def request_context(data: Dataset) -> context.MessageContext:
    return context.MessageContext(
        correlation_id=str(uuid.uuid4()), actor=f"user:{data.user_id}", client_ip="192.0.2.10", user_agent="bench/authz"
    )


def measure_list(backend: Backend, data: Dataset, token: str, count: int, warmup: int) -> None:
    """The whole request and its parts, interleaved call by call (in rotating order) so that all of
    them meet the same load on the machine."""
    service, figures = backend.cases, backend.figures
    client = service.app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    first = client.get(LIST_PATH, headers=headers)
    if first.status_code != 200 or first.json["total"] != data.visible or len(first.json["items"]) != PAGE_SIZE:
        raise RuntimeError(f"{backend.name}: GET {LIST_PATH} answered {first.status_code} {first.get_data(as_text=True)[:300]}"
                           f" (expected total {data.visible})")

    def get() -> None:
        response = client.get(LIST_PATH, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{backend.name}: {response.status_code}")

    principal = service.authenticator.authenticate(f"Bearer {token}")
    scope = service.access_store.scope(principal, datetime.now(UTC))
    baseline = TenantOnlyScope(tenant_id=data.tenant_id)
    _, total = views.list_cases(service.database, scope, 0, PAGE_SIZE)
    _, base_total = views.list_cases(service.database, baseline, 0, PAGE_SIZE)
    if total != data.visible or base_total != CASES:
        raise RuntimeError(f"{backend.name}: totals {total}/{base_total}, expected {data.visible}/{CASES}")
    figures["scope_sizes"] = (len(scope.read_groups), len(scope.read_codes), len(scope.read_cases))

    def audit_read() -> None:
        with context.bound(request_context(data)):
            audit.record_read(service, data.tenant_id, "case", "*", action="list", page=1, status="", shown=PAGE_SIZE)

    figures.update(timed_together({
        "http": get,
        "authenticate": lambda: service.authenticator.authenticate(f"Bearer {token}"),
        "load_scope": lambda: service.access_store.scope(principal, datetime.now(UTC)),
        "list_access": lambda: views.list_cases(service.database, scope, 0, PAGE_SIZE),
        "list_baseline": lambda: views.list_cases(service.database, baseline, 0, PAGE_SIZE),
        "audit_read": audit_read,
    }, count, warmup))
    figures["round_trips"] = database_work(service.database, get, 20)


def timed_together(parts: dict[str, Callable[[], object]], count: int, warmup: int) -> dict[str, Timing]:
    names = list(parts)
    for _ in range(warmup):
        for name in names:
            parts[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(count):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            parts[name]()
            samples[name].append((time.perf_counter() - started) * 1000)
    return {name: Timing(values) for name, values in samples.items()}


def measure_gunicorn(backend: Backend, data: Dataset, token: str, count: int, warmup: int, log_dir: Path) -> None:
    """`akta-cases serve` (2 workers × 4 threads, as documented) in its own process, over HTTP."""
    server, base_url = gunicorn_server(str(Path(sys.executable).with_name("akta-cases")),
                                       akta_environment(backend.gunicorn_env),
                                       log_dir / f"gunicorn-{backend.name.lower()}.log")
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
            checked = client.get(LIST_PATH)
            if checked.status_code != 200 or checked.json()["total"] != data.visible:
                raise RuntimeError(f"gunicorn: {checked.status_code} {checked.text[:300]}")

            def get() -> None:
                client.get(LIST_PATH).raise_for_status()

            # Both workers warm (each builds its app and pool on first use), then one caller at a time.
            backend.figures["gunicorn_sequential"] = timed(get, count, max(warmup, 40))

        def caller(_index: int) -> Callable[[], None]:
            client = httpx.Client(base_url=base_url, headers=headers, timeout=30)
            return lambda: client.get(LIST_PATH).raise_for_status()

        backend.figures["gunicorn_concurrent"], backend.figures["gunicorn_rps"] = timed_concurrently(
            caller, 4, max(count // 4, 25))
    finally:
        server.stop()


def measure_audit_outbox(backend: Backend, data: Dataset, singles: int, batched: int, per_transaction: int) -> None:
    """`akta.audit.record` into the cases outbox: one per transaction (as reads are recorded) and
    `per_transaction` at a time."""
    service = backend.cases
    case_ids = [case["id"] for case in data.cases[:1000]]
    with context.bound(request_context(data)):
        started = time.perf_counter()
        for index in range(singles):
            with service.unit_of_work() as uow:
                audit.record(uow, data.tenant_id, "read", "case", case_ids[index % 1000], number="2026/000001")
                uow.commit()
        backend.figures["outbox_1"] = singles / (time.perf_counter() - started)
        started = time.perf_counter()
        for start in range(0, batched, per_transaction):
            with service.unit_of_work() as uow:
                for index in range(start, start + per_transaction):
                    audit.record(uow, data.tenant_id, "read", "case", case_ids[index % 1000], number="2026/000001")
                uow.commit()
        backend.figures["outbox_batch"] = batched / (time.perf_counter() - started)


class BenchAcks:
    """The acknowledgements of the benchmark's messages. One with `multiple` settles every message
    up to its delivery tag, as on RabbitMQ."""

    def __init__(self) -> None:
        self.tags: set[int] = set()
        self.up_to = 0

    def settled(self, delivery_tag: int) -> bool:
        return delivery_tag in self.tags or delivery_tag <= self.up_to


class BenchMessage:
    """What the worker needs of a kombu message: its body, its delivery tag and an ack."""

    def __init__(self, body: str, delivery_tag: int, acks: BenchAcks) -> None:
        self.body = body
        self.delivery_tag = delivery_tag
        self.acks = acks

    def ack(self, multiple: bool = False) -> None:
        if multiple:
            self.acks.up_to = max(self.acks.up_to, self.delivery_tag)
        else:
            self.acks.tags.add(self.delivery_tag)


def audit_bodies(tenant_id: str, count: int, actor: str) -> list[str]:
    bodies = []
    for index in range(count):
        event = CasesAuditRecorded(
            record_id=uuid.uuid4(), action="read", entity_type="case", entity_id=str(uuid.uuid4()),
            outcome="success", occurred_at=datetime.now(UTC), client_ip="192.0.2.10", user_agent="bench/authz",
            details={"number": f"2026/{index:06d}"},
        )
        envelope = Envelope.wrap(event, tenant=tenant_id, actor=actor, correlation_id=str(uuid.uuid4()))
        bodies.append(envelope.to_json())
    return bodies


def chain_length(identity: Service, tenant_id: str) -> int:
    with identity.database.session() as session:
        return session.scalar(select(func.count()).select_from(audit_records).where(audit_records.c.tenant_id == tenant_id))


def measure_chain(backend: Backend, data: Dataset, count: int, batch: int) -> None:
    """Identity's hash chain. (1) Worker.handle_batch, exactly what the worker runs per batch:
    parse each envelope, inbox rows, `record_audit`, one transaction per `batch`. (2) `record_audit`
    alone, a batch of `batch` records per transaction."""
    identity = backend.identity
    worker = identity.worker()
    actor = f"user:{data.user_id}"

    tenant = str(uuid.uuid4())
    bodies = audit_bodies(tenant, count, actor)
    acks = BenchAcks()
    started = time.perf_counter()
    for start in range(0, count, batch):
        deliveries = [
            Delivery(RECORD_AUDIT, BenchMessage(body, start + index + 1, acks))
            for index, body in enumerate(bodies[start:start + batch])
        ]
        worker.handle_batch(deliveries)
        if not all(acks.settled(delivery.message.delivery_tag) for delivery in deliveries):
            raise RuntimeError("the worker did not acknowledge a batch")
    backend.figures["chain_worker"] = count / (time.perf_counter() - started)
    if chain_length(identity, tenant) != count:
        raise RuntimeError(f"chain has {chain_length(identity, tenant)} records, expected {count}")

    started = time.perf_counter()
    [report] = audit_views.verify_chains(identity.database, [tenant])
    backend.figures["chain_verify"] = count / (time.perf_counter() - started)
    if not report.ok or report.checked != count:
        raise RuntimeError(f"chain verification: {report}")

    tenant = str(uuid.uuid4())
    parsed = [parse_envelope(body) for body in audit_bodies(tenant, count, actor)]
    record_audit = IDENTITY_HANDLERS["record_audit"]
    started = time.perf_counter()
    for start in range(0, count, batch):
        with identity.unit_of_work() as uow:
            record_audit.handle_all([(event, envelope) for envelope, event in parsed[start:start + batch]], uow)
            uow.commit()
    backend.figures["chain_append"] = count / (time.perf_counter() - started)
    if chain_length(identity, tenant) != count:
        raise RuntimeError(f"chain has {chain_length(identity, tenant)} records, expected {count}")


def measure_end_to_end(backend: Backend, data: Dataset, count: int, per_transaction: int, timeout: float) -> None:
    """cases outbox → relay → bus → identity worker → chain, relay and worker in threads of this
    process; records written `per_transaction` per commit while they run."""
    cases, identity = backend.cases, backend.identity
    for service in (cases, identity):  # what earlier figures left in the outboxes is not part of this one
        with service.database.engine.begin() as connection:
            connection.execute(update(outbox_table).where(outbox_table.c.sent_at.is_(None)).values(sent_at=func.now()))
    tenant = str(uuid.uuid4())
    stop = threading.Event()
    worker = identity.worker()
    threads = [
        threading.Thread(target=cases.relay.run, args=(stop,), name="cases-relay", daemon=True),
        threading.Thread(target=worker.run, args=(stop,), name="identity-worker", daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        with context.bound(request_context(data)):
            # One record through first: the queue is declared and consumed, the connections are up.
            with cases.unit_of_work() as uow:
                audit.record(uow, tenant, "read", "case", "probe")
                uow.commit()
            wait_for(lambda: chain_length(identity, tenant) >= 1, timeout, "the probe record did not reach the chain")
            started = time.perf_counter()
            for start in range(0, count, per_transaction):
                with cases.unit_of_work() as uow:
                    for index in range(start, min(start + per_transaction, count)):
                        audit.record(uow, tenant, "read", "case", data.cases[index % CASES]["id"])
                    uow.commit()
            written = time.perf_counter() - started
            wait_for(lambda: chain_length(identity, tenant) >= count + 1, timeout,
                     f"not all {count} records reached the chain within {timeout:.0f}s", interval=0.02)
            elapsed = time.perf_counter() - started
    finally:
        stop.set()
        cases.relay.wakeup.set()
        for thread in threads:
            thread.join(timeout=15)
    [report] = audit_views.verify_chains(identity.database, [tenant])
    if not report.ok or report.checked != count + 1:
        raise RuntimeError(f"end to end: chain {report}")
    backend.figures["end_to_end"] = count / elapsed
    backend.figures["end_to_end_producer"] = count / written


# --------------------------------------------------------------------------- the report


def versions(postgres: Backend | None, bus_url: str) -> dict[str, str]:
    found = {"sqlite": sqlite3.sqlite_version, **library_versions("sqlalchemy", "flask", "psycopg", "kombu", "gunicorn")}
    if postgres is not None:
        found |= server_versions(postgres.cases.database.engine, bus_url)
    return found


def report(backends: list[Backend], data: Dataset, found_versions: dict, load: LoadSampler, args) -> list[str]:
    columns = " | ".join(f"{b.name} ({b.bus_label})" for b in backends)

    def row(label: str, render: Callable[[Backend], str]) -> str:
        return f"| {label} | " + " | ".join(render(b) for b in backends) + " |"

    def timing(key: str) -> Callable[[Backend], str]:
        return lambda b: b.figures[key].cell() if key in b.figures else "—"

    def rate(key: str) -> Callable[[Backend], str]:
        return lambda b: f"{b.figures[key]:,.0f}/s" if key in b.figures else "—"

    def access_cost(b: Backend) -> str:
        return " / ".join(f"{access_check(b, p):+.2f}" for p in (50, 95))

    def rest(b: Backend) -> str:
        f = b.figures
        parts = sum(f[k].p50 for k in ("authenticate", "load_scope", "list_access", "audit_read"))
        return f"{f['http'].p50 - parts:.2f}"

    def work(b: Backend) -> str:
        w = b.figures["round_trips"]
        trips = f"{w['round_trips']:.0f}" if b.cases.database.is_postgresql else "— (in process)"
        return f"{w['statements']:.0f} / {w['begins']:.0f} / {trips}"

    def throughput(b: Backend) -> str:
        return f"{b.figures['gunicorn_rps']:,.0f} req/s" if "gunicorn_rps" in b.figures else "—"

    v = found_versions
    machine = [
        f"`bench/authz.py`, {date.today().isoformat()}: {os.cpu_count()} cores ({cpu_model()}), "
        f"Python {v['python']}, PostgreSQL {v.get('postgresql', '—')}, SQLite {v['sqlite']}, "
        f"RabbitMQ {v.get('rabbitmq', '—')}, SQLAlchemy {v['sqlalchemy']}, Flask {v['flask']}, "
        f"psycopg {v['psycopg']}, kombu {v['kombu']}, gunicorn {v['gunicorn']}. The benchmark, the servers "
        f"and the clients share the machine; its 1-minute load average during the run was {load.describe()}"
        + (" — more than the cores on average, so read the latencies as upper bounds." if load.busy else "."),
        "",
    ]
    audit_table = [
        f"| audit records written per second | {columns} |",
        "|---|" + "---|" * len(backends),
        row(f"`akta.audit.record` → cases outbox, 1 per transaction (as reads are), {args.audit_singles:,} records",
            rate("outbox_1")),
        row(f"`akta.audit.record` → cases outbox, {args.audit_per_transaction} per transaction, "
            f"{args.audit_batched:,} records", rate("outbox_batch")),
        row(f"identity's chain: `Worker.handle_batch` (parse, inbox, `record_audit`), {args.chain_batch} per "
            f"transaction, {args.chain_records:,} records of one tenant", rate("chain_worker")),
        row(f"identity's chain: `record_audit` alone, {args.chain_batch} per transaction", rate("chain_append")),
        row("identity's chain: `verify` (recompute every link)", rate("chain_verify")),
        row(f"end to end: cases outbox → relay → bus → identity worker → chain, {args.e2e_records:,} records "
            f"written {args.e2e_per_transaction} per transaction", rate("end_to_end")),
        row("… of which writing them into the cases outbox while relay and worker run", rate("end_to_end_producer")),
        "",
    ]
    if args.audit_only:
        return machine + audit_table
    groups, codes, single = backends[0].figures["scope_sizes"]
    return [
        *machine,
        f"Data: one tenant with {CASES:,} cases in {ACCESS_GROUPS} access groups, {data.screened_cases:,} of them "
        f"screened. The benchmark user has {data.user_grants_in_force} grants in force ({groups} access groups, "
        f"{codes} screening codes, {single} single cases; read and write; 44 direct, 6 through 2 groups the user "
        f"belongs to) and {data.user_grants_not_in_force} not in force (revoked, expired, not yet valid, a former "
        f"group), and may read {data.visible:,} of the cases. "
        f"{len(data.grants) - data.user_grants_in_force - data.user_grants_not_in_force:,} more grant rows belong "
        f"to 100 other users, 20 groups and a second tenant; {len(data.members)} group memberships. Rows inserted "
        "in bulk, then `VACUUM ANALYZE` (PostgreSQL) / `ANALYZE` (SQLite).",
        "",
        f"Latencies in ms, p50 / p95 / p99 over N = {args.requests} calls after {args.warmup} warm-up calls, one "
        "caller at a time unless noted. `GET /cases` goes through the real Flask app of the cases service "
        f"(`page_size={PAGE_SIZE}`, a signed bearer token); its parts are the functions the request calls, "
        "timed alone but interleaved call by call with the whole request, so all meet the same load.",
        "",
        f"| figure | {columns} |",
        "|---|" + "---|" * len(backends),
        row(f"`GET {LIST_PATH}`, Flask test client: whole request", timing("http")),
        row("… authenticate: verify the JWT; tenant known, subject not deactivated (2 queries)", timing("authenticate")),
        row("… (a) `load_scope`: the caller's grants in force (1 query)", timing("load_scope")),
        row("… (b) list query with the access condition (count + page)", timing("list_access")),
        row(f"… (c) the same list query, tenant only (baseline; it counts all {CASES:,})", timing("list_baseline")),
        row("… audit read record: 1 outbox row in a transaction of its own", timing("audit_read")),
        row("… the rest, p50: routing, validation, JSON, test client", rest),
        row("**cost of the access check** = (a) + (b) − (c), p50 / p95", access_cost),
        row("database work per request: statements / transactions / round trips", work),
        row(f"`GET {LIST_PATH}` under gunicorn (2 workers × 4 threads), httpx, one caller", timing("gunicorn_sequential")),
        row("… 4 concurrent httpx callers: latency", timing("gunicorn_concurrent")),
        row("… 4 concurrent httpx callers: throughput", throughput),
        "",
        *audit_table,
        *notes(backends),
    ]


def access_check(backend: Backend, percentile: int) -> float:
    f = backend.figures
    return (f["load_scope"].percentile(percentile) + f["list_access"].percentile(percentile)
            - f["list_baseline"].percentile(percentile))


def notes(backends: list[Backend]) -> list[str]:
    """What the figures mean, and what the investigation of the slow ones found (see FINDINGS)."""
    found = []
    for b in backends:
        f = b.figures
        cost = access_check(b, 50)
        work = f["round_trips"]
        found.append(
            f"{b.name}: the access check costs {cost:+.2f} ms at p50, {cost / f['http'].p50:.0%} of the "
            f"request; the audit read record {f['audit_read'].p50:.2f} ms ({f['audit_read'].p50 / f['http'].p50:.0%})"
            + (f"; the request makes {work['round_trips']:.0f} round trips to PostgreSQL for "
               f"{work['statements']:.0f} statements." if b.cases.database.is_postgresql else ".")
        )
    return ["Notes:", "", *(f"- {line}" for line in found), *(f"- {line}" for line in FINDINGS)]


# What profiling and EXPLAIN ANALYZE showed when this benchmark was written (2026-11-21); the
# scratch prototypes mentioned are not part of the repository.
FINDINGS = [
    "The SQL of the access check is cheap and indexed. EXPLAIN ANALYZE on PostgreSQL: the grants query "
    "0.2 ms (`ix_access_grants_grantee`); the filtered count 1.9 ms + 0.6 ms planning (BitmapOr of "
    "`ix_cases_tenant_access_group` and the primary key for the single-case grants, then the screening "
    "filter on 426 heap blocks) against 1.0 ms for the baseline's count of all 10,000 rows (index-only "
    "scan of `ix_cases_tenant_owner`); the page 0.2–0.4 ms (walks `ix_cases_tenant_updated` and skips the "
    "231 unreadable rows before the 50th readable one) against 0.05 ms. Covering indexes (tenant_id, "
    "access_group_id, screening_code[, id]) were tried: the planner keeps the bitmap plan, which needs the "
    "heap for the OR with the case ids. So no index migration: most of the access check's cost is its "
    "session's round trips and Python, not the database.",
    "Round trips: authentication (2 lookups), `load_scope`, the list and the audit record each opened their "
    "own session, and on PostgreSQL each session cost a pool pre-ping, a BEGIN and a ROLLBACK or COMMIT "
    "beside its statements (about 0.4 ms per session here on localhost, more across a network): 21 round "
    "trips for 6 statements. Done since: pooled connections are pinged only after idling 5 s "
    "(`akta.db.database`), and the tenant and deactivation checks are one statement read with the grants "
    "in one session (`AccessStore.refusal_or_scope`). Left: the list and the audit record in sessions "
    "of their own.",
    "SQLite under concurrent callers had a long tail, found with this benchmark: every transaction, "
    "read-only ones included, began with `BEGIN IMMEDIATE`, so the four read sessions of each request "
    "queued for the one write lock and SQLite's busy handler waited in growing sleeps (1, 2, 5, 10 … "
    "100 ms): with 4 callers under gunicorn p95 was 147 to 269 ms and p99 252 to 621 ms over four runs. Fixed since in "
    "14128e5: read-only sessions (`Database.read_session`, used by the views and the access store) begin "
    "deferred, units of work keep IMMEDIATE; the figures above are with the fix. In a scratch script "
    "before the fix, 4 threads in one process, two runs each: p95 108–124 → 55–56 ms, p99 345–353 → "
    "63–66 ms, throughput unchanged (~100 req/s).",
    "Identity's chain was the slow part of audit: `AuditTrail.append` ran 5 statements per record "
    "(duplicate check, head upsert, head SELECT … FOR UPDATE, INSERT, head UPDATE), some 1,200 statements "
    "per batch of 200 with the worker's inbox rows, and end to end was bounded by it (356/s on PostgreSQL). "
    "Done since: `record_audit` is a `BatchHandler`, and `AuditTrail.append_all` appends a worker's batch at "
    "once: the heads of its tenants created if missing and locked once, in tenant order (SELECT … FOR UPDATE "
    "on PostgreSQL); one duplicate check for the batch's record ids, made after the lock so that a concurrent "
    "append of the same record is seen (repeats inside the batch are left out too); the hashes chained in "
    "Python; one INSERT of all rows; one head UPDATE per tenant: 5 statements for a batch of one tenant. "
    "The INSERT is an executemany (psycopg pipelines it), not a multi-row VALUES: SQLAlchemy compiles a "
    "`.values(rows)` of 200 rows anew for every batch (~50 ms), which held the append near 1,900/s. "
    "Measured in one session with `--audit-only`, old code then new: `record_audit` alone 408 → 8,891/s on "
    "PostgreSQL and 1,082 → 15,567/s on SQLite; `Worker.handle_batch` 362 → 4,820/s and 982 → 7,653/s; end to "
    "end 321 → 2,100/s and 739 → 3,128/s. The worker's own work is now about half of `handle_batch` "
    "(profiled on PostgreSQL): parsing the envelopes, the inbox check and rows, the commit.",
    "The audit read record commits on its own (a WAL flush on PostgreSQL) by design: reads change nothing, "
    "and the record must be durable; it is a fixed share of every read.",
    "Other developers' test suites shared the 2 cores during runs: figures move by a third between runs "
    "(see the load average above). For one caller, p95 of the list stays well under 50 ms.",
]


# --------------------------------------------------------------------------- main


def build_backend(name: str, mode: str, database_url: str | None, bus_url: str, namespace: str, data_dir: Path,
                  public_key: Path, private_key: Path) -> Backend:
    common = dict(mode=mode, database_url=database_url, bus_url=bus_url, bus_namespace=namespace,
                  data_dir=data_dir, token_public_key_file=public_key, log_level="WARNING")
    cases = bootstrap_cases(CasesSettings(**common))
    identity = bootstrap_identity(IdentitySettings(**common, token_private_key_file=private_key))
    environment = {
        "AKTA_MODE": mode, "AKTA_BUS_URL": bus_url, "AKTA_BUS_NAMESPACE": namespace,
        "AKTA_DATA_DIR": str(data_dir), "AKTA_TOKEN_PUBLIC_KEY_FILE": str(public_key), "AKTA_LOG_LEVEL": "WARNING",
    }
    if database_url:
        environment["AKTA_DATABASE_URL"] = database_url
    label = "RabbitMQ" if bus_url.startswith("amqp") else "memory bus"
    return Backend(name, label, cases, identity, environment)


def run_backend(backend: Backend, data: Dataset, token: str, args, log_dir: Path) -> None:
    backend.cases.migrate()
    backend.identity.migrate()
    if not args.audit_only:
        print(f"{backend.name}: loading {CASES:,} cases, {len(data.grants):,} grants …", flush=True)
        load(backend.cases, data)
        print(f"{backend.name}: GET {LIST_PATH} and its parts, N = {args.requests} …", flush=True)
        measure_list(backend, data, token, args.requests, args.warmup)
        if not args.no_gunicorn:
            print(f"{backend.name}: the same under gunicorn …", flush=True)
            measure_gunicorn(backend, data, token, args.requests, args.warmup, log_dir)
    print(f"{backend.name}: audit records into the outbox …", flush=True)
    measure_audit_outbox(backend, data, args.audit_singles, args.audit_batched, args.audit_per_transaction)
    print(f"{backend.name}: audit records into identity's chain …", flush=True)
    measure_chain(backend, data, args.chain_records, args.chain_batch)
    print(f"{backend.name}: end to end over the {backend.bus_label} …", flush=True)
    measure_end_to_end(backend, data, args.e2e_records, args.e2e_per_transaction, timeout=max(120, args.e2e_records / 20))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed calls per latency figure")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--audit-singles", type=int, default=2_000)
    parser.add_argument("--audit-batched", type=int, default=20_000)
    parser.add_argument("--audit-per-transaction", type=int, default=100)
    parser.add_argument("--chain-records", type=int, default=5_000)
    parser.add_argument("--chain-batch", type=int, default=200)
    parser.add_argument("--e2e-records", type=int, default=5_000)
    parser.add_argument("--e2e-per-transaction", type=int, default=100)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672//")
    parser.add_argument("--only", choices=("postgresql", "sqlite"), default=None, help="measure one engine")
    parser.add_argument("--no-gunicorn", action="store_true", help="skip the figures under gunicorn")
    parser.add_argument("--audit-only", action="store_true",
                        help="only the audit records written per second; prints them, leaves docs/benchmarks.md alone")
    parser.add_argument("--keep-database", action="store_true", help="leave the PostgreSQL database (for EXPLAIN)")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    configure_logging("json", "WARNING")

    suffix = secrets.token_hex(4)
    database_name, namespace = f"akta_bench_{suffix}", f"akta-bench-{suffix}"
    workdir = tempfile.TemporaryDirectory(prefix="akta-bench-authz-")
    root = Path(workdir.name)
    private_key, public_key = root / "keys" / "token-signing.pem", root / "keys" / "token-signing.pub.pem"
    write_new_keypair(private_key, public_key)
    data = make_dataset()
    token, _ = TokenSigner(private_key.read_bytes(), ttl=timedelta(hours=4)).issue(
        Principal(tenant_id=data.tenant_id, subject_id=data.user_id, subject_kind="user", name="Bench Bruger",
                  roles=frozenset({"caseworker"}))
    )

    backends: list[Backend] = []
    postgres: Backend | None = None
    load = LoadSampler()
    created_database = False
    try:
        if args.only in (None, "postgresql"):
            create_database(args.postgres, database_name)
            created_database = True
            url = f"{args.postgres.replace('postgresql://', 'postgresql+psycopg://')}/{database_name}"
            postgres = build_backend("PostgreSQL", "real", url, args.amqp, namespace, root / "pg", public_key, private_key)
            backends.append(postgres)
        if args.only in (None, "sqlite"):
            backends.append(build_backend("SQLite", "embedded", None, "memory://", namespace, root / "sqlite",
                                          public_key, private_key))
        for backend in backends:
            run_backend(backend, data, token, args, root)
        load.stop()
        found_versions = versions(postgres, args.amqp)
        lines = report(backends, data, found_versions, load, args)
        print()
        print("\n".join(lines))
        if not args.no_docs and not args.audit_only:
            write_section(SECTION_TITLE, lines)
            print(f"\nwritten to {BENCHMARKS_FILE}")
    finally:
        for backend in backends:
            backend.cases.database.dispose()
            backend.identity.database.dispose()
        if postgres is not None:
            try:
                cleanup_bus(args.amqp, postgres.cases.names)
            except Exception as error:  # report, but still drop the database
                print(f"could not remove the bus namespace {namespace}: {error!r}", file=sys.stderr)
        if created_database and not args.keep_database:
            drop_database(args.postgres, database_name)
        elif created_database:
            print(f"kept database {database_name}")
        workdir.cleanup()


if __name__ == "__main__":
    main()
