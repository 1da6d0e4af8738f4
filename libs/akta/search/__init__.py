"""Full-text search over documents and cases: one interface, a built-in engine on the service's
own database (SQLite FTS5 or PostgreSQL full text) and OpenSearch, each filtering by the caller's
access inside its query. `search_engine_from_url` picks one from the installation's settings."""

from akta.search.engines import search_engine_from_url
from akta.search.interface import (
    IndexEntry,
    InvalidSearchQuery,
    SearchEngine,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
)

__all__ = [
    "IndexEntry",
    "InvalidSearchQuery",
    "SearchEngine",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "SearchUnavailable",
    "search_engine_from_url",
]
