"""The OpenSearch engine's requests and how it reads answers, without a server (the contract
suite runs against a real one when AKTA_TEST_OPENSEARCH_URL is set)."""

from datetime import UTC, date, datetime

import pytest

from akta.access.scope import AccessScope
from akta.db.database import Database
from akta.search.builtin import BuiltinSearchEngine
from akta.search.engines import search_engine_from_url
from akta.search.interface import FACETS, IndexEntry, SearchQuery
from akta.search.opensearch import (
    OpenSearchEngine,
    access_filter,
    index_action,
    index_template,
    results,
    search_body,
)
from akta.search.snippets import START, STOP

SCOPE = AccessScope(tenant_id="t1", read_groups=frozenset({"g2", "g1"}), read_codes=frozenset({"pupil"}),
                    read_cases=frozenset({"c9"}))


def test_access_is_the_scope_rule_as_a_filter():
    assert access_filter(SCOPE) == {"bool": {"filter": [
        {"term": {"tenant_id": "t1"}},
        {"bool": {"should": [{"terms": {"access_group_id": ["g1", "g2"]}}, {"terms": {"case_id": ["c9"]}}],
                  "minimum_should_match": 1}},
        {"bool": {"should": [{"bool": {"must_not": [{"exists": {"field": "screening_code"}}]}},
                             {"terms": {"screening_code": ["pupil"]}}],
                  "minimum_should_match": 1}},
    ]}}
    only_cases = access_filter(AccessScope(tenant_id="t1", read_cases=frozenset({"c9"})))
    assert only_cases["bool"]["filter"][1] == {"bool": {"should": [{"terms": {"case_id": ["c9"]}}], "minimum_should_match": 1}}
    assert only_cases["bool"]["filter"][2] == {"bool": {"should": [{"bool": {"must_not": [{"exists": {"field": "screening_code"}}]}}], "minimum_should_match": 1}}
    assert access_filter(AccessScope(tenant_id="t1", read_codes=frozenset({"pupil"}))) == {"match_none": {}}


def test_the_words_become_phrase_queries_over_both_languages_fields():
    body = search_body(SCOPE, SearchQuery(text='skoleskift "ny ansøgning" -afslag'))
    boolean = body["query"]["bool"]
    assert [clause["multi_match"]["query"] for clause in boolean["must"]] == ["skoleskift", "ny ansøgning"]
    assert all(clause["multi_match"]["type"] == "phrase" for clause in boolean["must"])
    assert all(clause["multi_match"]["zero_terms_query"] == "all" for clause in boolean["must"])
    fields = boolean["must"][0]["multi_match"]["fields"]
    assert {"title_danish^3", "text_danish", "names_danish", "title_norwegian^3", "text_norwegian"} <= set(fields)
    assert [clause["multi_match"]["query"] for clause in boolean["must_not"]] == ["afslag"]
    real_match = boolean["filter"][-1]["bool"]
    assert real_match["minimum_should_match"] == 1
    assert all(clause["multi_match"]["zero_terms_query"] == "none" for clause in real_match["should"])
    assert body["sort"] == ["_score", {"kind": "asc"}, {"entry_id": "asc"}]
    assert body["highlight"]["pre_tags"] == [START] and body["highlight"]["post_tags"] == [STOP]
    assert body["track_total_hits"] is True


def test_filters_sorts_pages_and_facets():
    query = SearchQuery(kinds=("document",), document_types=("letter",), categories=("in",), statuses=("final",),
                        class_codes=("17.01",), case_id="c1", party_id="p1", date_from=date(2024, 1, 1),
                        date_to=date(2024, 12, 31), sort="date_asc", offset=40, limit=20, facets=FACETS)
    body = search_body(SCOPE, query)
    assert body["query"]["bool"]["filter"][1:] == [
        {"terms": {"kind": ["document"]}},
        {"terms": {"document_type": ["letter"]}},
        {"terms": {"category": ["in"]}},
        {"terms": {"status": ["final"]}},
        {"terms": {"class_code": ["17.01"]}},
        {"term": {"case_id": "c1"}},
        {"term": {"party_ids": "p1"}},
        {"range": {"date": {"gte": "2024-01-01", "lte": "2024-12-31"}}},
    ]
    assert "must" not in body["query"]["bool"]
    assert (body["from"], body["size"]) == (40, 20)
    assert body["sort"][0] == {"date": {"order": "asc", "missing": "_last"}}
    assert set(body["aggs"]) == set(FACETS)
    assert body["aggs"]["status"]["terms"]["order"] == [{"_count": "desc"}, {"_key": "asc"}]
    assert search_body(SCOPE, SearchQuery(sort="title"))["sort"][0] == {"title_sort": "asc"}
    assert search_body(SCOPE, SearchQuery())["sort"][0] == {"date": {"order": "desc", "missing": "_last"}}
    assert search_body(SCOPE, SearchQuery(text="x", sort="date_desc"))["sort"][0] == {"date": {"order": "desc", "missing": "_last"}}
    assert "aggs" not in search_body(SCOPE, SearchQuery(facets=()))


def test_an_entry_goes_into_its_languages_fields_versioned_by_its_time():
    updated = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    entry = IndexEntry(tenant_id="t1", kind="document", id="d1", title="Søknad\x00", text="Teksten", language="norwegian",
                       access_group_id="g1", party_ids=("p1", "p1"), party_names=("Kari Nordmann",), updated_at=updated,
                       date=datetime(2024, 2, 3, 4, 5, tzinfo=UTC))
    action = index_action("akta-search", entry)
    assert action["_id"] == "t1:document:d1"
    assert (action["version"], action["version_type"]) == (int(updated.timestamp() * 1_000_000), "external_gte")
    source = action["_source"]
    assert source["title_norwegian"] == "Søknad " and source["text_norwegian"] == "Teksten"
    assert source["names_norwegian"] == ["Kari Nordmann"] and "title_danish" not in source
    assert source["party_ids"] == ["p1"] and source["date"] == "2024-02-03"


def test_the_template_has_danish_and_norwegian_analysers_and_keywords_for_filters():
    template = index_template("akta-search")
    assert template["index_patterns"] == ["akta-search*"]
    properties = template["template"]["mappings"]["properties"]
    assert template["template"]["mappings"]["dynamic"] == "strict"
    assert properties["text_danish"]["analyzer"] == "danish" and properties["title_norwegian"]["analyzer"] == "norwegian"
    for field in ("tenant_id", "kind", "access_group_id", "screening_code", "case_id", "document_type", "status",
                  "class_code", "party_ids", "title_sort"):
        assert properties[field] == {"type": "keyword"}
    document = index_action("akta-search", IndexEntry(tenant_id="t", kind="case", id="c", title="x",
                                                       updated_at=datetime.now(UTC)))["_source"]
    assert set(document) <= set(properties)


def test_an_answer_becomes_results_with_escaped_snippets():
    response = {
        "hits": {"total": {"value": 7, "relation": "eq"}, "hits": [{
            "_score": 3.5,
            "_source": {"kind": "document", "entry_id": "d1", "language": "danish", "title_danish": "<Brev>",
                        "case_id": "c1", "case_number": "2024/1", "document_type": "letter", "status": "final",
                        "date": "2024-02-03"},
            "highlight": {"text_danish": [f"om {START}skoleskift{STOP} <script>"]},
        }, {
            "_score": None,
            "_source": {"kind": "case", "entry_id": "c1", "language": "norwegian", "title_norwegian": "Sak"},
        }]},
        "aggregations": {"kind": {"buckets": [{"key": "document", "doc_count": 5}, {"key": "case", "doc_count": 2}]}},
    }
    found = results(response, SearchQuery(text="skoleskift", facets=("kind", "status")))
    assert found.total == 7
    first, second = found.hits
    assert (first.id, first.score, first.title, first.date) == ("d1", 3.5, "<Brev>", date(2024, 2, 3))
    assert first.snippet == "om <mark>skoleskift</mark> &lt;script&gt;"
    assert (second.kind, second.score, second.title, second.snippet, second.date) == ("case", 0.0, "Sak", "", None)
    assert found.facets == {"kind": [("document", 5), ("case", 2)], "status": []}


def test_the_engine_comes_from_the_search_url(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    assert isinstance(search_engine_from_url(None, database), BuiltinSearchEngine)
    assert isinstance(search_engine_from_url("builtin", database), BuiltinSearchEngine)
    engine = search_engine_from_url("https://user:secret@search.example:9200/?index_prefix=kommune-1", database)
    assert isinstance(engine, OpenSearchEngine) and engine.index_name == "kommune-1-search"
    assert search_engine_from_url("http://search.example:9200", database, index_prefix="x").index_name == "x-search"
    for url in ("ftp://search.example", "http://search.example/?shards=2"):
        with pytest.raises(ValueError):
            search_engine_from_url(url, database)
    with pytest.raises(ValueError):
        OpenSearchEngine(engine.client, index_prefix="Capitals and spaces")
    database.dispose()
