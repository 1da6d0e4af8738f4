"""What the built-in engine does differently on PostgreSQL: the stored tsvector `search_vector`
(Danish or Norwegian by the entry's language, title weighted above text, GIN index), the user's
words through `websearch_to_tsquery`, `ts_rank` for ranking and `ts_headline` for the snippets
of the page of hits only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, case, cast, func, literal, literal_column, or_, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import TSQUERY

from akta.search.snippets import SNIPPET_SOURCE, START, STOP, marked_to_html
from akta.search.tables import postgresql_entries, postgresql_parties
from akta.search.words import LANGUAGES, Term

_CONFIGS = {language: literal_column(f"'pg_catalog.{language}'::regconfig") for language in LANGUAGES}
# One statement reads the user's words in both languages: the query each language makes, and
# whether it can use the index at all (querytree is '' for stop words only, 'T' for only negations).
_QUERIES = text(
    "SELECT language, query::text, querytree(query) FROM (VALUES "
    + ", ".join(f"('{language}', websearch_to_tsquery('pg_catalog.{language}', :words))" for language in LANGUAGES)
    + ") AS queries(language, query)"
)
_HEADLINE_OPTIONS = f'StartSel="{START}", StopSel="{STOP}", MaxWords=30, MinWords=15, ShortWord=3'
# ts_headline drops whatever its parser takes for a tag ("a<b og c>d" loses "b og c"): "<" and ">"
# go in as private-use characters and come back after.
_HIDDEN = "\ue000\ue001"
_UNHIDE = str.maketrans(_HIDDEN, "<>")
# ts_rank already grows slowly with repeats (1 → 0.24, 3 → 0.33); dividing by the length as well
# would let a one-line note outrank a letter that is about the word.
_RANK_NORMALISATION = 0


class PostgresFullText:
    entries = postgresql_entries
    parties = postgresql_parties

    def insert(self, table):
        return postgresql.insert(table)

    def title_order(self, column):
        return column.collate("C").asc()  # the sort key is made for byte order, whatever the database's locale

    def begin_search(self, connection: Connection) -> None:
        # A common word for a caller who may read much makes a costly plan, and above
        # jit_above_cost PostgreSQL would spend more compiling it than running it.
        connection.exec_driver_sql("SET LOCAL jit = off")

    def write(self, connection: Connection, written: list) -> None:
        """Nothing: PostgreSQL computes `search_vector` as it stores the row."""

    def remove(self, connection: Connection, row_ids) -> None:
        """Nothing beyond the rows themselves."""

    def match(self, connection: Connection, terms: tuple[Term, ...]) -> PostgresMatch | None:
        """None when the words make no query PostgreSQL can search for (only stop words)."""
        # websearch_to_tsquery reads any input without error; each term goes in quoted (a phrase,
        # or one word) so that "or" and "-" inside it stay words, as in every engine.
        words = " ".join(("-" if term.excluded else "") + f'"{term.raw}"' for term in terms)
        queries = {
            language: query
            for language, query, tree in connection.execute(_QUERIES, {"words": words})
            if tree not in ("", "T")
        }
        if not queries:
            return None
        vector = postgresql_entries.c.search_vector
        tsqueries = {language: cast(literal(query), TSQUERY) for language, query in queries.items()}
        if len(queries) == len(LANGUAGES) and len(set(queries.values())) == 1:
            query = tsqueries[LANGUAGES[0]]  # the same in every language: one index scan
            condition = vector.bool_op("@@")(query)
            score = func.ts_rank(vector, query, _RANK_NORMALISATION)
        else:
            condition = or_(*(
                and_(postgresql_entries.c.language == language, vector.bool_op("@@")(query))
                for language, query in tsqueries.items()
            ))
            score = case(
                *((postgresql_entries.c.language == language, func.ts_rank(vector, query, _RANK_NORMALISATION))
                  for language, query in tsqueries.items()),
                else_=0.0,
            )
        return PostgresMatch(source=postgresql_entries, filters=postgresql_entries, condition=condition, score=score,
                             queries=queries)


@dataclass(frozen=True)
class PostgresMatch:
    source: object
    filters: object  # the table in `source` whose columns filter, count and sort the matches
    condition: object
    score: object
    queries: dict[str, str]  # per language, the tsquery the words made

    def snippet_source(self):
        entries = postgresql_entries
        fallback = next(iter(self.queries.values()))
        config = case(*((entries.c.language == language, _CONFIGS[language]) for language in LANGUAGES))
        query = case(
            *((entries.c.language == language, cast(literal(tsquery), TSQUERY)) for language, tsquery in self.queries.items()),
            else_=cast(literal(fallback), TSQUERY),
        )
        text = func.translate(func.left(entries.c.text, SNIPPET_SOURCE), "<>", _HIDDEN)
        return func.ts_headline(config, text, query, _HEADLINE_OPTIONS)

    def snippet(self, headline: str, language: str) -> str:
        return marked_to_html(headline.translate(_UNHIDE))
