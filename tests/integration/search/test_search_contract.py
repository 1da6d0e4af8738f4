"""One contract for every search engine (see conftest.py for which): what a search box finds in
Danish and Norwegian, ranking, snippets, filters, sorts, pages, facets, access inside the query,
index maintenance, and hostile input."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from akta.access.scope import READ, AccessScope
from akta.search.interface import FACETS, IndexEntry, InvalidSearchQuery, SearchQuery, SearchResults

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
OPEN = "group-open"
FILLER = (
    "Mødet blev holdt på skolen med forældre lærere og ledelse hvor man drøftede trivsel "
    "undervisning frikvarterer lektier samt næste skridt i forløbet for klassen"
).split()


def entry(tenant_id: str, entry_id: str, title: str = "Notat", text: str = "", **fields) -> IndexEntry:
    fields.setdefault("access_group_id", OPEN)
    fields.setdefault("updated_at", NOW)
    fields.setdefault("kind", "document")
    return IndexEntry(tenant_id=tenant_id, id=entry_id, title=title, text=text, **fields)


def filler(words: int, offset: int = 0) -> str:
    return " ".join(FILLER[(offset + index) % len(FILLER)] for index in range(words))


def reader(tenant_id: str, groups=(OPEN,), codes=(), cases=()) -> AccessScope:
    return AccessScope(tenant_id=tenant_id, read_groups=frozenset(groups), read_codes=frozenset(codes),
                       read_cases=frozenset(cases))


def search(engine, scope: AccessScope, text: str = "", **query) -> SearchResults:
    return engine.search(scope, SearchQuery(text=text, **query))


def ids(results: SearchResults) -> list[str]:
    return [hit.id for hit in results.hits]


def found(engine, scope: AccessScope, text: str = "", **query) -> set[str]:
    results = search(engine, scope, text, limit=100, **query)
    assert results.total == len(results.hits), "more than a page: the test means to see every hit"
    return set(ids(results))


# --------------------------------------------------------------------------- words


def test_danish_words_are_found_in_their_other_forms(engine, tenant):
    engine.index([
        entry(tenant, "shift", "Elevsag", "Skoleskiftet blev godkendt af skolelederen."),
        entry(tenant, "application", "Orlov", "Ansøgningen om orlov er modtaget."),
        entry(tenant, "other", "Referat", filler(20)),
    ])
    scope = reader(tenant)
    assert found(engine, scope, "skoleskift") == {"shift"}
    assert found(engine, scope, "skoleskiftet") == {"shift"}
    assert found(engine, scope, "ansøgning") == {"application"}
    assert found(engine, scope, "ANSØGNINGER") == {"application"}
    assert found(engine, scope, "godkendelse") == {"shift"}


def test_norwegian_words_are_stemmed_as_norwegian(engine, tenant):
    engine.index([
        entry(tenant, "nb", "Permisjon", "Søknaden om permisjon er mottatt og vedtaket sendt.", language="norwegian"),
        entry(tenant, "da", "Orlov", "Ansøgningen om orlov er modtaget.", language="danish"),
    ])
    scope = reader(tenant)
    assert found(engine, scope, "søknad") == {"nb"}
    assert found(engine, scope, "søknader") == {"nb"}
    assert found(engine, scope, "vedtak") == {"nb"}
    assert found(engine, scope, "orlov") == {"da"}


def test_æøå_are_letters_of_their_own_and_come_back_unchanged(engine, tenant):
    engine.index([entry(tenant, "ø", "Kørsel til Århus og Ærø", "Bådebroen på Ærø er ødelagt.")])
    scope = reader(tenant)
    results = search(engine, scope, "ødelagt")
    assert ids(results) == ["ø"]
    assert results.hits[0].title == "Kørsel til Århus og Ærø"
    assert "<mark>ødelagt</mark>" in results.hits[0].snippet
    assert "Bådebroen" in results.hits[0].snippet
    assert found(engine, scope, "ÆRØ") == {"ø"}
    assert found(engine, scope, "bådebroen") == {"ø"}
    assert found(engine, scope, "odelagt") == set()
    assert found(engine, scope, "aero") == set()


def test_party_names_and_case_numbers_are_searchable(engine, tenant):
    engine.index([
        entry(tenant, "letter", "Brev", filler(10), party_names=("Mette Kjærgaard",), case_number="2024/000123"),
        entry(tenant, "other", "Brev", filler(10), party_names=("Jens Hansen",), case_number="2024/000124"),
    ])
    scope = reader(tenant)
    assert found(engine, scope, "kjærgaard") == {"letter"}
    assert found(engine, scope, "2024/000123") == {"letter"}


# --------------------------------------------------------------------------- ranking and queries


def test_a_title_match_ranks_above_a_text_match(engine, tenant):
    engine.index([
        entry(tenant, "in-text", "Notat om kørsel", filler(12) + " klage " + filler(12, 3)),
        entry(tenant, "in-title", "Klage over befordring", filler(25, 5)),
        *(entry(tenant, f"noise-{index}", "Referat", filler(25, index)) for index in range(6)),
    ])
    results = search(engine, reader(tenant), "klage")
    assert ids(results) == ["in-title", "in-text"]
    assert results.hits[0].score > results.hits[1].score > 0


def test_more_occurrences_rank_higher(engine, tenant):
    engine.index([
        entry(tenant, "once", "Notat", "bevilling " + filler(29)),
        entry(tenant, "thrice", "Notat", "bevilling bevilling bevilling " + filler(27)),
        *(entry(tenant, f"noise-{index}", "Referat", filler(30, index)) for index in range(6)),
    ])
    assert ids(search(engine, reader(tenant), "bevilling")) == ["thrice", "once"]


def test_every_word_must_match(engine, tenant):
    engine.index([
        entry(tenant, "both", "Sag", "skoleskift og orlov"),
        entry(tenant, "shift", "Sag", "skoleskift"),
        entry(tenant, "leave", "Sag", "orlov"),
    ])
    scope = reader(tenant)
    assert found(engine, scope, "skoleskift orlov") == {"both"}
    assert found(engine, scope, "skoleskift") == {"both", "shift"}


def test_a_quoted_phrase_matches_its_words_together_and_in_order(engine, tenant):
    engine.index([
        entry(tenant, "phrase", "Sag", "Eleven fik skoleskift godkendt i går."),
        entry(tenant, "apart", "Sag", "Godkendt blev det ikke, men skoleskift kan søges igen."),
    ])
    scope = reader(tenant)
    assert found(engine, scope, '"skoleskift godkendt"') == {"phrase"}
    assert found(engine, scope, "skoleskift godkendt") == {"phrase", "apart"}
    assert "<mark>" in search(engine, scope, '"skoleskift godkendt"').hits[0].snippet


def test_a_minus_leaves_out(engine, tenant):
    engine.index([
        entry(tenant, "both", "Sag", "skoleskift og orlov"),
        entry(tenant, "shift", "Sag", "skoleskift"),
    ])
    scope = reader(tenant)
    assert found(engine, scope, "skoleskift -orlov") == {"shift"}
    assert found(engine, scope, 'skoleskift -"og orlov"') == {"shift"}


def test_snippets_mark_the_matches_and_escape_everything_else(engine, tenant):
    text = "Tekst om skoleskift med <script>alert('x')</script> & <b>fed</b> i \"sagen\" hvor a<b og c>d."
    engine.index([entry(tenant, "html", "<i>Titel</i>", text)])
    hit = search(engine, reader(tenant), "skoleskift").hits[0]
    assert "<mark>skoleskift</mark>" in hit.snippet
    assert "&lt;script&gt;" in hit.snippet and "&amp;" in hit.snippet
    assert not re.search(r"<(?!/?mark>)", hit.snippet), hit.snippet
    assert hit.title == "<i>Titel</i>"  # plain text: the page escapes it


def test_without_words_the_snippet_is_the_start_of_the_text_escaped(engine, tenant):
    engine.index([
        entry(tenant, "text", "Sag", "<Første> linje af teksten. " + filler(60)),
        entry(tenant, "empty", "Tom", ""),
    ])
    hits = {hit.id: hit for hit in search(engine, reader(tenant)).hits}
    assert hits["text"].snippet.startswith("&lt;Første&gt; linje")
    assert "<mark>" not in hits["text"].snippet
    assert hits["empty"].snippet == ""


# --------------------------------------------------------------------------- filters, sorts, pages, facets


def _filter_corpus(tenant: str) -> list[IndexEntry]:
    return [
        entry(tenant, "d1", "Sag brev", document_type="letter", category="in", status="final", class_code="17.01",
              case_id="c1", party_ids=("p1",), date=date(2024, 1, 10)),
        entry(tenant, "d2", "Sag afgørelse", document_type="decision", category="out", status="draft",
              class_code="17.02", case_id="c2", party_ids=("p2",), date=date(2024, 2, 10)),
        entry(tenant, "d3", "Sag brev to", document_type="letter", status="final", class_code="17.02", case_id="c1",
              party_ids=("p1", "p2"), date=datetime(2024, 3, 10, 23, 30, tzinfo=UTC)),
        entry(tenant, "c1", "Sag om skoleskift", kind="case", status="open", class_code="17.01",
              case_number="2024/000001", party_ids=("p1",), date=datetime(2024, 1, 1, 8, 0, tzinfo=UTC)),
        entry(tenant, "c2", "Sag om orlov", kind="case", status="closed", class_code="17.02"),
    ]


@pytest.mark.parametrize("text", ["", "sag"])
def test_each_filter(engine, tenant, text):
    engine.index(_filter_corpus(tenant))
    scope = reader(tenant)
    expectations = [
        ({"kinds": ("case",)}, {"c1", "c2"}),
        ({"kinds": ("document",)}, {"d1", "d2", "d3"}),
        ({"document_types": ("letter",)}, {"d1", "d3"}),
        ({"document_types": ("letter", "decision")}, {"d1", "d2", "d3"}),
        ({"categories": ("out",)}, {"d2"}),
        ({"statuses": ("final",)}, {"d1", "d3"}),
        ({"statuses": ("open", "draft")}, {"c1", "d2"}),
        ({"class_codes": ("17.02",)}, {"d2", "d3", "c2"}),
        ({"case_id": "c1"}, {"d1", "d3", "c1"}),
        ({"party_id": "p2"}, {"d2", "d3"}),
        ({"party_id": "nobody"}, set()),
        ({"date_from": date(2024, 2, 10)}, {"d2", "d3"}),
        ({"date_to": date(2024, 2, 10)}, {"d1", "d2", "c1"}),
        ({"date_from": date(2024, 2, 10), "date_to": date(2024, 2, 10)}, {"d2"}),
        ({"date_from": date(2024, 3, 10), "date_to": date(2024, 3, 10)}, {"d3"}),
        ({"date_to": date(2024, 1, 1)}, {"c1"}),
        ({"kinds": ("document",), "case_id": "c1", "statuses": ("final",)}, {"d1", "d3"}),
    ]
    for filters, expected in expectations:
        assert found(engine, scope, text, **filters) == expected, filters


def test_hits_carry_what_a_result_list_shows(engine, tenant):
    engine.index(_filter_corpus(tenant))
    hits = {hit.id: hit for hit in search(engine, reader(tenant), "skoleskift").hits}
    case = hits["c1"]
    assert (case.kind, case.case_id, case.case_number, case.status, case.date) == (
        "case", "c1", "2024/000001", "open", date(2024, 1, 1))
    letter = {hit.id: hit for hit in search(engine, reader(tenant), "brev").hits}["d3"]
    assert (letter.kind, letter.case_id, letter.document_type, letter.status, letter.date) == (
        "document", "c1", "letter", "final", date(2024, 3, 10))


def test_each_sort(engine, tenant):
    engine.index([
        entry(tenant, "oe", "Ørsted", "sag", date=date(2024, 5, 1)),
        entry(tenant, "an", "anden", "sag", date=date(2024, 1, 1)),
        entry(tenant, "bi", "Bil", "sag sag sag", date=None),
        entry(tenant, "aa", "Åben", "sag", date=date(2024, 3, 1)),
        entry(tenant, "ae", "Æble", "sag", date=date(2024, 3, 1)),
        entry(tenant, "ze", "zebra", "sag", date=date(2023, 12, 1)),
    ])
    scope = reader(tenant)
    assert ids(search(engine, scope, sort="title")) == ["an", "bi", "ze", "ae", "oe", "aa"]
    assert ids(search(engine, scope, sort="date_desc")) == ["oe", "aa", "ae", "an", "ze", "bi"]
    assert ids(search(engine, scope, sort="date_asc")) == ["ze", "an", "aa", "ae", "oe", "bi"]
    assert ids(search(engine, scope, sort="relevance")) == ["oe", "aa", "ae", "an", "ze", "bi"]  # no words: newest first
    assert ids(search(engine, scope, "sag", sort="relevance"))[0] == "bi"
    assert ids(search(engine, scope, "sag", sort="title")) == ["an", "bi", "ze", "ae", "oe", "aa"]
    assert all(hit.score == 0 for hit in search(engine, scope, "sag", sort="title").hits)


@pytest.mark.parametrize("sort", ["relevance", "date_desc", "title"])
def test_pages_are_stable_and_complete(engine, tenant, sort):
    engine.index([
        entry(tenant, f"r{index:02d}", "Referat", "referat af mødet", date=date(2024, 1, 1 + index % 3))
        for index in range(25)
    ])
    scope = reader(tenant)
    pages = [search(engine, scope, "referat", sort=sort, offset=offset, limit=10) for offset in (0, 10, 20)]
    seen = [hit_id for page in pages for hit_id in ids(page)]
    assert [len(page.hits) for page in pages] == [10, 10, 5]
    assert all(page.total == 25 for page in pages)
    assert sorted(seen) == [f"r{index:02d}" for index in range(25)]
    assert seen == ids(search(engine, scope, "referat", sort=sort, limit=25))
    assert ids(search(engine, scope, "referat", sort=sort, offset=25)) == []


def test_facets_count_the_results(engine, tenant):
    engine.index(_filter_corpus(tenant))
    scope = reader(tenant)
    results = search(engine, scope, facets=FACETS)
    assert results.total == 5
    assert results.facets == {
        "kind": [("document", 3), ("case", 2)],
        "document_type": [("letter", 2), ("decision", 1)],
        "category": [("in", 1), ("out", 1)],
        "status": [("final", 2), ("closed", 1), ("draft", 1), ("open", 1)],
        "class_code": [("17.02", 3), ("17.01", 2)],
    }
    narrowed = search(engine, scope, "brev", facets=("kind", "status"))
    assert narrowed.facets == {"kind": [("document", 2)], "status": [("final", 2)]}
    assert search(engine, scope, facets=()).facets == {}
    assert search(engine, scope, "sag", limit=1).total == 5


# --------------------------------------------------------------------------- access


def _access_corpus(tenant: str, other_tenant: str) -> list[IndexEntry]:
    return [
        entry(tenant, "a1", "Rapport", "rapport", access_group_id="g1", document_type="letter"),
        entry(tenant, "a2", "Rapport", "rapport", access_group_id="g1", screening_code="pupil", document_type="memo"),
        entry(tenant, "a3", "Rapport", "rapport", access_group_id="g2", case_id="k1", document_type="letter"),
        entry(tenant, "a4", "Rapport", "rapport", access_group_id="g2", document_type="letter"),
        entry(tenant, "a5", "Rapport", "rapport", access_group_id=None, case_id="k2", document_type="memo"),
        entry(tenant, "a6", "Rapport", "rapport", access_group_id="g1", screening_code="health", case_id="k1"),
        entry(tenant, "k1", "Rapport", "rapport", kind="case", access_group_id="g2"),
        entry(tenant, "k3", "Rapport", "rapport", kind="case", access_group_id=None),
        entry(other_tenant, "u1", "Rapport", "rapport", access_group_id="g1", document_type="letter"),
        entry(other_tenant, "u2", "Rapport", "rapport", access_group_id="g1", screening_code="pupil", case_id="k1"),
    ]


@pytest.mark.parametrize("text", ["", "rapport"])
def test_access_filters_hits_totals_and_facets(engine, tenant, text):
    other = f"{tenant}-other"
    engine.index(_access_corpus(tenant, other))
    cases = [
        (reader(tenant, groups=("g1",)), {"a1"}),
        (reader(tenant, groups=("g1",), codes=("pupil",)), {"a1", "a2"}),
        (reader(tenant, groups=(), cases=("k1",)), {"a3", "k1"}),
        (reader(tenant, groups=(), cases=("k1",), codes=("health",)), {"a3", "a6", "k1"}),
        (reader(tenant, groups=(), cases=("k2",)), {"a5"}),
        (reader(tenant, groups=("g1", "g2"), codes=("pupil", "health"), cases=("k2",)),
         {"a1", "a2", "a3", "a4", "a5", "a6", "k1"}),
        (reader(tenant, groups=(), cases=()), set()),
        (reader(tenant, groups=(), codes=("pupil", "health")), set()),
        (reader(other, groups=("g1",)), {"u1"}),
        (reader(other, groups=("g1",), codes=("pupil",), cases=("k1",)), {"u1", "u2"}),
        (reader(f"{tenant}-nobody", groups=("g1", "g2"), codes=("pupil",), cases=("k1", "k2")), set()),
    ]
    for scope, expected in cases:
        results = search(engine, scope, text, limit=100, facets=("kind", "document_type"))
        assert set(ids(results)) == expected, scope
        assert results.total == len(expected), scope
        kinds = {}
        for hit_id in expected:
            kind = "case" if hit_id.startswith("k") else "document"
            kinds[kind] = kinds.get(kind, 0) + 1
        assert dict(results.facets["kind"]) == kinds, scope
        assert sum(count for _, count in results.facets["document_type"]) <= len(expected)


def test_access_agrees_with_the_scope_rule_for_any_grants(engine, tenant):
    rng = random.Random(7)
    groups, codes, case_ids = ["g1", "g2", "g3", "g4"], ["pupil", "health", "personnel"], ["k1", "k2", "k3"]
    entries = []
    for index in range(60):
        entries.append(entry(
            tenant if index % 6 else f"{tenant}-other",
            f"e{index:02d}",
            "Journal",
            "journalnotat om eleven",
            access_group_id=rng.choice([*groups, None]),
            screening_code=rng.choice([None, None, *codes]),
            case_id=rng.choice([None, *case_ids]),
            status=rng.choice(["open", "closed"]),
        ))
    engine.index(entries)
    for _ in range(25):
        scope = AccessScope(
            tenant_id=tenant,
            read_groups=frozenset(rng.sample(groups, rng.randint(0, 3))),
            read_codes=frozenset(rng.sample(codes, rng.randint(0, 2))),
            read_cases=frozenset(rng.sample(case_ids, rng.randint(0, 2))),
        )
        expected = {
            item.id for item in entries
            if scope.allows(READ, item.tenant_id, item.access_group_id, item.screening_code, item.case_id)
        }
        for text in ("", "journalnotat"):
            results = search(engine, scope, text, limit=100, facets=("status",))
            assert set(ids(results)) == expected and results.total == len(expected), scope
            statuses = {}
            for item in entries:
                if item.id in expected:
                    statuses[item.status] = statuses.get(item.status, 0) + 1
            assert dict(results.facets["status"]) == statuses, scope


# --------------------------------------------------------------------------- keeping the index


def test_indexing_again_replaces_and_an_older_entry_is_ignored(engine, tenant):
    engine.index([entry(tenant, "d", "Gammel titel", "kladde udgave", party_ids=("p1",))])
    engine.index([entry(tenant, "d", "Ny titel", "revideret udgave", party_ids=("p2",), updated_at=NOW + timedelta(hours=1))])
    scope = reader(tenant)
    assert found(engine, scope, "kladde") == set()
    assert [hit.title for hit in search(engine, scope, "revideret").hits] == ["Ny titel"]
    assert found(engine, scope, party_id="p1") == set()
    assert found(engine, scope, party_id="p2") == {"d"}

    engine.index([entry(tenant, "d", "Ældste titel", "udkast udgave", updated_at=NOW - timedelta(hours=1))])
    engine.index([entry(tenant, "d", "Ny titel", "revideret udgave", party_ids=("p2",), updated_at=NOW + timedelta(hours=1))])
    assert [hit.title for hit in search(engine, scope, "udgave").hits] == ["Ny titel"]
    assert found(engine, scope, "udkast") == set()

    engine.index([
        entry(tenant, "d", "Endnu nyere", "endelig udgave", updated_at=NOW + timedelta(hours=3)),
        entry(tenant, "d", "Mellem", "foreløbig udgave", updated_at=NOW + timedelta(hours=2)),
    ])
    assert [hit.title for hit in search(engine, scope, "udgave").hits] == ["Endnu nyere"]

    engine.index([entry(tenant, "d", "Flyttet", "endelig udgave", access_group_id="g-closed",
                        updated_at=NOW + timedelta(hours=4))])
    assert search(engine, scope, "udgave").total == 0
    assert found(engine, reader(tenant, groups=("g-closed",)), "udgave") == {"d"}


def test_delete_removes_only_what_it_names(engine, tenant):
    engine.index([
        entry(tenant, "x", "Sag", "slettes"),
        entry(tenant, "y", "Sag", "slettes ikke"),
        entry(tenant, "x", "Sag", "slettes", kind="case"),
        entry(f"{tenant}-other", "x", "Sag", "slettes"),
    ])
    engine.delete(tenant, "document", ["x", "never-indexed"])
    engine.delete(tenant, "document", [])
    assert found(engine, reader(tenant), "slettes") == {"y", "x"}
    assert {hit.kind for hit in search(engine, reader(tenant), "slettes").hits} == {"document", "case"}
    assert found(engine, reader(f"{tenant}-other"), "slettes") == {"x"}


def test_clear_removes_one_tenant_or_all(engine, tenant):
    other = f"{tenant}-other"
    engine.index([entry(tenant, "a", "Sag", "ryddes"), entry(other, "b", "Sag", "ryddes")])
    engine.clear(tenant)
    assert search(engine, reader(tenant), "ryddes").total == 0
    assert found(engine, reader(other), "ryddes") == {"b"}
    engine.clear()
    assert search(engine, reader(other), "ryddes").total == 0
    engine.index([entry(tenant, "a", "Sag", "ryddes")])
    assert found(engine, reader(tenant), "ryddes") == {"a"}


def test_the_engine_is_ready(engine):
    engine.check()


# --------------------------------------------------------------------------- hostile input

HOSTILE = [
    '"', '"""', "'", "''", "*", "**", "skole*", "skole:*", ":", "title:skole", "{title body}: skole", "lang : danish",
    "NEAR(skole orlov)", "skole NEAR orlov", "skole NEAR/2 orlov", "AND", "OR", "NOT", "skole AND OR NOT orlov",
    "-", "--", "- -", "-skole", "--skole", '-"', 'skole -"', "(", ")", "((skole", "skole)", "^skole", "skole^2",
    "\\", "\\\\", "%", "_", "' OR 1=1 --", "'; DROP TABLE search_entries; --", "skole & !orlov | x", "<->", "a <2> b",
    "<script>alert(1)</script>", "&amp;", "skole\x00orlov", "\x00", "\x02skole\x03", "\ud800", "𝕏 🙂 ☃",
    "שלום עולם", "Straße", "x" * 1000, "ø" * 300, "skole " * 32, '"unbalanced phrase', 'a"b"c"d', "-\"hele sætning\"",
    "or", "og", "i", "skole og", "\"og\"", "og -skole",
]


def test_hostile_text_gives_results_or_a_clear_refusal(engine, tenant):
    engine.index([entry(tenant, "s", "Skole", "skole og orlov")])
    scope = reader(tenant)
    for text in HOSTILE:
        try:
            query = SearchQuery(text=text)
        except InvalidSearchQuery as refused:
            assert refused.field == "text" and refused.message
            continue
        results = engine.search(scope, query)
        assert isinstance(results, SearchResults), text
        assert results.total == len(results.hits)
    assert found(engine, scope, "skole") == {"s"}  # nothing above broke the engine


def test_empty_text_with_filters_only_lists_what_the_filters_allow(engine, tenant):
    engine.index(_filter_corpus(tenant))
    assert found(engine, reader(tenant), "   ", kinds=("case",)) == {"c1", "c2"}
