"""Bus throughput: raw pika against Akta's outbox relay and the whole path cases → retention.

Builds a throwaway database and bus namespace, prints a table of figures and writes them to
docs/benchmarks.md under "Bus throughput (issue 2)". Run with `make bench`.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pika
import psycopg
from sqlalchemy import text
from support import BENCHMARKS_FILE, LoadSampler, write_section

from akta.bus.connection import connect
from akta.bus.naming import BusNames
from akta.bus.publisher import open_publisher
from akta.bus.topology import declare_topology
from akta.contracts.cases import CaseCreated
from akta.contracts.subscriptions import SUBSCRIPTIONS
from akta.logs import configure_logging
from akta_cases.bootstrap import bootstrap as bootstrap_cases
from akta_cases.domain.model import Case, CaseNumber
from akta_cases.settings import CasesSettings
from akta_retention.bootstrap import bootstrap as bootstrap_retention
from akta_retention.settings import RetentionSettings

SECTION_TITLE = "## Bus throughput (issue 2)"
TENANT, ACCESS_GROUP = "bench-tenant", "bench-group"
TRACK_CASE = next(s for s in SUBSCRIPTIONS if (s.service, s.handler) == ("retention", "track_case"))
# Other subscribers of CaseCreated (docstore's follow_cases) would each get a persistent copy nobody
# consumes here, which raw pika's single queue does not: only the measured queue keeps them.
OTHER_CASE_QUEUES = [s for s in SUBSCRIPTIONS if CaseCreated in s.events and s != TRACK_CASE]
# A title at the domain's 500-character limit makes an envelope of about 1 KiB, like the raw body.
TITLE = ("Byggesag om tilbygning til enfamiliehus, matrikel 12a " * 10)[:500]
RAW_BODY = b"x" * 1024
INSERT_BATCH = 500
RAW_WINDOW = 1000
RAW_PREFETCH = 100


class WindowedPikaPublisher:
    """Publishes `count` persistent messages with confirms, keeping `window` unconfirmed in flight."""

    def __init__(self, amqp_url: str, queue: str, count: int, window: int) -> None:
        self.parameters = pika.URLParameters(amqp_url)
        self.queue, self.count, self.window = queue, count, window
        self.published = self.confirmed = self.nacked = 0
        self.unconfirmed: dict[int, None] = {}  # delivery tags in publishing order
        self.started = self.finished = 0.0

    def run(self) -> float:
        self.connection = pika.SelectConnection(
            self.parameters, on_open_callback=lambda c: c.channel(on_open_callback=self._on_channel),
            on_close_callback=lambda c, _: c.ioloop.stop(),
        )
        self.connection.ioloop.start()
        if self.nacked or self.confirmed != self.count:
            raise RuntimeError(f"raw publish: {self.confirmed} confirmed, {self.nacked} nacked of {self.count}")
        return self.finished - self.started

    def _on_channel(self, channel) -> None:
        self.channel = channel
        channel.queue_declare(self.queue, durable=True, callback=lambda _: channel.confirm_delivery(
            self._on_confirm, callback=self._start))

    def _start(self, _frame) -> None:
        self.started = time.perf_counter()
        self._fill_window()

    def _fill_window(self) -> None:
        while self.published < self.count and len(self.unconfirmed) < self.window:
            self.channel.basic_publish("", self.queue, RAW_BODY, pika.BasicProperties(delivery_mode=2))
            self.published += 1
            self.unconfirmed[self.published] = None

    def _on_confirm(self, frame) -> None:
        tag, multiple = frame.method.delivery_tag, frame.method.multiple
        if multiple:
            settled = list(itertools.takewhile(lambda unconfirmed: unconfirmed <= tag, self.unconfirmed))
        else:
            settled = [tag] if tag in self.unconfirmed else []
        for settled_tag in settled:
            del self.unconfirmed[settled_tag]
        self.confirmed += len(settled)
        if isinstance(frame.method, pika.spec.Basic.Nack):
            self.nacked += len(settled)
        if self.confirmed < self.count:
            self._fill_window()
        else:
            self.finished = time.perf_counter()
            self.connection.close()


def raw_consume(amqp_url: str, queue: str, count: int) -> float:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.basic_qos(prefetch_count=RAW_PREFETCH)
    received = 0

    def on_message(channel, method, _properties, _body) -> None:
        nonlocal received
        channel.basic_ack(method.delivery_tag)
        received += 1
        if received == count:
            channel.stop_consuming()

    channel.basic_consume(queue, on_message)
    started = time.perf_counter()
    channel.start_consuming()
    elapsed = time.perf_counter() - started
    channel.queue_delete(queue)
    connection.close()
    return elapsed


def insert_cases(service, first_number: int, count: int) -> list[str]:
    """Open `count` cases through the unit of work: case rows and outbox rows, 500 per commit."""
    now = datetime.now(UTC)
    case_ids = []
    for start in range(0, count, INSERT_BATCH):
        with service.unit_of_work() as uow:
            for number in range(first_number + start, first_number + min(start + INSERT_BATCH, count)):
                case = Case.open(TENANT, CaseNumber(now.year, number), TITLE, "bench", now, ACCESS_GROUP)
                uow.cases.add(case)
                case_ids.append(case.id)
            uow.commit()
    return case_ids


def relay_until_empty(service) -> tuple[int, float]:
    with connect(service.settings.bus_url) as connection:
        publisher = open_publisher(connection)
        started = time.perf_counter()
        relayed = service.relay.relay_pending(publisher)
        elapsed = time.perf_counter() - started
        publisher.close()
    return relayed, elapsed


def relay_rate(service, measured_queue: str, count: int) -> float:
    """Relay `count` events alone; the measured queue is emptied afterwards, as raw pika's is."""
    relayed, elapsed = relay_until_empty(service)
    if relayed != count:
        raise RuntimeError(f"relay published {relayed} of {count} events")
    with connect(service.settings.bus_url) as connection:
        connection.default_channel.queue_purge(queue=measured_queue)
    return count / elapsed


@contextmanager
def routed_to_measured_queue_only(bus_url: str, names: BusNames):
    """CaseCreated bound to the measured queue alone while the block runs, so that the broker does
    for each event what it does for each of raw pika's messages: one queue, one persistent copy.
    A copy routed to a second queue costs the broker about a third of its rate even when a policy
    drops it on arrival. The relay alone declares no topology; the relay and worker processes of
    the later figures bind the queues again when they connect, as does the end of the block."""
    with connect(bus_url) as connection:
        channel = connection.default_channel
        for subscription in OTHER_CASE_QUEUES:
            channel.queue_unbind(queue=names.queue(subscription), exchange=names.events_exchange,
                                 routing_key=CaseCreated.event_type)
    try:
        yield
    finally:
        with connect(bus_url) as connection:
            declare_topology(connection.default_channel, names)


def query(service, sql: str) -> list:
    with service.database.engine.connect() as connection:
        return list(connection.execute(text(sql)).scalars())


def drop_other_subscribers_copies(names: BusNames) -> str:
    """Make RabbitMQ drop, on arrival, the copies of CaseCreated routed to the other subscribers'
    queues (docstore's follow_cases), which nobody consumes here: a policy of max-length 0 on them.
    The relay and the worker declare every queue when they connect, so deleting the queues would
    race with them. Returns how the copies were dealt with, for the report."""
    queues = "|".join(re.escape(names.queue(subscription)) for subscription in OTHER_CASE_QUEUES)
    result = _rabbitmqctl("set_policy", "--apply-to", "queues", "--priority", "10", _policy_name(names),
                          f"^({queues})$", '{"max-length": 0}')
    if result is None:
        return ("the copies routed to the other subscribers' queues were dropped on arrival (a RabbitMQ "
                "policy of max-length 0), so the broker kept one persistent copy per event, as for raw pika")
    return (f"rabbitmqctl could not set a policy ({result}): each event was also kept in "
            "the other subscribers' queues, one more persistent copy per event than raw pika's")


def clear_policy(names: BusNames) -> None:
    _rabbitmqctl("clear_policy", _policy_name(names))


def _policy_name(names: BusNames) -> str:
    return f"{names.namespace}-drop-others"


def _rabbitmqctl(*args: str) -> str | None:
    """Run rabbitmqctl on the default vhost; None when it worked, else why not."""
    try:
        done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    return None if done.returncode == 0 else (done.stderr or done.stdout).strip()


def queue_counts(bus_url: str, queue: str) -> tuple[int, int]:
    """(messages ready, consumers) of a queue, asked passively."""
    with connect(bus_url) as connection:
        declared = connection.default_channel.queue_declare(queue=queue, passive=True)
        return declared.message_count, declared.consumer_count


class Processes:
    """The cases relay and the retention worker as processes of their own (`akta-cases relay`,
    `akta-retention worker`), as real mode deploys them; this process only inserts and polls."""

    def __init__(self, cases, log_level: str) -> None:
        settings = cases.settings
        self.env = {
            **os.environ,
            "AKTA_MODE": "real",
            "AKTA_DATABASE_URL": settings.database_url,
            "AKTA_BUS_URL": settings.bus_url,
            "AKTA_BUS_NAMESPACE": settings.bus_namespace,
            "AKTA_DATA_DIR": str(settings.data_dir),
            "AKTA_LOG_FORMAT": "json",
            "AKTA_LOG_LEVEL": log_level,
        }
        self.processes: list[subprocess.Popen] = []

    def start(self, command: str, part: str) -> None:
        self.processes.append(subprocess.Popen([Path(sys.executable).parent / command, part], env=self.env))

    def running(self) -> bool:
        return all(process.poll() is None for process in self.processes)

    def end(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)


def wait_for_consumer(retention, background: Processes) -> None:
    while queue_counts(retention.settings.bus_url, retention.names.queue(TRACK_CASE))[1] == 0:
        if not background.running():
            raise RuntimeError("the retention worker stopped before it consumed")
        time.sleep(0.05)


def wait_for_entries(retention, expected: int, timeout: float) -> None:
    started = time.perf_counter()
    while query(retention, "SELECT count(*) FROM retention_entries")[0] < expected:
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"not all {expected} retention entries arrived within {timeout}s")
        time.sleep(0.1)


def outbox_to_effect(cases, retention, first_number: int, count: int, timeout: float, log_level: str):
    """The events are committed in the outbox before the relay starts; the rate is theirs from
    the relay's first marked batch to the last retention entry's inbox row (database clocks), so
    that neither process's start-up counts."""
    background = Processes(cases, log_level)
    try:
        background.start("akta-retention", "worker")
        wait_for_consumer(retention, background)
        positions_after = query(cases, "SELECT coalesce(max(position), 0) FROM outbox")[0]
        expected = query(retention, "SELECT count(*) FROM retention_entries")[0] + count
        case_ids = insert_cases(cases, first_number, count)
        background.start("akta-cases", "relay")
        wait_for_entries(retention, expected, timeout)
    finally:
        background.end()
    first_sent = query(cases, f"SELECT min(sent_at) FROM outbox WHERE position > {positions_after}")[0]
    events = "', '".join(query(cases, f"SELECT event_id FROM outbox WHERE position > {positions_after}"))
    last_effect = query(retention, f"SELECT max(processed_at) FROM inbox WHERE event_id IN ('{events}')")[0]
    return count / (last_effect - first_sent).total_seconds(), case_ids


def insert_while_running(cases, retention, first_number: int, count: int, timeout: float, log_level: str):
    """Relay and worker run; the clock starts with the first insert and stops at the last entry."""
    background = Processes(cases, log_level)
    try:
        background.start("akta-cases", "relay")
        background.start("akta-retention", "worker")
        wait_for_consumer(retention, background)
        expected = query(retention, "SELECT count(*) FROM retention_entries")[0] + count
        started = time.perf_counter()
        case_ids = insert_cases(cases, first_number, count)
        wait_for_entries(retention, expected, timeout)
        return count / (time.perf_counter() - started), case_ids
    finally:
        background.end()


def verify_exactly_once(cases, retention, case_ids: list[str], positions_after: int) -> None:
    entries = query(retention, "SELECT item_id FROM retention_entries")
    handled = query(retention, "SELECT event_id FROM inbox")
    published = query(cases, f"SELECT event_id FROM outbox WHERE position > {positions_after}")
    problems = []
    if sorted(entries) != sorted(case_ids):
        problems.append(f"{len(entries)} retention entries ({len(set(entries))} distinct) for {len(case_ids)} cases")
    if sorted(handled) != sorted(published):
        problems.append(f"{len(handled)} inbox rows ({len(set(handled))} distinct) for {len(published)} events")
    if problems:
        raise RuntimeError("not exactly once: " + "; ".join(problems))


def report(figures: dict, versions: dict, events: int, body_size: int, load: LoadSampler, copies: str) -> list[str]:
    ratio = figures["relay"] / figures["raw_publish"]
    rows = [
        ("raw pika publish: confirms, window 1,000, persistent", f"{figures['raw_publish']:,.0f} msg/s", ""),
        ("raw pika consume: prefetch 100, ack each", f"{figures['raw_consume']:,.0f} msg/s", ""),
        ("insert through the unit of work (500 cases per commit)", f"{figures['insert']:,.0f} events/s", ""),
        ("Akta relay alone (`relay_pending`: batches of 1,000 until empty), CaseCreated bound to the measured "
         "queue only: one queue and one persistent copy per event, as for raw pika", f"{figures['relay']:,.0f} events/s", ""),
        ("relay / raw windowed publish", f"{ratio:.0%}", "≥ 50%"),
        ("Akta relay alone, CaseCreated also routed to the other subscribers' queues (there dropped on arrival)",
         f"{figures['relay_two_queues']:,.0f} events/s", ""),
        ("end to end, outbox → effect: N events committed in the outbox, then `akta-cases relay` and "
         "`akta-retention worker` (processes); first batch marked sent → last effect committed",
         f"{figures['outbox_to_effect']:,.0f} events/s", "≥ 2,000/s"),
        ("end to end while inserting: relay and worker running, first insert → last retention row",
         f"{figures['insert_to_effect']:,.0f} events/s", ""),
    ]
    return [
        f"`bench/bus_throughput.py`, {date.today().isoformat()}: {os.cpu_count()} cores, "
        f"RabbitMQ {versions['rabbitmq']}, PostgreSQL {versions['postgresql']}, N = {events:,} events per figure, "
        f"bodies {len(RAW_BODY):,} bytes raw and ~{body_size:,} bytes Akta. One run; the machine's 1-minute "
        f"load average during it was {load.describe()}, and on a shared machine figures move by a third "
        f"between runs. Inserts and polling run in the benchmark's process; {copies}.",
        "",
        "| figure | rate | target |",
        "|---|---|---|",
        *(f"| {name} | {value} | {target} |" for name, value, target in rows),
    ]


def run(args, cases, retention, raw_queue: str) -> None:
    count, bus_url, load = args.events, cases.settings.bus_url, LoadSampler()
    cases.migrate()
    retention.migrate()
    with connect(bus_url) as connection:
        declare_topology(connection.default_channel, cases.names)
        rabbitmq = connection.connection.server_properties.get("version")
    copies = drop_other_subscribers_copies(cases.names)
    versions = {"rabbitmq": rabbitmq, "postgresql": query(cases, "SHOW server_version")[0].split()[0]}
    figures = {}

    print(f"raw pika: publishing and consuming {count:,} messages …", flush=True)
    figures["raw_publish"] = count / WindowedPikaPublisher(args.amqp, raw_queue, count, RAW_WINDOW).run()
    figures["raw_consume"] = count / raw_consume(args.amqp, raw_queue, count)

    print("akta: inserting into the outbox, then relaying …", flush=True)
    started = time.perf_counter()
    insert_cases(cases, 1, count)
    figures["insert"] = count / (time.perf_counter() - started)
    measured_queue = retention.names.queue(TRACK_CASE)
    with routed_to_measured_queue_only(bus_url, cases.names):
        figures["relay"] = relay_rate(cases, measured_queue, count)
    body_size = query(cases, "SELECT avg(octet_length(body))::int FROM outbox")[0]
    print("akta: relaying again, CaseCreated routed to the other subscribers' queues too …", flush=True)
    insert_cases(cases, count + 1, count)
    figures["relay_two_queues"] = relay_rate(cases, measured_queue, count)

    positions_after = query(cases, "SELECT max(position) FROM outbox")[0]
    timeout = max(120, count / 50)
    print("akta: end to end from a filled outbox, relay and worker processes …", flush=True)
    figures["outbox_to_effect"], case_ids = outbox_to_effect(cases, retention, 2 * count + 1, count, timeout, args.log_level)
    print("akta: end to end while inserting, relay and worker processes …", flush=True)
    figures["insert_to_effect"], more_case_ids = insert_while_running(
        cases, retention, 3 * count + 1, count, timeout, args.log_level
    )
    case_ids += more_case_ids
    load.stop()
    verify_exactly_once(cases, retention, case_ids, positions_after)
    dead_letters = queue_counts(bus_url, retention.names.dead_letter_queue(TRACK_CASE))[0]
    if dead_letters:
        raise RuntimeError(f"{dead_letters} message(s) dead-lettered")
    print(f"verified: {len(case_ids):,} retention entries and inbox rows, one per event, no dead letters\n")

    lines = report(figures, versions, count, body_size, load, copies)
    print("\n".join(lines))
    if not args.no_docs:
        write_section(SECTION_TITLE, lines)
        print(f"\nwritten to {BENCHMARKS_FILE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="messages per figure")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672/")
    parser.add_argument("--log-level", default="WARNING", help="INFO logs a line per event handled")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    configure_logging("json", args.log_level)
    suffix = secrets.token_hex(4)
    database_name, names = f"akta_bench_{suffix}", BusNames(f"bench{suffix}")
    bus_url = args.amqp.rstrip("/") + "//"
    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database_name}"')
    services = []
    try:
        with tempfile.TemporaryDirectory(prefix="akta-bench-") as data_dir:
            database_url = args.postgres.replace("postgresql://", "postgresql+psycopg://", 1)
            common = dict(
                mode="real", database_url=f"{database_url}/{database_name}", bus_url=bus_url,
                bus_namespace=names.namespace, data_dir=Path(data_dir),
            )
            services = [bootstrap_cases(CasesSettings(**common)), bootstrap_retention(RetentionSettings(**common))]
            run(args, *services, raw_queue=f"{names.namespace}.raw")
    finally:
        clear_policy(names)
        for service in services:
            service.database.dispose()
        with connect(bus_url) as connection:
            channel = connection.default_channel
            for queue in [f"{names.namespace}.raw", *(names.queue(s) for s in SUBSCRIPTIONS),
                          *(names.dead_letter_queue(s) for s in SUBSCRIPTIONS)]:
                channel.queue_delete(queue=queue)
            channel.exchange_delete(exchange=names.events_exchange)
            channel.exchange_delete(exchange=names.dead_letter_exchange)
        with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
