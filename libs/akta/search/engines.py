"""Choosing the search engine from the installation's search URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit, urlunsplit

from akta.db.database import Database
from akta.search.builtin import BuiltinSearchEngine
from akta.search.interface import SearchEngine


def search_engine_from_url(url: str | None, database: Database, index_prefix: str = "akta",
                           **client_options) -> SearchEngine:
    """None, "" or "builtin": the built-in engine on `database` (its tables come from the service's
    migration). "http(s)://[user:password@]host:9200[/?index_prefix=name]": OpenSearch, the index
    named after the URL's `index_prefix` or else the argument; `client_options` go to the
    opensearch-py client (e.g. `ca_certs`)."""
    if url in (None, "", "builtin"):
        return BuiltinSearchEngine(database)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"a search URL is 'builtin' or http(s)://…, not {parts.scheme or url!r}")
    parameters = parse_qs(parts.query)
    index_prefix = parameters.pop("index_prefix", [index_prefix])[-1]
    if parameters:
        raise ValueError(f"unknown parameters in the search URL: {', '.join(sorted(parameters))}")
    from opensearchpy import OpenSearch  # only real deployments need the client

    from akta.search.opensearch import OpenSearchEngine

    client = OpenSearch(urlunsplit(parts._replace(query="")), timeout=10, max_retries=2,
                        retry_on_timeout=True, **client_options)
    return OpenSearchEngine(client, index_prefix=index_prefix)
