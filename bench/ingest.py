"""Ingest: text PDFs uploaded through the docstore's HTTP API per second, and documents per second
from the first upload until the last one is found by search (real mode, every part its own process).

Builds a throwaway PostgreSQL database and RabbitMQ namespace and sets the installation up as an
operator does (`akta-identity generate-keys`, `migrate`, `create-organisation`, `create-user`,
`create-access-group`, `grant`); runs identity, cases and docstore each as `serve` (gunicorn; the
docstore with 2 workers × 4 threads), `relay` and `worker` subprocesses; signs in, makes a case
template and a case through the APIs. Blobs go to a local directory (`--blobs local`, default: a file://
URL) or to moto's S3 server (`--blobs moto`).

Before the clock starts it writes 1,000 distinct text PDFs of 1-2 pages of Danish casework prose in
memory, each with a word of its own and one word all of them share (neither in the title). Then 4
threads, each with its own httpx client, upload them as multipart/form-data to POST /documents,
while a monitor asks GET /search for the shared word every 0.3 s: the documents are searchable
when its total is the number uploaded. Afterwards it checks a sample of the unique words (one hit
each, the right document, a highlight), reads from docstore's outbox, inbox and renditions when each
document passed each stage, and waits for the previews too. Prints the figures and writes them to
docs/benchmarks.md under "Ingest (issue 5)". Run with `python bench/ingest.py`; `--documents` for a
smaller run, `--no-docs` prints only. Search latency at 100,000 documents is bench/search_latency.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
import psycopg
from support import (
    BENCHMARKS_FILE,
    LoadSampler,
    Process,
    Timing,
    akta_environment,
    cleanup_bus,
    cpu_model,
    create_database,
    drop_database,
    free_port,
    gunicorn_server,
    library_versions,
    wait_for,
    write_section,
)

from akta.bus.connection import connect
from akta.bus.naming import BusNames
from akta.contracts import subscriptions_of

SECTION_TITLE = "## Ingest (issue 5)"
TARGET_PER_SECOND = 50
BIN = Path(sys.executable).parent
SEARCH_EVERY = 0.3
WARMUP_DOCUMENTS = 8

# --------------------------------------------------------------------------- the documents

FIRST_NAMES = ("Anne", "Mette", "Hanne", "Lone", "Kirsten", "Jens", "Peter", "Lars", "Søren", "Niels", "Mads",
               "Frederik", "Ida", "Freja", "Emma", "Åse", "Øjvind", "Karen", "Birgitte", "Rasmus", "Signe", "Malthe")
LAST_NAMES = ("Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
              "Rasmussen", "Jørgensen", "Kjærgaard", "Østergaard", "Ærø", "Bach", "Holm", "Skov", "Dahl", "Lund")
SCHOOLS = ("Nordskolen", "Søndervangskolen", "Egeskolen", "Bakkeskolen", "Fjordskolen", "Lindeskolen",
           "Rosenvængets Skole", "Højvangskolen", "Ådalens Skole", "Kærbyskolen")
STREETS = ("Skolevej", "Kirkegade", "Ørstedsvej", "Ålykkevej", "Bøgeallé", "Præstevænget", "Møllebakken",
           "Strandvejen", "Engtoften", "Violvej")
TOWNS = ("Vejle", "Horsens", "Næstved", "Køge", "Århus", "Ringkøbing", "Frederikssund", "Ærøskøbing", "Sorø")
KINDS = (
    ("application", "Ansøgning om {subject}", ("skoleskift", "befordring", "specialundervisning", "orlov",
                                               "fritagelse for idræt", "tilskud til lejrskole")),
    ("decision", "Afgørelse om {subject}", ("skoleskift", "befordring", "specialundervisning", "visitation",
                                            "frit skolevalg", "udsat skolestart")),
    ("minutes", "Referat af {subject}", ("netværksmøde", "forældresamtale", "skolebestyrelsesmøde",
                                         "teammøde", "statusmøde")),
    ("letter", "Brev om {subject}", ("fravær", "trivsel", "aktindsigt", "partshøring", "klagevejledning")),
    ("note", "Notat om {subject}", ("telefonsamtale", "hjemmebesøg", "observation i klassen", "PPR-udredning")),
)
SENTENCES = (
    "{name} går i {klasse} på {school}, og forældrene har henvendt sig til skolens kontor den {day}.",
    "Forvaltningen har modtaget ansøgningen og vurderer den efter folkeskolelovens regler og kommunens retningslinjer.",
    "Skolelederen oplyser, at eleven trives fagligt, men at fraværet i perioden har været højere end normalt.",
    "Der er afholdt et møde med deltagelse af klasselæreren, skolens AKT-vejleder og begge forældre.",
    "Familien bor på {street} {number} i {town}, og afstanden til skolen er opgjort til {km} kilometer.",
    "Kommunen bevilger kørsel i taxa til og fra skole, indtil der er fundet en anden løsning.",
    "Forældrene begrunder ønsket med, at barnet har brug for et mindre og mere roligt klassemiljø.",
    "Pædagogisk Psykologisk Rådgivning anbefaler, at der iværksættes støtte i dansk og matematik.",
    "Det er aftalt, at skolen udarbejder en handleplan, som evalueres på næste møde den {day}.",
    "Sagen er behandlet af {officer}, der kan kontaktes på telefon {phone} i kontortiden.",
    "Udgiften til ordningen anslås til {amount} kroner om året og afholdes af skoleområdets budget.",
    "Vi har lagt vægt på elevens egne ønsker, som er kommet frem under samtalen med skolepsykologen.",
    "Afgørelsen kan påklages til Klagenævnet for Specialundervisning inden fire uger fra modtagelsen.",
    "Forældrene er orienteret om, at de har ret til aktindsigt i sagens dokumenter efter forvaltningsloven.",
    "Klasselæreren beskriver en elev, der er hjælpsom over for kammeraterne, men hurtigt mister koncentrationen.",
    "Det blev drøftet, om eleven skal have adgang til it-rygsæk og oplæsningsprogram i alle fag.",
    "Sundhedsplejersken deltog i mødet og bekræftede, at søvn og kost er i orden.",
    "Skolen har forsøgt at kontakte hjemmet flere gange uden at få svar, senest den {day}.",
    "Der er enighed om, at overgangen til den nye skole skal forberedes i god tid før sommerferien.",
    "Eleven har været fraværende {absent} dage i dette skoleår, heraf {illness} på grund af sygdom.",
    "Skolebestyrelsen godkendte budgettet for lejrskolen og besluttede at søge tilskud hos fonden.",
    "Næste skridt er et opfølgende møde, hvor også familiens sagsbehandler fra socialforvaltningen deltager.",
    "Der henvises til tidligere korrespondance i sagen og til referatet af mødet den {day}.",
    "Venteliste og kapacitet på {school} er undersøgt, og der er plads i {klasse} fra {month}.",
)
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "august", "september", "oktober", "november", "december")


@dataclass(frozen=True)
class Sample:
    index: int
    filename: str
    title: str
    document_type: str
    word: str  # in this document's text and no other's
    pages: int
    characters: int
    content: bytes


def _sentence(rng: random.Random, name: str, school: str, klasse: str) -> str:
    today = date(2026, 1, 1) + timedelta(days=rng.randrange(330))
    return rng.choice(SENTENCES).format(
        name=name, school=school, klasse=klasse, day=f"{today.day}. {MONTHS[today.month % len(MONTHS)]}",
        street=rng.choice(STREETS), number=rng.randint(1, 140), town=rng.choice(TOWNS), km=rng.randint(3, 14),
        officer=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", phone=f"{rng.randint(20, 99)} {rng.randint(10, 99)} "
        f"{rng.randint(10, 99)} {rng.randint(10, 99)}", amount=f"{rng.randint(8, 140)}.{rng.randint(0, 999):03d}",
        absent=rng.randint(4, 40), illness=rng.randint(1, 4), month=rng.choice(MONTHS),
    )


def make_sample(index: int, seed: int, shared_word: str, run_tag: str) -> Sample:
    """One PDF of 1-2 pages (about 1,500-2,500 characters each), distinct by its word and its prose."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    below = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

    rng = random.Random(seed * 1_000_003 + index)
    document_type, title_pattern, subjects = rng.choice(KINDS)
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    school, klasse = rng.choice(SCHOOLS), f"{rng.randint(0, 9)}.{rng.choice('ABCD')}"
    title = title_pattern.format(subject=rng.choice(subjects)) + f", {name}"  # Helvetica here is Latin-1: no dashes
    word = f"lbnr{run_tag}{index:05d}"
    pages = 1 if rng.random() < 0.5 else 2
    characters = 0
    document = FPDF()
    document.set_font("helvetica", size=11)
    for page in range(pages):
        document.add_page()
        if page == 0:
            document.set_font("helvetica", style="B", size=14)
            document.multi_cell(0, 8, text=title, **below)
            document.set_font("helvetica", size=11)
            document.multi_cell(0, 6, text=f"{school}, {rng.choice(TOWNS)}. Løbenummer {word}, mærket {shared_word}.\n", **below)
        paragraphs = []
        for _ in range(rng.randint(4, 5)):
            paragraphs.append(" ".join(_sentence(rng, name, school, klasse) for _ in range(rng.randint(3, 5))))
        text = "\n\n".join(paragraphs)
        characters += len(text)
        document.multi_cell(0, 6, text=text, **below)
    return Sample(index, f"dokument-{index:05d}.pdf", title, document_type, word, pages, characters,
                  bytes(document.output()))


def make_samples(count: int, seed: int, shared_word: str, run_tag: str, first: int = 0) -> list[Sample]:
    with ProcessPoolExecutor(max(1, min(4, os.cpu_count() or 1))) as pool:
        futures = [pool.submit(make_sample, first + index, seed, shared_word, run_tag) for index in range(count)]
        return [future.result() for future in futures]


# --------------------------------------------------------------------------- the installation


def command(name: str, *args: str, environment: dict[str, str]) -> str:
    result = subprocess.run([str(BIN / name), *args], env=environment, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"{name} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def commands_together(chains: list[list[tuple[str, ...]]], environment: dict[str, str]) -> list[list[str]]:
    """Chains of commands side by side, each chain in order; their outputs."""
    with ThreadPoolExecutor(len(chains)) as pool:
        futures = [pool.submit(lambda chain=chain: [command(*args, environment=environment) for args in chain])
                   for chain in chains]
        return [future.result() for future in futures]


def id_in(output: str) -> str:
    """The id in "created … (<id>)"."""
    return output.strip().rsplit("(", 1)[1].rstrip(")")


@dataclass
class Installation:
    root: Path
    environment: dict[str, str]
    processes: dict[str, Process] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)

    def start_service(self, service: str, workers: int, threads: int = 4) -> None:
        executable = str(BIN / f"akta-{service}")
        self.processes[f"{service} relay"] = Process([executable, "relay"], self.environment, self.root / f"{service}-relay.log")
        self.processes[f"{service} worker"] = Process([executable, "worker"], self.environment, self.root / f"{service}-worker.log")
        server, self.urls[service] = gunicorn_server(executable, self.environment, self.root / f"{service}-web.log",
                                                     workers=workers, threads=threads)
        self.processes[f"{service} web"] = server

    def check_running(self) -> None:
        for name, process in self.processes.items():
            if not process.running():
                raise RuntimeError(f"{name} exited; see {process.log_file}:\n{process.log_tail()}")

    def stop(self) -> None:
        for process in self.processes.values():
            process.popen.terminate()
        for process in self.processes.values():
            process.stop()


def start_moto(root: Path) -> tuple[Process, str]:
    port = free_port()
    moto = Process([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], akta_environment({}), root / "moto.log")
    moto.wait_healthy(f"http://127.0.0.1:{port}/")
    return moto, f"s3://bench:bench-secret@127.0.0.1:{port}/akta-bench?secure=false&region=us-east-1"


def when_granted(call: Callable[[], httpx.Response], timeout: float = 30) -> httpx.Response:
    """Retry while a service has not yet received the organisation (401) or grant (403) over the bus."""
    deadline = time.monotonic() + timeout
    while (response := call()).status_code in (401, 403) and time.monotonic() < deadline:
        time.sleep(0.1)
    return response


# --------------------------------------------------------------------------- measuring


def process_table() -> tuple[dict[int, list[int]], dict[int, float], dict[int, str]]:
    """Every process now: children by parent, user + system CPU seconds, command line."""
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    commands: dict[int, str] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            command_line = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks
        commands[pid] = command_line
    return children, cpu, commands


class CpuMeter:
    """CPU seconds of process groups between `start` and `stop`: a process and its descendants (gunicorn's
    workers), or every process whose command line contains a text (PostgreSQL's backends of one
    database). A process that appears meanwhile counts from zero."""

    def __init__(self, roots: dict[str, int], matching: dict[str, str]) -> None:
        self.roots, self.matching = roots, matching
        self.before: dict[str, dict[int, float]] = {}

    def _groups(self) -> dict[str, dict[int, float]]:
        children, cpu, commands = process_table()
        groups = {}
        for name, root in self.roots.items():
            members, todo = {}, [root]
            while todo:
                pid = todo.pop()
                members[pid] = cpu.get(pid, 0.0)
                todo.extend(children.get(pid, ()))
            groups[name] = members
        for name, text in self.matching.items():
            groups[name] = {pid: cpu[pid] for pid, line in commands.items() if text in line}
        return groups

    def start(self) -> None:
        self.before = self._groups()

    def stop(self) -> dict[str, float]:
        after = self._groups()
        return {name: sum(seconds - self.before[name].get(pid, 0.0) for pid, seconds in members.items())
                for name, members in after.items()}


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / ticks, sum(values) / ticks


class Profiles:
    """py-spy recording the CPU of some processes (and their children) while it runs: collapsed
    stacks, one file per process, for flame graphs or counting (`--profile DIR`)."""

    def __init__(self, directory: Path, targets: dict[str, int]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        executable = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
        if executable is None:
            raise SystemExit("--profile needs py-spy: pip install py-spy")
        self.recorders = [
            subprocess.Popen([executable, "record", "--pid", str(pid), "--subprocesses", "--nonblocking", "--rate", "100",
                              "--format", "raw", "--output", str(directory / f"{name.replace(' ', '-')}.txt")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name, pid in targets.items()
        ]

    def stop(self) -> None:
        for recorder in self.recorders:
            recorder.send_signal(signal.SIGINT)
        for recorder in self.recorders:
            recorder.wait(timeout=60)


@dataclass
class Tick:
    at: float  # seconds since the first upload started
    uploaded: int
    found: int
    text_pending: int
    text_done: int
    previews_done: int
    outbox_unsent: int
    queued: dict[str, int]


class Monitor:
    """Every SEARCH_EVERY seconds: the search total of the shared word (over HTTP, as a user
    sees it), the renditions' states, docstore's unsent outbox and its queues' depths."""

    def __init__(self, docstore_url: str, headers: dict, shared_word: str, database_url: str, bus_url: str,
                 names: BusNames, uploaded: Callable[[], int]) -> None:
        self.client = httpx.Client(base_url=docstore_url, headers=headers, timeout=30)
        self.shared_word, self.database_url, self.bus_url, self.names = shared_word, database_url, bus_url, names
        self.uploaded = uploaded
        self.ticks: list[Tick] = []
        self.started = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.error: BaseException | None = None

    def found(self) -> int:
        response = self.client.get("/search", params={"q": self.shared_word, "kind": "document", "page_size": 1})
        response.raise_for_status()
        return response.json()["total"]

    def start(self, started: float) -> None:
        self.started = started
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.client.close()

    def _run(self) -> None:
        queues = [self.names.queue(s) for s in subscriptions_of("docstore") if s.handler in ("plan_renditions", "index_documents")]
        try:
            with psycopg.connect(self.database_url, autocommit=True) as database, connect(self.bus_url) as bus:
                channel = bus.channel()
                while not self._stop.is_set():
                    found = self.found()
                    states = Counter()
                    for kind, status, count in database.execute(
                            "SELECT kind, status, count(*) FROM docstore.renditions GROUP BY kind, status"):
                        states[(kind, status)] = count
                    unsent = database.execute("SELECT count(*) FROM docstore.outbox WHERE sent_at IS NULL").fetchone()[0]
                    depths = {queue.rsplit(".", 1)[1]: channel.queue_declare(queue=queue, passive=True).message_count
                              for queue in queues}
                    self.ticks.append(Tick(
                        time.perf_counter() - self.started, self.uploaded(), found,
                        sum(v for (k, s), v in states.items() if k == "text" and s in ("pending", "running")),
                        states[("text", "done")], states[("preview", "done")], unsent, depths,
                    ))
                    self._stop.wait(SEARCH_EVERY)
        except BaseException as error:  # reported by the main thread
            self.error = error


@dataclass
class Upload:
    sample: Sample
    document_id: str
    started: float
    answered: float


def upload_all(docstore_url: str, headers: dict, case_id: str, samples: list[Sample], clients: int,
               on_answer: Callable[[], None], started: float) -> list[Upload]:
    """`clients` threads, each with its own client, take the next sample and upload it."""
    lock = threading.Lock()
    remaining = iter(samples)
    done: list[Upload] = []
    errors: list[BaseException] = []

    def client_loop() -> None:
        with httpx.Client(base_url=docstore_url, headers=headers, timeout=120) as client:
            while not errors:
                with lock:
                    sample = next(remaining, None)
                if sample is None:
                    return
                begun = time.perf_counter()
                try:
                    response = client.post(
                        "/documents",
                        data={"title": sample.title, "document_type": sample.document_type, "case_id": case_id},
                        files={"file": (sample.filename, sample.content, "application/pdf")},
                    )
                    if response.status_code != 201:
                        raise RuntimeError(f"POST /documents: {response.status_code} {response.text[:300]}")
                except BaseException as error:
                    errors.append(error)
                    return
                with lock:
                    done.append(Upload(sample, response.json()["id"], begun - started, time.perf_counter() - started))
                on_answer()

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return done


def stage_times(database_url: str, document_ids: list[str]) -> dict[str, list[float]]:
    """Per document, seconds spent in each stage, from the timestamps docstore itself wrote: the
    document's row, the outbox rows of its events (written, sent), the worker's inbox rows
    (handled) and the text rendition (done)."""
    query = """
        WITH events AS (
            SELECT (body::json -> 'data' ->> 'document_id') AS document_id, event_type, event_id, created_at, sent_at
            FROM docstore.outbox
            WHERE event_type IN ('docstore.document.version.stored.v1', 'docstore.document.text.extracted.v1')
        )
        SELECT d.created_at, stored.sent_at, planned.processed_at, text.updated_at, extracted.sent_at,
               indexed.processed_at
        FROM docstore.documents d
        JOIN events stored ON stored.document_id = d.id AND stored.event_type = 'docstore.document.version.stored.v1'
        JOIN docstore.inbox planned ON planned.event_id = stored.event_id AND planned.consumer = 'docstore.plan_renditions'
        JOIN docstore.renditions text ON text.document_id = d.id AND text.kind = 'text' AND text.status = 'done'
        JOIN events extracted ON extracted.document_id = d.id AND extracted.event_type = 'docstore.document.text.extracted.v1'
        JOIN docstore.inbox indexed ON indexed.event_id = extracted.event_id AND indexed.consumer = 'docstore.index_documents'
        WHERE d.id = ANY(%(ids)s)"""
    stages = {name: [] for name in ("relayed", "planned", "text made", "text relayed", "indexed", "total")}
    with psycopg.connect(database_url) as database:
        rows = database.execute(query, {"ids": document_ids}).fetchall()
    if len(rows) != len(document_ids):
        raise RuntimeError(f"stage timestamps for {len(rows)} of {len(document_ids)} documents")
    steps = [name for name in stages if name != "total"]
    for moments in rows:
        for name, before, after in zip(steps, moments, moments[1:], strict=False):
            stages[name].append((after - before).total_seconds())
        stages["total"].append((moments[-1] - moments[0]).total_seconds())
    return stages


def verify(docstore_url: str, headers: dict, uploads: list[Upload], shared_word: str, sample_size: int,
           seed: int) -> int:
    """Each sampled document is the one hit of its own word, with a highlight; the shared word finds
    them all. Returns how many were checked."""
    rng = random.Random(seed)
    chosen = rng.sample(uploads, min(sample_size, len(uploads)))
    with httpx.Client(base_url=docstore_url, headers=headers, timeout=30) as client:
        total = client.get("/search", params={"q": shared_word, "kind": "document", "page_size": 1}).json()["total"]
        if total != len(uploads):
            raise RuntimeError(f"the shared word finds {total} documents, not {len(uploads)}")
        for upload in chosen:
            found = client.get("/search", params={"q": upload.sample.word}).json()
            hits = [(hit["id"], "<mark>" in hit["snippet"]) for hit in found["hits"]]
            if hits != [(upload.document_id, True)]:
                raise RuntimeError(f"{upload.sample.word}: {hits}, expected [({upload.document_id}, True)]")
        sources = Counter()
        for upload in chosen[:20]:
            document = client.get(f"/documents/{upload.document_id}").json()
            sources.update(r["source"] for r in document["renditions"] if r["kind"] == "text")
        if set(sources) != {"text_layer"}:
            raise RuntimeError(f"text renditions' sources: {dict(sources)}")
    return len(chosen)


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


# --------------------------------------------------------------------------- the run


@dataclass
class Result:
    count: int
    pages: int
    characters: int
    megabytes: float
    built_seconds: float
    uploads: list[Upload]
    latency: Timing
    uploaded_at: float
    searchable_at: float
    milestones: dict[int, float]
    ticks: list[Tick]
    stages: dict[str, list[float]]
    previews_done_at: float | None
    previews_failed: int
    cpu: dict[str, float]
    busy_share: float
    verified: int

    @property
    def upload_rate(self) -> float:
        return self.count / self.uploaded_at

    @property
    def end_to_end_rate(self) -> float:
        return self.count / self.searchable_at


def run(args, root: Path, load: LoadSampler) -> tuple[Result, dict[str, str]]:
    suffix = secrets.token_hex(4)
    database_name, namespace = f"akta_bench_ingest_{suffix}", f"akta-bench-ingest-{suffix}"
    database_url = f"{args.postgres}/{database_name}"
    run_tag = "".join(random.Random(args.seed).choices("abcdefghijkmnpqrstuvwxyz", k=4))
    shared_word = f"ingestmærke{run_tag}"
    names = BusNames(namespace)
    keys = root / "keys"
    settings = {
        "AKTA_MODE": "real", "AKTA_DATABASE_URL": database_url.replace("postgresql://", "postgresql+psycopg://"),
        "AKTA_BUS_URL": args.amqp, "AKTA_BUS_NAMESPACE": namespace, "AKTA_DATA_DIR": str(root / "data"),
        "AKTA_TOKEN_PUBLIC_KEY_FILE": str(keys / "public.pem"),
        "AKTA_IDENTITY_TOKEN_PRIVATE_KEY_FILE": str(keys / "private.pem"), "AKTA_LOG_LEVEL": "WARNING",
    }
    moto = None
    installation = None
    created_database = False
    try:
        print(f"building {args.documents:,} PDFs …", flush=True)
        started = time.perf_counter()
        samples = make_samples(args.documents, args.seed, shared_word, run_tag)
        warmup = make_samples(WARMUP_DOCUMENTS, args.seed, shared_word + "warm", run_tag, first=args.documents)
        built_seconds = time.perf_counter() - started
        print(f"  {built_seconds:.1f} s; {sum(len(s.content) for s in samples) / 1e6:.1f} MB, "
              f"{sum(s.pages for s in samples):,} pages", flush=True)

        create_database(args.postgres, database_name)
        created_database = True
        if args.blobs == "moto":
            moto, settings["AKTA_DOCSTORE_BLOB_STORE_URL"] = start_moto(root)
        else:
            settings["AKTA_DOCSTORE_BLOB_STORE_URL"] = (root / "blobs").as_uri()
        environment = akta_environment(settings)
        installation = Installation(root, environment)
        print("setting up identity, cases and docstore …", flush=True)
        commands_together([[("akta-identity", "generate-keys", "--private-key", str(keys / "private.pem"),
                             "--public-key", str(keys / "public.pem"))]]
                          + [[(f"akta-{service}", "migrate")] for service in ("identity", "cases", "docstore")],
                          environment)
        organisation = "bench-kommune"
        password = secrets.token_urlsafe(12)
        [[_, _, group_output]] = commands_together([[
            ("akta-identity", "create-organisation", "--slug", organisation, "--name", "Bench Kommune"),
            ("akta-identity", "create-user", "--organisation", organisation, "--username", "sagsbehandler",
             "--password", password, "--role", "caseworker", "--role", "archivist"),
            ("akta-identity", "create-access-group", "--organisation", organisation, "--name", "Elevsager"),
        ]], environment)
        access_group_id = id_in(group_output)
        command("akta-identity", "grant", "--organisation", organisation, "--username", "sagsbehandler",
                "--scope-kind", "access_group", "--scope-id", access_group_id, "--permission", "write",
                environment=environment)
        installation.start_service("identity", workers=1)
        installation.start_service("cases", workers=1)
        installation.start_service("docstore", workers=2, threads=4)

        token = httpx.post(f"{installation.urls['identity']}/token", json={
            "organisation": organisation, "username": "sagsbehandler", "password": password}, timeout=30)
        token.raise_for_status()
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        cases = installation.urls["cases"]
        template = when_granted(lambda: httpx.post(f"{cases}/templates", json={
            "name": "Elevsag", "access_group_id": access_group_id}, headers=headers, timeout=30))
        if template.status_code != 201:
            raise RuntimeError(f"POST /templates: {template.status_code} {template.text[:300]}")
        case = httpx.post(f"{cases}/cases", json={"template_id": template.json()["id"], "title": "Elevsag: skoleskift"},
                          headers=headers, timeout=30)
        if case.status_code != 201:
            raise RuntimeError(f"POST /cases: {case.status_code} {case.text[:300]}")
        case_id = case.json()["id"]
        docstore = installation.urls["docstore"]

        print(f"warming up with {WARMUP_DOCUMENTS} documents …", flush=True)
        warm = when_granted(lambda: httpx.post(
            f"{docstore}/documents", headers=headers, timeout=60,
            data={"title": warmup[0].title, "document_type": warmup[0].document_type, "case_id": case_id},
            files={"file": (warmup[0].filename, warmup[0].content, "application/pdf")}))
        if warm.status_code != 201:
            raise RuntimeError(f"POST /documents (warm-up): {warm.status_code} {warm.text[:300]}")
        upload_all(docstore, headers, case_id, warmup[1:], args.clients, lambda: None, time.perf_counter())
        warm_monitor = Monitor(docstore, headers, shared_word + "warm", database_url, args.amqp, names, lambda: 0)
        wait_for(lambda: warm_monitor.found() == len(warmup), 120, "the warm-up documents were not found", interval=0.2)
        warm_monitor.client.close()
        wait_for(lambda: all_renditions_settled(database_url), 300, "the warm-up previews were not made", interval=0.5)

        print(f"uploading {args.documents:,} documents from {args.clients} clients …", flush=True)
        answered = Counter()
        monitor = Monitor(docstore, headers, shared_word, database_url, args.amqp, names, lambda: answered["n"])
        meter = CpuMeter({name: process.popen.pid for name, process in installation.processes.items()},
                         {"PostgreSQL (this database's backends)": f" postgres {database_name} ",
                          "RabbitMQ (the whole broker)": "beam.smp"})
        profiles = None
        if args.profile:
            profiles = Profiles(args.profile, {name: installation.processes[name].popen.pid
                                               for name in ("docstore web", "docstore worker", "identity worker")})
            time.sleep(1)  # py-spy attaching
        meter.start()
        own_before = time.process_time()
        busy_before, total_before = machine_busy()

        started = time.perf_counter()
        monitor.start(started)
        uploads = upload_all(docstore, headers, case_id, samples, args.clients, lambda: answered.update(n=1), started)
        uploaded_at = max(upload.answered for upload in uploads)
        print(f"  uploaded in {uploaded_at:.1f} s ({len(uploads) / uploaded_at:.1f}/s); waiting until searchable …", flush=True)
        deadline = time.monotonic() + args.timeout
        while not monitor.ticks or monitor.ticks[-1].found < len(uploads):
            if monitor.error:
                raise monitor.error
            installation.check_running()
            if time.monotonic() > deadline:
                raise RuntimeError(f"not all searchable within {args.timeout} s: {monitor.ticks[-1] if monitor.ticks else None}")
            time.sleep(0.05)
        searchable_at = monitor.ticks[-1].at
        cpu = meter.stop()
        if profiles is not None:
            profiles.stop()
        cpu[f"the benchmark ({args.clients} uploading clients, monitor)"] = time.process_time() - own_before
        busy_after, total_after = machine_busy()
        busy_share = (busy_after - busy_before) / (total_after - total_before)
        print(f"  all {len(uploads):,} searchable after {searchable_at:.1f} s ({len(uploads) / searchable_at:.1f}/s)", flush=True)

        previews_done_at = None
        try:
            wait_for(lambda: all_renditions_settled(database_url), args.preview_timeout, "previews", interval=0.5)
            previews_done_at = time.perf_counter() - started
        except RuntimeError:
            pass
        monitor.stop()
        previews_failed = count_previews(database_url, "failed")

        milestones = {}
        for share in (10, 50, 90, 100):
            needed = len(uploads) * share / 100
            milestones[share] = next(t.at for t in monitor.ticks if t.found >= needed)
        stages = stage_times(database_url, [upload.document_id for upload in uploads])
        verified = verify(docstore, headers, uploads, shared_word, args.verify, args.seed)
        print(f"  verified: {verified} documents each found by its own word, with a highlight", flush=True)

        latency = Timing([(upload.answered - upload.started) * 1000 for upload in uploads])
        result = Result(
            len(uploads), sum(s.pages for s in samples), sum(s.characters for s in samples),
            sum(len(s.content) for s in samples) / 1e6, built_seconds,
            uploads, latency, uploaded_at, searchable_at, milestones, monitor.ticks, stages, previews_done_at,
            previews_failed, cpu, busy_share, verified,
        )
        found_versions = library_versions("sqlalchemy", "flask", "psycopg", "kombu", "gunicorn", "httpx", "pypdf")
        with psycopg.connect(database_url) as database:
            found_versions["postgresql"] = database.execute("SHOW server_version").fetchone()[0].split()[0]
        with connect(args.amqp) as connection:
            connection.ensure_connection(max_retries=1)
            rabbitmq = connection.connection.server_properties.get("version", b"?")
            found_versions["rabbitmq"] = rabbitmq.decode() if isinstance(rabbitmq, bytes) else str(rabbitmq)
        return result, found_versions
    finally:
        if installation is not None:
            installation.stop()
        if moto is not None:
            moto.stop()
        try:
            cleanup_bus(args.amqp, names)
        except Exception as error:  # report, but still drop the database
            print(f"could not remove the bus namespace {namespace}: {error!r}", file=sys.stderr)
        if created_database and not args.keep_database:
            drop_database(args.postgres, database_name)
        elif created_database:
            print(f"kept database {database_name}")


def all_renditions_settled(database_url: str) -> bool:
    with psycopg.connect(database_url) as database:
        return database.execute(
            "SELECT count(*) FROM docstore.renditions WHERE status NOT IN ('done', 'failed')").fetchone()[0] == 0


def count_previews(database_url: str, status: str) -> int:
    with psycopg.connect(database_url) as database:
        return database.execute("SELECT count(*) FROM docstore.renditions WHERE kind = 'preview' AND status = %s",
                                (status,)).fetchone()[0]


# --------------------------------------------------------------------------- the report


def seconds_cell(values: list[float]) -> str:
    return f"{percentile(values, 50):.2f} / {percentile(values, 95):.2f} / {max(values):.2f}"


def report(result: Result, versions: dict[str, str], load: LoadSampler, args) -> list[str]:
    v, r = versions, result
    blobs = ("moto's S3 server (`moto_server`, in-memory, a Python process on the same machine)" if args.blobs == "moto"
             else "a local directory (`AKTA_DOCSTORE_BLOB_STORE_URL=file:///…`, on the same disk as PostgreSQL)")
    met = r.end_to_end_rate >= TARGET_PER_SECOND
    last = r.ticks[-1] if r.ticks else None
    max_text_backlog = max((t.text_pending for t in r.ticks), default=0)
    max_queue = {name: max((t.queued.get(name, 0) for t in r.ticks), default=0)
                 for name in ("plan_renditions", "index_documents")}
    lines = [
        f"`bench/ingest.py`, {date.today().isoformat()}: {os.cpu_count()} cores ({cpu_model()}), Python {v['python']}, "
        f"PostgreSQL {v['postgresql']}, RabbitMQ {v['rabbitmq']}, SQLAlchemy {v['sqlalchemy']}, Flask {v['flask']}, "
        f"psycopg {v['psycopg']}, kombu {v['kombu']}, gunicorn {v['gunicorn']}, httpx {v['httpx']}, pypdf {v['pypdf']}. "
        "Real mode, every part its own process on a fresh database and bus namespace: `akta-docstore serve` "
        "(gunicorn, 2 workers × 4 threads), `akta-docstore relay`, `akta-docstore worker` (its consumer and its "
        "rendition loop, `rendition_threads` 1), and identity and cases each as `serve` (1 worker), `relay` and "
        f"`worker`; blobs in {blobs}. The benchmark, its clients, the servers, PostgreSQL and RabbitMQ share the "
        f"machine; its 1-minute load average during the run was {load.describe()}"
        + (" — more than the cores on average, so read the figures as lower bounds of what the code can do." if load.busy else ".")
        + f" The machine's CPUs were {r.busy_share:.0%} busy from the first upload until all were searchable.",
        "",
        f"Documents: {r.count:,} text PDFs (fpdf2, Helvetica), {r.pages:,} pages of generated Danish casework prose "
        f"(applications, decisions, minutes, letters, notes; 1–2 pages, {r.characters / r.pages:,.0f} characters a page "
        "on average), "
        f"{r.megabytes:.1f} MB, each with a word of its own and one word they all share (neither in the title); "
        f"built in {r.built_seconds:.0f} s before the clock starts. {args.clients} threads, each with its own httpx client, "
        "upload them to one case as multipart/form-data (`POST /documents` with title, document_type, case_id and "
        f"the file), after {WARMUP_DOCUMENTS} warm-up documents. \"Searchable\" is `GET /search?q=<the shared "
        f"word>&kind=document` (asked every {SEARCH_EVERY} s, as the user) answering a total of {r.count:,}; then "
        f"{r.verified} documents chosen at random were each the one hit of their own word, with a `<mark>` "
        "highlight, and every text rendition read came from the text layer.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| uploads accepted (201), first upload to last answer | {r.upload_rate:.1f} docs/s ({r.uploaded_at:.1f} s; "
        f"{r.megabytes / r.uploaded_at:.2f} MB/s) |",
        f"| upload latency, ms (p50 / p95 / p99), {args.clients} clients | {r.latency.cell()} |",
        f"| **end to end: first upload to the last document found by search** | **{r.end_to_end_rate:.1f} docs/s** "
        f"({r.searchable_at:.1f} s) — target ≥ {TARGET_PER_SECOND}: {'met' if met else 'missed'} |",
        f"| found by search: 10% / 50% / 90% / 100% | {r.milestones[10]:.1f} / {r.milestones[50]:.1f} / "
        f"{r.milestones[90]:.1f} / {r.milestones[100]:.1f} s |",
        f"| searchable after the last upload was answered | {r.searchable_at - r.uploaded_at:.1f} s |",
        "| previews too (every rendition done or failed) | "
        + (f"{r.previews_done_at:.1f} s ({r.count / r.previews_done_at:.1f} docs/s), {r.previews_failed} failed |"
           if r.previews_done_at else f"not within {args.preview_timeout} s |"),
        f"| most text renditions waiting at once; most messages queued for plan_renditions / index_documents | "
        f"{max_text_backlog:,}; {max_queue['plan_renditions']:,} / {max_queue['index_documents']:,} |",
        "",
        "Where a document's time goes, per document from the timestamps docstore wrote (outbox written and sent, "
        "inbox rows of its worker, the text rendition's state), seconds, p50 / p95 / max:",
        "",
        "| stage | what happens | seconds |",
        "|---|---|---|",
        f"| relayed | upload committed → `document.version.stored` published by the relay | {seconds_cell(r.stages['relayed'])} |",
        f"| planned | → consumed by the worker, text and preview renditions planned | {seconds_cell(r.stages['planned'])} |",
        f"| text made | → claimed by the rendition loop, text extracted, stored, recorded | {seconds_cell(r.stages['text made'])} |",
        f"| text relayed | → `document.text.extracted` published | {seconds_cell(r.stages['text relayed'])} |",
        f"| indexed | → consumed by the worker, written into the search index | {seconds_cell(r.stages['indexed'])} |",
        f"| total | upload committed → indexed | {seconds_cell(r.stages['total'])} |",
        "",
        "CPU seconds used from the first upload until all were searchable "
        f"({r.searchable_at:.1f} s × {os.cpu_count()} cores = {r.searchable_at * (os.cpu_count() or 1):.0f} CPU seconds available):",
        "",
        "| process | CPU seconds | share of one core |",
        "|---|---|---|",
        *(f"| {name} | {seconds:.1f} | {seconds / r.searchable_at:.0%} |"
          for name, seconds in sorted(r.cpu.items(), key=lambda item: -item[1])),
    ]
    if last is not None:
        lines += ["", "Notes:", "", *(f"- {note}" for note in notes(r, args)), *(f"- {finding}" for finding in FINDINGS)]
    return lines


def notes(r: Result, args) -> list[str]:
    found = []
    made = r.stages["text made"]
    found.append(
        f"Uploading took {r.uploaded_at:.1f} s of the {r.searchable_at:.1f} s; the last document was searchable "
        f"{r.searchable_at - r.uploaded_at:.1f} s after the last upload was answered. The longest stage is "
        f"\"{max((k for k in r.stages if k != 'total'), key=lambda k: statistics.median(r.stages[k]))}\" "
        f"(median {max(statistics.median(v) for k, v in r.stages.items() if k != 'total'):.2f} s); text made "
        f"p50 {percentile(made, 50):.2f} s is mostly waiting for the one rendition thread, not the extraction."
    )
    found.append("Search latency at 100,000 documents is measured by `bench/search_latency.py` (its own section); "
                 "this benchmark only asks the total of one word while ingesting.")
    return found


# What the profiles (py-spy, the docstore worker and web processes) showed when this benchmark was written;
# filled in from the investigation, see the end of this file's section in docs/benchmarks.md.
FINDINGS: list[str] = []


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1_000)
    parser.add_argument("--clients", type=int, default=8, help="threads uploading at once, each with its own client")
    parser.add_argument("--blobs", choices=("local", "moto"), default="local", help="where docstore keeps the bytes")
    parser.add_argument("--verify", type=int, default=100, help="documents checked by their own word afterwards")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait until all are searchable")
    parser.add_argument("--preview-timeout", type=float, default=600, help="seconds to wait for the previews afterwards")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672//")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--keep-logs", action="store_true", help="leave the processes' logs in the temporary directory")
    parser.add_argument("--profile", type=Path, help="record py-spy profiles of docstore's web and worker into this directory")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="akta-bench-ingest-"))
    load = LoadSampler()
    try:
        result, versions = run(args, root, load)
    finally:
        load.stop()
        if args.keep_logs:
            print(f"logs in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    lines = report(result, versions, load, args)
    print()
    print("\n".join(lines))
    print()
    print("timeline (s: uploaded, found, text waiting, text done, previews done, outbox unsent, queued):")
    for tick in result.ticks[:: max(1, len(result.ticks) // 40)]:
        print(f"  {tick.at:6.1f}: {tick.uploaded:5} {tick.found:5} {tick.text_pending:5} {tick.text_done:5} "
              f"{tick.previews_done:5} {tick.outbox_unsent:5} {json.dumps(tick.queued)}")
    if not args.no_docs and args.documents >= 1_000 and not args.profile:
        write_section(SECTION_TITLE, lines)
        print(f"\nwritten to {BENCHMARKS_FILE}")
    elif not args.no_docs:
        print("\nfewer than 1,000 documents: docs/benchmarks.md left alone")


if __name__ == "__main__":
    main()
