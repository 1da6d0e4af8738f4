"""The one search interface: what is indexed (`IndexEntry`), what is asked (`SearchQuery`), what
comes back (`SearchResults`), and the `SearchEngine` port every engine implements.

Access is part of every search: an engine answers only what the caller's `AccessScope` may read,
in its hits, its total and its facets."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from akta.access.scope import AccessScope
from akta.errors import InvalidField
from akta.search.words import LANGUAGES, Term, parse_terms

KINDS = ("document", "case")
SORTS = ("relevance", "date_desc", "date_asc", "title")
FACETS = ("kind", "document_type", "category", "status", "class_code")
DEFAULT_FACETS = ("kind", "document_type", "status", "class_code")
MAX_LIMIT = 100
MAX_WINDOW = 10_000  # offset + limit: deep paging costs every engine (OpenSearch refuses beyond it)
MAX_TEXT_LENGTH = 1_000
MAX_TERMS = 32
MAX_FILTER_VALUES = 100
MAX_VALUE_LENGTH = 200
FACET_SIZE = 50  # values per facet, most frequent first
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# Text beyond this is not searchable: PostgreSQL's tsvector holds at most 1 MB, and highlighting
# re-reads the text. 500,000 characters are some 250 pages.
MAX_INDEXED_TEXT = 500_000


class InvalidSearchQuery(InvalidField):
    """A search parameter no engine can answer; `field` names it, `message` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.message = message


class SearchUnavailable(Exception):
    """The engine cannot be reached or is not set up (readiness fails)."""


@dataclass(frozen=True, kw_only=True)
class IndexEntry:
    """One searchable document or case, as the indexer builds it from events. For a case, `case_id`
    is its own id. `party_names` are searched like text; `party_ids` only filter."""

    tenant_id: str
    kind: str
    id: str
    title: str
    updated_at: datetime
    text: str = ""
    language: str = "danish"
    access_group_id: str | None = None
    screening_code: str | None = None
    case_id: str | None = None
    case_number: str | None = None
    document_type: str | None = None
    category: str | None = None
    status: str | None = None
    class_code: str | None = None
    party_ids: tuple[str, ...] = ()
    party_names: tuple[str, ...] = ()
    date: date | datetime | None = None  # document date or case created; a time counts by its own date

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {self.language!r}")
        if self.updated_at.tzinfo is None:
            raise ValueError("updated_at must be timezone-aware")
        if self.kind == "case":
            if self.case_id not in (None, self.id):
                raise ValueError("a case entry's case_id is its own id")
            object.__setattr__(self, "case_id", self.id)
        object.__setattr__(self, "party_ids", tuple(self.party_ids))
        object.__setattr__(self, "party_names", tuple(self.party_names))
        for name in ("tenant_id", "id"):
            if not getattr(self, name):
                raise ValueError(f"{name} is required")
        for name in ("tenant_id", "id", "access_group_id", "screening_code", "case_id", "case_number",
                     "document_type", "category", "status", "class_code"):
            _check_value(name, getattr(self, name), ValueError)
        for party_id in self.party_ids:
            _check_value("party_ids", party_id, ValueError)

    @property
    def key(self) -> tuple[str, str, str]:
        return self.tenant_id, self.kind, self.id

    @property
    def day(self) -> date | None:
        return self.date.date() if isinstance(self.date, datetime) else self.date


@dataclass(frozen=True, kw_only=True)
class SearchQuery:
    """What a caller asks. `text` is a search box: words (all must match, stemmed: "ansøgning"
    finds "ansøgningen"), "quoted phrases" and -excluded words; empty text lists by the filters
    alone. Filters of several values match any of them; dates are inclusive. Sorts: relevance
    (newest first without text), date_desc, date_asc, title. Facets count the results per value.
    Raises `InvalidSearchQuery` for anything no engine could answer."""

    text: str = ""
    kinds: tuple[str, ...] = ()
    document_types: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    class_codes: tuple[str, ...] = ()
    case_id: str | None = None
    party_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    facets: tuple[str, ...] = DEFAULT_FACETS
    terms: tuple[Term, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise InvalidSearchQuery("text", "must be a string")
        if len(self.text) > MAX_TEXT_LENGTH:
            raise InvalidSearchQuery("text", f"at most {MAX_TEXT_LENGTH} characters")
        terms = parse_terms(self.text)
        if self.text.strip() and not terms:
            raise InvalidSearchQuery("text", "contains no words to search for")
        if terms and all(term.excluded for term in terms):
            raise InvalidSearchQuery("text", "say what to look for, not only what to leave out")
        if sum(len(term.words) for term in terms) > MAX_TERMS:
            raise InvalidSearchQuery("text", f"at most {MAX_TERMS} words")
        object.__setattr__(self, "terms", terms)
        for name in ("kinds", "document_types", "categories", "statuses", "class_codes", "facets"):
            object.__setattr__(self, name, _values(name, getattr(self, name)))
        for kind in self.kinds:
            if kind not in KINDS:
                raise InvalidSearchQuery("kinds", f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
        for facet in self.facets:
            if facet not in FACETS:
                raise InvalidSearchQuery("facets", f"unknown facet {facet!r}; known: {', '.join(FACETS)}")
        for name in ("case_id", "party_id"):
            _check_value(name, getattr(self, name), InvalidSearchQuery)
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if isinstance(value, datetime):
                object.__setattr__(self, name, value.date())
            elif value is not None and not isinstance(value, date):
                raise InvalidSearchQuery(name, "must be a date")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidSearchQuery("date_to", "is before date_from")
        if self.sort not in SORTS:
            raise InvalidSearchQuery("sort", f"unknown sort {self.sort!r}; known: {', '.join(SORTS)}")
        if not _is_int(self.limit) or not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidSearchQuery("limit", f"must be from 1 to {MAX_LIMIT}")
        if not _is_int(self.offset) or self.offset < 0:
            raise InvalidSearchQuery("offset", "must be 0 or more")
        if self.offset + self.limit > MAX_WINDOW:
            raise InvalidSearchQuery("offset", f"offset + limit may be at most {MAX_WINDOW}; narrow the search")

    @property
    def ranked(self) -> bool:
        """Ordered by relevance: there is text and the caller asked for relevance."""
        return self.sort == "relevance" and bool(self.terms)


@dataclass(frozen=True)
class SearchHit:
    """One result. `snippet` is HTML-escaped text with <mark>…</mark> around the matched words,
    safe to insert into a page; `title` is plain text. `score` is the engine's relevance (higher is
    better, comparable only within one result list; 0 when not sorted by relevance)."""

    kind: str
    id: str
    score: float
    title: str
    snippet: str
    case_id: str | None
    case_number: str | None
    document_type: str | None
    status: str | None
    date: date | None


@dataclass(frozen=True)
class SearchResults:
    """One page of hits, the total the caller may read, and per facet (value, count) pairs, most
    frequent first."""

    total: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]]


class SearchEngine(Protocol):
    """Port: keeps the index of documents and cases and answers searches within an access scope."""

    name: str

    def index(self, entries: Iterable[IndexEntry], session: Session | None = None) -> None:
        """Add or replace entries; an entry older (`updated_at`) than the one indexed is ignored, so
        repeating or reordering is harmless. With a `session`, the built-in engine writes in its
        transaction (the caller commits); without one it commits its own."""

    def delete(self, tenant_id: str, kind: str, ids: Iterable[str], session: Session | None = None) -> None:
        """Remove entries; ids not indexed are ignored."""

    def clear(self, tenant_id: str | None = None) -> None:
        """Remove every entry of a tenant (or all), before a reindex."""

    def search(self, scope: AccessScope, query: SearchQuery) -> SearchResults:
        """The page of hits `query` asks for, among the entries `scope` may read."""

    def check(self) -> None:
        """Raise `SearchUnavailable` unless the engine can answer now."""


def _values(name: str, values) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidSearchQuery(name, "must be a list of strings")
    found = tuple(values)
    if len(found) > MAX_FILTER_VALUES:
        raise InvalidSearchQuery(name, f"at most {MAX_FILTER_VALUES} values")
    for value in found:
        _check_value(name, value, InvalidSearchQuery)
        if value is None:
            raise InvalidSearchQuery(name, "must be a list of strings")
    return found


def _check_value(name: str, value, error: type[Exception]) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value:
        message = "must be a non-empty string"
    elif len(value) > MAX_VALUE_LENGTH:
        message = f"at most {MAX_VALUE_LENGTH} characters"
    elif _UNSAFE.search(value):
        message = "must not contain control characters"
    else:
        return
    if error is InvalidSearchQuery:
        raise InvalidSearchQuery(name, message)
    raise error(f"{name} {message}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
