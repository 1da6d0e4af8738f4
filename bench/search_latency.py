"""Search: ranked top-20 latency (p50/p95/p99) with the caller's access filter inside the query, at
100,000 documents of ~2 KB Danish text, for the built-in engine on PostgreSQL and on SQLite (and on
OpenSearch when AKTA_TEST_OPENSEARCH_URL is set); and how long indexing them takes.

The text is generated from a vocabulary of ~60,000 word forms (inflected Danish nouns of casework
and their compounds, function words first) drawn with a Zipf-like distribution, so there are rare
and common terms as in real archives. Documents are spread over 50 access groups, 10% carry a
screening code, and the benchmark user may read 15 groups (30%), the code `pupil` and 5 single
cases. Queries: rare terms (in 20-100 documents), common terms (in ~20%) and two-word queries (a
term in ~5% and one in ~20%), five of each in turn, through `SearchEngine.search` as the docstore's
API calls it (top 20, total, four facets) and without facets. Prints a table and writes it to
docs/benchmarks.md under "Search latency", keeping the "### Findings" written there by hand. Run with
`python bench/search_latency.py`; `--documents` for a smaller run, `--no-docs` prints only,
`--explain` prints PostgreSQL's plans.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import secrets
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, text
from support import (
    LoadSampler,
    Timing,
    cpu_model,
    create_database,
    drop_database,
    library_versions,
    timed,
    write_section,
)

from akta.access.scope import AccessScope
from akta.db.database import Database
from akta.search.builtin import BuiltinSearchEngine, create_schema
from akta.search.interface import IndexEntry, SearchEngine, SearchQuery
from akta.search.words import stem

SECTION_TITLE = "## Search latency (built-in engine and OpenSearch)"
TARGET_P95_MS = 100
TENANT = "bench-kommune"
ACCESS_GROUPS = 50
USER_GROUPS = 15
SCREENED_SHARE = 0.10
SCREENING_CODES = ("pupil", "pupil", "health", "personnel", "child")
CASES = 20_000
USER_CASE_GRANTS = 5
INDEX_BATCH = 1_000
VARIANTS = 5  # queries of each kind, asked in turn
DOCUMENT_TYPES = ("letter", "letter", "letter", "decision", "minutes", "note", "email", "email", "application")
FIRST_NAMES = "Anne Mette Hanne Lone Kirsten Jens Peter Lars Søren Niels Mads Frederik Ida Freja Emma Åse Øjvind".split()
LAST_NAMES = "Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen Kjærgaard Østergaard Ærø".split()
FUNCTION_WORDS = (
    "og i at det en den til er som på de med for af ikke der var har om vi men et fra efter kan skal vil også så "
    "blev ved eller hvis når han hun ham hende sig sin sit sine være været blive bliver denne dette disse over under "
    "mod hos her nu da jo kun alle andre meget mere mest"
).split()
BASES = (
    "skole elev klasse lærer forælder barn sag ansøgning afgørelse klage orlov fravær trivsel undervisning befordring "
    "kørsel bevilling tilskud betaling faktura regning kontrakt aftale møde referat dagsorden beslutning høring "
    "udtalelse vurdering indstilling rapport notat brev besked henvendelse svar anmodning tilladelse dispensation "
    "godkendelse afslag frist dato uge måned budget regnskab økonomi løn ansættelse opsigelse ferie sygdom "
    "sygemelding attest læge sundhed psykolog udredning handleplan støtte specialundervisning inklusion visitation "
    "tilbud plads venteliste optagelse udmeldelse indskrivning skift overflytning institution børnehave vuggestue "
    "fritidshjem klub uddannelse praktik vejledning karakter eksamen prøve opgave projekt lektie bog materiale "
    "computer netværk system adgang kode bruger konto arkiv journal dokument bilag kopi original underskrift "
    "samtykke fuldmagt værge myndighed kommune region ministerium forvaltning afdeling enhed leder chef medarbejder "
    "kollega team gruppe udvalg bestyrelse råd formand sekretær borger ansøger klager part aktindsigt tavshedspligt "
    "oplysning registrering samtale opfølgning evaluering status underretning bekymring indsats foranstaltning "
    "anbringelse plejefamilie bolig husleje ejendom bygning lokale renovering vedligeholdelse rengøring indkøb "
    "leverandør udbud licitation kvalitet tilsyn kontrol inspektion sikkerhed brand alarm ulykke skade forsikring "
    "erstatning ansvar regel lov bekendtgørelse cirkulære politik strategi plan mål resultat effekt idræt musik "
    "kantine bibliotek bus cykel vej trafik miljø affald energi vand varme"
).split()
SUFFIXES = ("", "en", "et", "er", "erne", "s", "e", "ens")


# --------------------------------------------------------------------------- the corpus


@dataclass
class Corpus:
    """The vocabulary and how to make the same documents again (from the seed), for each engine."""

    documents: int
    seed: int
    forms: list[str]
    cumulative: list[float]
    content_from: int  # index of the first content word in `forms` (function words before it)
    groups: list[str]
    cases: list[str]
    user_groups: frozenset[str]
    user_cases: frozenset[str]
    stem_frequency: Counter = field(default_factory=Counter)  # documents per stem
    stem_forms: dict[str, Counter] = field(default_factory=dict)  # stem → its forms as drawn

    def entries(self) -> Iterator[IndexEntry]:
        rng = random.Random(self.seed)
        start = datetime(2020, 1, 1, tzinfo=UTC)
        for index in range(self.documents):
            words = self._text_words(rng, rng.randint(1_600, 2_400))
            title_words = [word for word in self._draw(rng, 12) if word not in FUNCTION_WORDS][:rng.randint(2, 6)]
            group = rng.choice(self.groups)
            screened = rng.random() < SCREENED_SHARE
            day = start + timedelta(days=rng.randrange(6 * 365))
            party_names = tuple(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(rng.randint(0, 2)))
            yield IndexEntry(
                tenant_id=TENANT,
                kind="document",
                id=f"doc-{index:06d}",
                title=" ".join(title_words).capitalize() or "Notat",
                text=_sentences(rng, words),
                language="danish",
                access_group_id=group,
                screening_code=rng.choice(SCREENING_CODES) if screened else None,
                case_id=rng.choice(self.cases),
                case_number=f"{day.year}/{rng.randrange(1, 40_000):06d}",
                document_type=rng.choice(DOCUMENT_TYPES),
                category=rng.choice(("in", "out", "internal")),
                status=rng.choice(("draft", "final", "final", "final")),
                class_code=f"{rng.randrange(1, 30):02d}.{rng.randrange(1, 8):02d}",
                party_ids=tuple(f"person-{rng.randrange(30_000)}" for _ in party_names),
                party_names=party_names,
                date=day.date(),
                updated_at=day + timedelta(days=rng.randrange(30)),
            )

    def _text_words(self, rng: random.Random, size: int) -> list[str]:
        """Words until their text is about `size` bytes long."""
        words, length = [], 0
        while length < size:
            batch = self._draw(rng, 50)
            words += batch
            length += sum(len(word.encode()) + 1 for word in batch)
        return words

    def _draw(self, rng: random.Random, count: int) -> list[str]:
        total = self.cumulative[-1]
        return [self.forms[bisect.bisect(self.cumulative, rng.random() * total)] for _ in range(count)]

    def count_frequencies(self) -> None:
        for entry in self.entries():
            seen = set()
            for word in entry.text.lower().replace(".", " ").split():
                found = stem("danish", word)
                seen.add(found)
                self.stem_forms.setdefault(found, Counter())[word] += 1
            self.stem_frequency.update(seen)

    def queries(self, rng: random.Random) -> dict[str, list[str]]:
        """Rare, common and two-word queries, chosen by how many documents hold each stem."""
        content = {stem("danish", word) for word in self.forms[self.content_from:]}
        share = {found: count / self.documents for found, count in self.stem_frequency.items() if found in content}
        rare = [found for found, count in self.stem_frequency.items() if found in content and 20 <= count <= 100]
        common = sorted(share, key=lambda found: abs(share[found] - 0.20))[:VARIANTS]
        middle = sorted(share, key=lambda found: abs(share[found] - 0.05))[:VARIANTS]
        word = self.word_for
        return {
            "rare": [word(found) for found in rng.sample(sorted(rare), min(VARIANTS, len(rare)))],
            "common": [word(found) for found in common],
            "two words": [f"{word(a)} {word(b)}" for a, b in zip(middle, common[::-1], strict=True)],
        }

    def word_for(self, found: str) -> str:
        return self.stem_forms[found].most_common(1)[0][0]

    def share(self, query: str) -> str:
        counts = [self.stem_frequency[stem("danish", word)] for word in query.split()]
        return " & ".join(f"{count / self.documents:.1%}" if count >= self.documents / 1000 else f"{count}"
                          for count in counts)


def make_corpus(documents: int, seed: int) -> Corpus:
    rng = random.Random(seed)
    # Function words are the most frequent, then the inflected base nouns, then their compounds.
    nouns = [base + suffix for base in BASES for suffix in rng.sample(SUFFIXES, 3)]
    compounds = set()
    while len(compounds) < 28_000:
        first, second = rng.sample(BASES, 2)
        compounds.add(first + second)
    compound_forms = [compound + suffix for compound in sorted(compounds) for suffix in rng.sample(SUFFIXES, 2)]
    rng.shuffle(nouns)
    rng.shuffle(compound_forms)
    forms = list(FUNCTION_WORDS) + nouns + compound_forms
    # Zipf-Mandelbrot: the word of rank r is drawn with weight 1 / (r + 2.7).
    cumulative = list(itertools.accumulate(1 / (rank + 2.7) for rank in range(1, len(forms) + 1)))
    groups = [f"group-{index:02d}" for index in range(ACCESS_GROUPS)]
    cases = [f"case-{index:05d}" for index in range(CASES)]
    return Corpus(
        documents=documents, seed=seed, forms=forms, cumulative=cumulative, content_from=len(FUNCTION_WORDS),
        groups=groups, cases=cases, user_groups=frozenset(rng.sample(groups, USER_GROUPS)),
        user_cases=frozenset(rng.sample(cases, USER_CASE_GRANTS)),
    )


def _sentences(rng: random.Random, words: list[str]) -> str:
    sentences, at = [], 0
    while at < len(words):
        length = rng.randint(7, 16)
        sentence = words[at:at + length]
        sentences.append(" ".join(sentence).capitalize() + ".")
        at += length
    return " ".join(sentences)


# --------------------------------------------------------------------------- engines


@dataclass
class Run:
    name: str
    indexed_seconds: float = 0.0
    size: str = ""
    figures: dict[tuple[str, bool], Timing] = field(default_factory=dict)  # (kind, with facets) → latencies
    totals: dict[str, list[int]] = field(default_factory=dict)  # kind → readable matches of each variant


def index_corpus(engine: SearchEngine, corpus: Corpus) -> float:
    """Seconds spent in `engine.index`, batches of INDEX_BATCH (making the entries not counted)."""
    spent, batch = 0.0, []
    for count, entry in enumerate(corpus.entries(), start=1):
        batch.append(entry)
        if len(batch) == INDEX_BATCH:
            started = time.perf_counter()
            engine.index(batch)
            spent += time.perf_counter() - started
            batch = []
            if count % 20_000 == 0:
                print(f"    {count:,} indexed, {count / spent:,.0f}/s", flush=True)
    if batch:
        started = time.perf_counter()
        engine.index(batch)
        spent += time.perf_counter() - started
    return spent


def measure(engine: SearchEngine, run: Run, scope: AccessScope, queries: dict[str, list[str]], count: int,
            warmup: int) -> None:
    for kind, variants in queries.items():
        run.totals[kind] = [engine.search(scope, SearchQuery(text=words, limit=20)).total for words in variants]
        for with_facets in (True, False):
            asked = itertools.cycle([
                SearchQuery(text=words, limit=20, **({} if with_facets else {"facets": ()})) for words in variants
            ])
            timing = timed(lambda asked=asked: engine.search(scope, next(asked)), count, warmup)
            run.figures[(kind, with_facets)] = timing
            print(f"  {run.name}, {kind}{'' if with_facets else ' (no facets)'}: {timing.cell()} ms", flush=True)


def statements_of(database: Database, work: Callable[[], object]) -> list[tuple[str, object]]:
    captured = []

    def capture(_connection, _cursor, statement, parameters, _context, _executemany) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        work()
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    return captured


def explain(database: Database, engine: SearchEngine, scope: AccessScope, queries: dict[str, list[str]]) -> None:
    for kind, variants in queries.items():
        query = SearchQuery(text=variants[0], limit=20)
        for statement, parameters in statements_of(database, lambda query=query: engine.search(scope, query)):
            with database.engine.connect() as connection:
                plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars().all()
            print(f"\n--- {kind}: {variants[0]!r}\n{statement}\n" + "\n".join(plan))


def run_postgresql(corpus: Corpus, scope: AccessScope, queries, args) -> Run:
    run = Run("PostgreSQL")
    name = f"akta_bench_search_{secrets.token_hex(4)}"
    create_database(args.postgres, name)
    database = Database(f"{args.postgres.replace('postgresql://', 'postgresql+psycopg://')}/{name}", schema="docstore")
    try:
        with database.engine.begin() as connection:
            connection.execute(text('CREATE SCHEMA "docstore"'))
            create_schema(connection)
        engine = BuiltinSearchEngine(database)
        print("  PostgreSQL: indexing", flush=True)
        run.indexed_seconds = index_corpus(engine, corpus)
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE search_entries"))
            connection.execute(text("VACUUM ANALYZE search_entry_parties"))
            size = connection.scalar(text("SELECT pg_total_relation_size('search_entries')"))
        run.size = f"{size / 1e6:,.0f} MB (table, TOAST and indexes)"
        measure(engine, run, scope, queries, args.requests, args.warmup)
        if args.explain:
            explain(database, engine, scope, queries)
    finally:
        database.dispose()
        if not args.keep_database:
            drop_database(args.postgres, name)
    return run


def run_sqlite(corpus: Corpus, scope: AccessScope, queries, args, directory: Path) -> Run:
    run = Run("SQLite")
    path = directory / "docstore.db"
    database = Database(f"sqlite:///{path}")
    try:
        with database.engine.begin() as connection:
            create_schema(connection)
        engine = BuiltinSearchEngine(database)
        print("  SQLite: indexing", flush=True)
        run.indexed_seconds = index_corpus(engine, corpus)
        # No ANALYZE: an embedded installation never runs it, so its plans are made without statistics.
        database.dispose()
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        run.size = f"{path.stat().st_size / 1e6:,.0f} MB (the database file)"
        measure(engine, run, scope, queries, args.requests, args.warmup)
    finally:
        database.dispose()
    return run


def run_opensearch(url: str, corpus: Corpus, scope: AccessScope, queries, args) -> Run:
    from opensearchpy import OpenSearch

    from akta.search.opensearch import OpenSearchEngine

    run = Run("OpenSearch")
    client = OpenSearch(url, timeout=120)
    engine = OpenSearchEngine(client, index_prefix=f"akta-bench-{secrets.token_hex(4)}")
    try:
        print("  OpenSearch: indexing", flush=True)
        run.indexed_seconds = index_corpus(engine, corpus)
        client.indices.refresh(index=engine.index_name)
        client.indices.forcemerge(index=engine.index_name, max_num_segments=1)
        stats = client.indices.stats(index=engine.index_name)
        run.size = f"{stats['_all']['primaries']['store']['size_in_bytes'] / 1e6:,.0f} MB (primary store)"
        measure(engine, run, scope, queries, args.requests, args.warmup)
    finally:
        client.indices.delete(index=engine.index_name, ignore=404)
        client.indices.delete_index_template(name=engine.index_name, ignore=404)
    return run


# --------------------------------------------------------------------------- the report


def report(runs: list[Run], corpus: Corpus, queries, scope: AccessScope, load: LoadSampler, args,
           versions: dict[str, str], average_bytes: float) -> list[str]:
    engines = ", ".join(f"{run.name}" for run in runs)
    lines = [
        f"`bench/search_latency.py`, {date.today().isoformat()}: {os.cpu_count()} cores ({cpu_model()}), Python "
        f"{versions['python']}, PostgreSQL {versions.get('postgresql', '—')}, SQLite {sqlite3.sqlite_version}, "
        f"SQLAlchemy {versions['sqlalchemy']}, psycopg {versions['psycopg']}, snowballstemmer "
        f"{versions['snowballstemmer']}. Engines: {engines}, in process (`SearchEngine.search`, as the docstore's "
        "API calls it), the benchmark and the database on the same machine, which other developers' test runs "
        f"shared: its 1-minute load average during the run was {load.describe()}"
        + (" — more than the cores on average, so read the figures as upper bounds." if load.busy else "."),
        "",
        f"Data: {corpus.documents:,} documents of one tenant, {average_bytes / 1000:.1f} KB of Danish text each on "
        f"average (UTF-8), generated from {len(corpus.forms):,} word forms with a Zipf-like distribution (inflected "
        f"nouns of casework and their compounds, function words most frequent), titles of 2–6 words, 0–2 party "
        f"names, in {ACCESS_GROUPS} access groups, {SCREENED_SHARE:.0%} screened, {CASES:,} cases. The user may read "
        f"{USER_GROUPS} groups ({USER_GROUPS / ACCESS_GROUPS:.0%}), the screening code `pupil` and "
        f"{USER_CASE_GRANTS} single cases.",
        "",
        "Queries (five of each kind, asked in turn; share of all documents holding the stem): "
        + "; ".join(f"{kind}: " + ", ".join(f"`{words}` ({corpus.share(words)})" for words in variants)
                    for kind, variants in queries.items()) + ".",
        "",
        f"Latency in ms, p50 / p95 / p99 over N = {args.requests} searches after {args.warmup} warm-up searches, one "
        "caller: the top 20 by relevance with snippets, the total the user may read and the facets kind, "
        "document_type, status and class_code, all filtered by access inside the queries; then the same without "
        f"facets. Target: p95 ≤ {TARGET_P95_MS} ms.",
        "",
        "| query | " + " | ".join(f"{run.name}" for run in runs) + " |",
        "|---|" + "---|" * len(runs),
    ]
    for kind in queries:
        totals = " / ".join(f"{total:,}" for total in runs[0].totals[kind])
        lines.append(f"| {kind} (readable matches: {totals}) | "
                     + " | ".join(run.figures[(kind, True)].cell() for run in runs) + " |")
        lines.append("| … without facets | " + " | ".join(run.figures[(kind, False)].cell() for run in runs) + " |")
    lines += [
        f"| indexing {corpus.documents:,} documents, batches of {INDEX_BATCH:,} | "
        + " | ".join(f"{run.indexed_seconds:,.0f} s ({corpus.documents / run.indexed_seconds:,.0f}/s)" for run in runs)
        + " |",
        "| size | " + " | ".join(run.size for run in runs) + " |",
        "",
        "Notes:",
        "",
    ]
    lines += [f"- {line}" for line in notes(runs, queries)]
    return lines


def notes(runs: list[Run], queries) -> list[str]:
    found = []
    for run in runs:
        worst = max(run.figures[(kind, True)].p95 for kind in queries)
        found.append(f"{run.name}: p95 at most {worst:.0f} ms with facets "
                     + ("— within the target." if worst <= TARGET_P95_MS else f"— over the {TARGET_P95_MS} ms target."))
    mismatched = [kind for kind in queries if len({tuple(run.totals[kind]) for run in runs}) > 1]
    found.append("Every engine counted the same readable matches for every query." if not mismatched else
                 "The engines' totals differ for: " + ", ".join(mismatched) + " (stemming or stop words).")
    return found


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed searches per figure")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--opensearch", default=os.environ.get("AKTA_TEST_OPENSEARCH_URL"))
    parser.add_argument("--only", choices=("postgresql", "sqlite", "opensearch"), default=None)
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's plans of the searches")
    parser.add_argument("--keep-database", action="store_true", help="leave the PostgreSQL database")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    if args.requests < 2:
        parser.error("percentiles need at least 2 timed searches")

    load = LoadSampler()
    started = time.perf_counter()
    corpus = make_corpus(args.documents, args.seed)
    corpus.count_frequencies()
    queries = corpus.queries(random.Random(args.seed))
    sample = list(itertools.islice(corpus.entries(), 2_000))
    average_bytes = sum(len(entry.text.encode()) for entry in sample) / len(sample)
    print(f"corpus: {args.documents:,} documents, {len(corpus.stem_frequency):,} stems, "
          f"{average_bytes:,.0f} bytes of text on average ({time.perf_counter() - started:.0f} s)", flush=True)
    for kind, variants in queries.items():
        print(f"  {kind}: " + ", ".join(f"{words!r} ({corpus.share(words)})" for words in variants), flush=True)
    scope = AccessScope(tenant_id=TENANT, read_groups=corpus.user_groups, read_codes=frozenset({"pupil"}),
                        read_cases=corpus.user_cases)

    versions = library_versions("sqlalchemy", "psycopg", "snowballstemmer")
    runs = []
    with tempfile.TemporaryDirectory(prefix="akta-bench-search-") as directory:
        if args.only in (None, "postgresql"):
            import psycopg

            with psycopg.connect(f"{args.postgres}/postgres") as connection:
                versions["postgresql"] = connection.execute("SHOW server_version").fetchone()[0].split()[0]
            runs.append(run_postgresql(corpus, scope, queries, args))
        if args.only in (None, "sqlite"):
            runs.append(run_sqlite(corpus, scope, queries, args, Path(directory)))
        if args.opensearch and args.only in (None, "opensearch"):
            runs.append(run_opensearch(args.opensearch, corpus, scope, queries, args))
    load.stop()

    lines = report(runs, corpus, queries, scope, load, args, versions, average_bytes)
    print("\n" + "\n".join(lines))
    if not args.no_docs:
        write_section(SECTION_TITLE, lines)


if __name__ == "__main__":
    main()
