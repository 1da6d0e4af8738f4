"""The OpenSearch engine, for real deployments: one index per installation (`<prefix>-search`),
its mappings from an index template, Danish and Norwegian analysers by the entry's language, BM25
ranking, keyword fields for filters and facets, highlights.

An entry's words go into the fields of its language (`title_danish`, `text_danish`,
`names_danish` or the Norwegian ones), so each is stemmed as its language wants; a query searches
the fields of both languages, each analysing the words its own way. The body builders are plain
functions of the query, tested without a server."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import OpenSearchException
from sqlalchemy.orm import Session

from akta.access.scope import AccessScope
from akta.search.interface import (
    FACET_SIZE,
    KINDS,
    MAX_INDEXED_TEXT,
    IndexEntry,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
)
from akta.search.snippets import START, STOP, marked_to_html
from akta.search.words import LANGUAGES, Term, clean, title_sort_key

BATCH = 500
_PREFIX = re.compile(r"[a-z0-9][a-z0-9_-]{0,100}")
_KEYWORDS = ("tenant_id", "kind", "entry_id", "language", "access_group_id", "screening_code", "case_id",
             "document_type", "category", "status", "class_code", "party_ids", "title_sort")
_WORD_FIELDS = [
    field
    for language in LANGUAGES
    for field in (f"title_{language}^3", f"text_{language}", f"names_{language}")
] + ["case_number.words^3"]
_TEXT_FIELDS = [f"text_{language}" for language in LANGUAGES]
_SNIPPET_CHARACTERS = 200


class OpenSearchEngine:
    """`SearchEngine` on an OpenSearch cluster. Writes do not join the caller's database
    transaction (there is none to join): the indexer's redelivery makes them good."""

    name = "opensearch"

    def __init__(self, client: OpenSearch, index_prefix: str = "akta", refresh: bool | str = False) -> None:
        """`refresh`: make writes visible to searches before returning ("wait_for", True), for tests;
        by default they are within a second."""
        if not _PREFIX.fullmatch(index_prefix):
            raise ValueError(f"index prefix {index_prefix!r}: lower-case letters, digits, '-' and '_'")
        self.client = client
        self.index_name = f"{index_prefix}-search"
        self.refresh = refresh
        self._prepared = False

    def prepare(self) -> None:
        """Put the index template and create the index; safe to repeat. The first write of each
        engine calls it, so nobody has to."""
        self.client.indices.put_index_template(name=self.index_name, body=index_template(self.index_name))
        if not self.client.indices.exists(index=self.index_name):
            # Another replica may create it at the same moment: that is as good.
            self.client.indices.create(index=self.index_name, ignore=400)
        self._prepared = True

    def check(self) -> None:
        try:
            answers = self.client.ping()
        except OpenSearchException as error:
            raise SearchUnavailable(f"OpenSearch cannot be reached: {error}") from error
        if not answers:
            raise SearchUnavailable("OpenSearch does not answer (address or credentials?)")

    def index(self, entries: Iterable[IndexEntry], session: Session | None = None) -> None:
        actions = [index_action(self.index_name, entry) for entry in entries]
        if actions:
            if not self._prepared:
                self.prepare()
            # 409: an entry older than the one indexed (its version is its updated_at).
            helpers.bulk(self.client, actions, chunk_size=BATCH, refresh=self.refresh, ignore_status=(409,))

    def delete(self, tenant_id: str, kind: str, ids: Iterable[str], session: Session | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        actions = [
            {"_op_type": "delete", "_index": self.index_name, "_id": document_id(tenant_id, kind, entry_id)}
            for entry_id in dict.fromkeys(ids)
        ]
        if actions:
            helpers.bulk(self.client, actions, chunk_size=BATCH, refresh=self.refresh, ignore_status=(404,))

    def clear(self, tenant_id: str | None = None) -> None:
        query = {"match_all": {}} if tenant_id is None else {"term": {"tenant_id": tenant_id}}
        self.client.delete_by_query(index=self.index_name, body={"query": query}, conflicts="proceed",
                                    refresh=True, ignore_unavailable=True)

    def search(self, scope: AccessScope, query: SearchQuery) -> SearchResults:
        # Before the first write there is no index: that is no hits, not an error.
        response = self.client.search(index=self.index_name, body=search_body(scope, query), ignore_unavailable=True)
        return results(response, query)


def index_template(index_name: str) -> dict:
    """The index template for the installation's search index: strict mappings."""
    keyword = {"type": "keyword"}
    properties: dict = {name: keyword for name in _KEYWORDS}
    properties.update({
        "case_number": {"type": "keyword", "fields": {"words": {"type": "text", "analyzer": "standard"}}},
        "date": {"type": "date", "format": "strict_date"},
        "updated_at": {"type": "date"},
    })
    for language in LANGUAGES:
        properties[f"title_{language}"] = {"type": "text", "analyzer": language}
        # Offsets in the index: highlighting needs not analyse the text again.
        properties[f"text_{language}"] = {"type": "text", "analyzer": language, "index_options": "offsets"}
        properties[f"names_{language}"] = {"type": "text", "analyzer": language}
    return {
        "index_patterns": [f"{index_name}*"],
        "priority": 100,
        "template": {"mappings": {"dynamic": "strict", "properties": properties}},
    }


def document_id(tenant_id: str, kind: str, entry_id: str) -> str:
    return f"{tenant_id}:{kind}:{entry_id}"


def document(entry: IndexEntry) -> dict:
    """The indexed document of an entry; its words in the fields of its language."""
    title = clean(entry.title)
    language = entry.language
    return {
        "tenant_id": entry.tenant_id,
        "kind": entry.kind,
        "entry_id": entry.id,
        "language": language,
        f"title_{language}": title,
        f"text_{language}": clean(entry.text[:MAX_INDEXED_TEXT]),
        f"names_{language}": [clean(name) for name in entry.party_names],
        "title_sort": title_sort_key(title),
        "access_group_id": entry.access_group_id,
        "screening_code": entry.screening_code,
        "case_id": entry.case_id,
        "case_number": entry.case_number,
        "document_type": entry.document_type,
        "category": entry.category,
        "status": entry.status,
        "class_code": entry.class_code,
        "party_ids": list(dict.fromkeys(entry.party_ids)),
        "date": entry.day.isoformat() if entry.day else None,
        "updated_at": entry.updated_at.isoformat(),
    }


def index_action(index_name: str, entry: IndexEntry) -> dict:
    """A bulk action that replaces the entry unless the one indexed is newer: the version is
    `updated_at` in microseconds, and `external_gte` refuses a lower one."""
    return {
        "_op_type": "index",
        "_index": index_name,
        "_id": document_id(*entry.key),
        "version": int(entry.updated_at.timestamp() * 1_000_000),
        "version_type": "external_gte",
        "_source": document(entry),
    }


def access_filter(scope: AccessScope) -> dict:
    """`AccessScope.allows` for reading, as a filter: the tenant, an access group or case granted,
    and no screening code or one granted."""
    reach = []
    if scope.read_groups:
        reach.append({"terms": {"access_group_id": sorted(scope.read_groups)}})
    if scope.read_cases:
        reach.append({"terms": {"case_id": sorted(scope.read_cases)}})
    if not reach:
        return {"match_none": {}}
    screened = [{"bool": {"must_not": [{"exists": {"field": "screening_code"}}]}}]
    if scope.read_codes:
        screened.append({"terms": {"screening_code": sorted(scope.read_codes)}})
    return {"bool": {"filter": [
        {"term": {"tenant_id": scope.tenant_id}},
        {"bool": {"should": reach, "minimum_should_match": 1}},
        {"bool": {"should": screened, "minimum_should_match": 1}},
    ]}}


def search_body(scope: AccessScope, query: SearchQuery) -> dict:
    """The body of the search request for `query` within `scope`."""
    filters = [access_filter(scope), *_filters(query)]
    wanted = [term for term in query.terms if not term.excluded]
    unwanted = [term for term in query.terms if term.excluded]
    boolean: dict = {"filter": filters}
    if wanted:
        # A term of stop words only ("og") is left out, as PostgreSQL leaves it out; but at least
        # one term must really match, or stop words alone would find everything.
        boolean["must"] = [_term_query(term, zero_terms="all") for term in wanted]
        filters.append({"bool": {"should": [_term_query(term, zero_terms="none") for term in wanted],
                                 "minimum_should_match": 1}})
    if unwanted:
        boolean["must_not"] = [_term_query(term, zero_terms="none") for term in unwanted]
    body: dict = {
        "query": {"bool": boolean},
        "from": query.offset,
        "size": query.limit,
        "track_total_hits": True,
        "sort": _sort(query),
        "_source": {"excludes": [f"{part}_{language}" for part in ("text", "names") for language in LANGUAGES]},
    }
    # Without words to mark, the highlighter still gives the start of the text (no_match_size).
    body["highlight"] = {
        "pre_tags": [START],
        "post_tags": [STOP],
        "fields": {field: {} for field in _TEXT_FIELDS},
        "number_of_fragments": 1,
        "fragment_size": _SNIPPET_CHARACTERS,
        "no_match_size": _SNIPPET_CHARACTERS,
    }
    if query.facets:
        body["aggs"] = {
            facet: {"terms": {"field": facet, "size": FACET_SIZE, "order": [{"_count": "desc"}, {"_key": "asc"}]}}
            for facet in query.facets
        }
    return body


def results(response: dict, query: SearchQuery) -> SearchResults:
    """A search response as `SearchResults`."""
    hits = []
    for hit in response["hits"]["hits"]:
        source = hit["_source"]
        language = source["language"]
        fragments = hit.get("highlight", {}).get(f"text_{language}", [""])
        hits.append(SearchHit(
            kind=source["kind"],
            id=source["entry_id"],
            score=float(hit.get("_score") or 0.0) if query.ranked else 0.0,
            title=source.get(f"title_{language}", ""),
            snippet=marked_to_html(fragments[0]),
            case_id=source.get("case_id"),
            case_number=source.get("case_number"),
            document_type=source.get("document_type"),
            status=source.get("status"),
            date=date.fromisoformat(source["date"]) if source.get("date") else None,
        ))
    aggregations = response.get("aggregations", {})
    facets = {
        facet: [(bucket["key"], bucket["doc_count"]) for bucket in aggregations.get(facet, {}).get("buckets", [])]
        for facet in query.facets
    }
    return SearchResults(response["hits"]["total"]["value"], hits, facets)


def _term_query(term: Term, zero_terms: str) -> dict:
    # A phrase query of one word is a word query; the words go to each field's analyser as typed.
    return {"multi_match": {"query": term.raw, "type": "phrase", "fields": _WORD_FIELDS,
                            "zero_terms_query": zero_terms}}


def _filters(query: SearchQuery) -> list[dict]:
    filters = [
        {"terms": {field: list(values)}}
        for field, values in (
            ("kind", query.kinds),
            ("document_type", query.document_types),
            ("category", query.categories),
            ("status", query.statuses),
            ("class_code", query.class_codes),
        )
        if values
    ]
    if query.case_id is not None:
        filters.append({"term": {"case_id": query.case_id}})
    if query.party_id is not None:
        filters.append({"term": {"party_ids": query.party_id}})
    dates = {}
    if query.date_from is not None:
        dates["gte"] = query.date_from.isoformat()
    if query.date_to is not None:
        dates["lte"] = query.date_to.isoformat()
    if dates:
        filters.append({"range": {"date": dates}})
    return filters


def _sort(query: SearchQuery) -> list:
    tie_break = [{"kind": "asc"}, {"entry_id": "asc"}]
    if query.ranked:
        return ["_score", *tie_break]
    if query.sort == "title":
        return [{"title_sort": "asc"}, *tie_break]
    order = "asc" if query.sort == "date_asc" else "desc"
    return [{"date": {"order": order, "missing": "_last"}}, *tie_break]
