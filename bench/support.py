"""What the benchmarks share: latency figures, the machine's load, a server in a subprocess, the
throwaway PostgreSQL database and bus namespace, versions, and writing one section of
docs/benchmarks.md. Not a benchmark itself (`make bench` skips it); the scripts beside it import it
(`python bench/<name>.py` puts bench/ on the import path).
"""

from __future__ import annotations

import os
import platform
import re
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import event, text

from akta.bus.connection import connect
from akta.bus.naming import BusNames
from akta.contracts import SUBSCRIPTIONS

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_FILE = ROOT / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\nBenchmarks are run with `make bench` (all of them) or `python bench/<name>.py` "
    "(one); each writes its own section below.\n"
)


# --------------------------------------------------------------------------- latencies


@dataclass
class Timing:
    samples: list[float]  # milliseconds

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.samples, n=100, method="inclusive")[p - 1]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def p99(self) -> float:
        return self.percentile(99)

    def cell(self) -> str:
        return f"{self.p50:.2f} / {self.p95:.2f} / {self.p99:.2f}"


def timed(work: Callable[[], object], count: int, warmup: int) -> Timing:
    for _ in range(warmup):
        work()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(samples)


def timed_concurrently(work: Callable[[int], Callable[[], object]], callers: int, per_caller: int) -> tuple[Timing, float]:
    """`callers` threads each run `work(index)()` `per_caller` times at once: the latencies of all
    calls and the calls per second over the whole run. `work(index)` is called in the thread before
    the clock starts, so each caller can open its own client."""
    samples: list[float] = []
    lock = threading.Lock()
    ready = threading.Barrier(callers + 1)
    errors: list[BaseException] = []

    def caller(index: int) -> None:
        mine = []
        try:
            call = work(index)
        finally:
            ready.wait()
        try:
            for _ in range(per_caller):
                started = time.perf_counter()
                call()
                mine.append((time.perf_counter() - started) * 1000)
        except BaseException as error:  # reported after the join
            errors.append(error)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=caller, args=(index,)) for index in range(callers)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return Timing(samples), len(samples) / elapsed


def wait_for(condition: Callable[[], bool], timeout: float, message: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(message)
        time.sleep(interval)


def database_work(database, work: Callable[[], object], calls: int) -> dict[str, float]:
    """Per call of `work`: SQL statements, transactions and client/server round trips on `database`
    (an `akta.db.database.Database`). A round trip is a statement, a BEGIN, a COMMIT or ROLLBACK, or
    the pool's pre-ping on checkout (`pool_pre_ping`), each of which waits for the server on PostgreSQL."""
    engine = database.engine
    counts = dict.fromkeys(("statements", "begins", "ends", "checkouts"), 0)

    def counter(key: str):
        def count(*_args, **_kwargs) -> None:
            counts[key] += 1
        return count

    def statement(_connection, _cursor, sql: str, *_args) -> None:
        if not sql.lstrip().upper().startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE is counted as a begin
            counts["statements"] += 1

    listeners = [
        (engine, "before_cursor_execute", statement),
        (engine, "begin", counter("begins")),
        (engine, "commit", counter("ends")),
        (engine, "rollback", counter("ends")),
        (engine.pool, "checkout", counter("checkouts")),
    ]
    for target, name, function in listeners:
        event.listen(target, name, function)
    try:
        for _ in range(calls):
            work()
    finally:
        for target, name, function in listeners:
            event.remove(target, name, function)
    per_call = {key: value / calls for key, value in counts.items()}
    pings = per_call["checkouts"] if database.is_postgresql else 0
    per_call["round_trips"] = per_call["statements"] + per_call["begins"] + per_call["ends"] + pings
    return per_call


# --------------------------------------------------------------------------- the machine


class LoadSampler:
    """The machine's 1-minute load average, sampled every few seconds while the benchmark runs."""

    def __init__(self, every: float = 5.0) -> None:
        self.samples = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(os.getloadavg()[0])

    @property
    def busy(self) -> bool:
        return statistics.mean(self.samples) > (os.cpu_count() or 1)

    def describe(self) -> str:
        return f"{min(self.samples):.1f} to {max(self.samples):.1f} (mean {statistics.mean(self.samples):.1f})"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def library_versions(*names: str) -> dict[str, str]:
    return {"python": platform.python_version(), **{name: version(name) for name in names}}


def server_versions(engine, bus_url: str) -> dict[str, str]:
    """PostgreSQL's version (through a SQLAlchemy engine) and RabbitMQ's."""
    found = {}
    with engine.connect() as connection:
        found["postgresql"] = connection.execute(text("SHOW server_version")).scalar_one().split()[0]
    with connect(bus_url) as connection:
        connection.ensure_connection(max_retries=1)
        rabbitmq = connection.connection.server_properties.get("version", b"?")
        found["rabbitmq"] = rabbitmq.decode() if isinstance(rabbitmq, bytes) else str(rabbitmq)
    return found


class WaitSampler:
    """What the client backends of one PostgreSQL database are doing, from `pg_stat_activity` every
    `every` seconds in a thread while it runs: on average how many run a statement, wait for a lock
    (a lock wait on a statement starting with `lock_statement` counted apart), or sit idle in a
    transaction (waiting for the application)."""

    def __init__(self, admin_url: str, database: str, lock_statement: str = "", every: float = 0.02) -> None:
        self.url, self.database, self.lock_statement, self.every = f"{admin_url}/{database}", database, lock_statement, every
        self.samples: list[tuple[int, int, int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WaitSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        query = """
            SELECT count(*) FILTER (WHERE state = 'active' AND wait_event_type IS DISTINCT FROM 'Lock'),
                   count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock'),
                   count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock' AND query LIKE %(lock)s),
                   count(*) FILTER (WHERE state LIKE 'idle in transaction%%')
            FROM pg_stat_activity
            WHERE datname = %(database)s AND pid <> pg_backend_pid() AND backend_type = 'client backend'"""
        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self._stop.wait(self.every):
                row = connection.execute(query, {"database": self.database, "lock": self.lock_statement + "%"}).fetchone()
                self.samples.append(tuple(row))

    def mean(self, column: int) -> float:
        return statistics.mean(sample[column] for sample in self.samples) if self.samples else 0.0

    @property
    def running(self) -> float:
        return self.mean(0)

    @property
    def waiting_for_locks(self) -> float:
        return self.mean(1)

    @property
    def waiting_for_the_lock(self) -> float:
        """Waiting for a lock in a statement starting with `lock_statement`."""
        return self.mean(2)

    @property
    def idle_in_transaction(self) -> float:
        return self.mean(3)


# --------------------------------------------------------------------------- throwaway servers


def create_database(admin_url: str, name: str) -> None:
    """`admin_url`: postgresql://user@host:port (no database)."""
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cleanup_bus(bus_url: str, names: BusNames) -> None:
    """Delete every queue and exchange of the namespace (the relay declares them all)."""
    with connect(bus_url) as connection:
        channel = connection.default_channel
        for subscription in SUBSCRIPTIONS:
            channel.queue_delete(queue=names.queue(subscription))
            channel.queue_delete(queue=names.dead_letter_queue(subscription))
        channel.exchange_delete(exchange=names.events_exchange)
        channel.exchange_delete(exchange=names.dead_letter_exchange)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def akta_environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment without any AKTA_* variable, plus `settings`."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AKTA_")}
    environment.update(settings)
    return environment


class Process:
    """A command of the installation (`akta-cases serve`, `… relay`) in a subprocess, its output
    in a log file; stopped with SIGTERM (then SIGKILL) by `stop`."""

    def __init__(self, command: list[str], environment: dict[str, str], log_file: Path) -> None:
        self.command, self.log_file = command, log_file
        with open(log_file, "wb") as log:
            self.popen = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)

    def running(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, characters: int = 2000) -> str:
        return self.log_file.read_text(errors="replace")[-characters:]

    def wait_healthy(self, url: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if not self.running() or time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(self.command[:2])} did not start; see {self.log_file}:\n{self.log_tail()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if not self.running():
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


def gunicorn_server(executable: str, environment: dict[str, str], log_file: Path, workers: int = 2,
                    threads: int = 4) -> tuple[Process, str]:
    """`akta-<service> serve` as documented (2 workers × 4 threads), on a free port; its base URL."""
    port = free_port()
    server = Process([executable, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                      "--threads", str(threads)], environment, log_file)
    base_url = f"http://127.0.0.1:{port}"
    try:
        server.wait_healthy(f"{base_url}/healthz")
    except BaseException:
        server.stop()
        raise
    return server, base_url


# --------------------------------------------------------------------------- docs/benchmarks.md


def write_section(title: str, lines: list[str]) -> None:
    """Replace (or append) the section headed `title` ("## …") of docs/benchmarks.md, keeping the
    others, and its "### Findings" (written by hand) when it has one."""
    current = BENCHMARKS_FILE.read_text() if BENCHMARKS_FILE.exists() else HEADER
    section = title + "\n\n" + "\n".join(lines) + "\n"
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^### Findings|^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _match: section + "\n", current).rstrip("\n") + "\n"
    else:
        updated = current.rstrip("\n") + "\n\n" + section
    BENCHMARKS_FILE.parent.mkdir(parents=True, exist_ok=True)
    BENCHMARKS_FILE.write_text(updated)
