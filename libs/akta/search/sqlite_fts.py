"""What the built-in engine does differently on SQLite: FTS5 over Snowball stems made in Python.

FTS5 has no Danish or Norwegian stemmer, so the words of each entry are stemmed here and FTS5
indexes the stems (`search_fts`); a query is stemmed the same way and written as FTS5 syntax of our
own making, each stem quoted, so nothing a user types reaches FTS5's parser. The original text
stays in `search_entries`; snippets mark the words whose stems matched. The matches are filtered,
counted and sorted on `search_filters`, the narrow copy of each entry's short columns."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, insert, literal_column
from sqlalchemy.dialects import sqlite

from akta.search.snippets import SNIPPET_SOURCE, snippet
from akta.search.tables import (
    FILTER_COLUMNS,
    FTS_TABLE,
    search_fts,
    sqlite_entries,
    sqlite_filters,
    sqlite_parties,
)
from akta.search.words import LANGUAGES, Term, stem, stems

# bm25 weights of the columns title (with the case number), body, names, lang.
_SCORE = literal_column(f"bm25({FTS_TABLE}, 5.0, 1.0, 1.0, 0.0)")
_WORD_COLUMNS = "{title body names}"


class SqliteFullText:
    entries = sqlite_entries
    parties = sqlite_parties

    def insert(self, table):
        return sqlite.insert(table)

    def title_order(self, column):
        return column.asc()  # SQLite compares text byte by byte: the sort key is made for that

    def begin_search(self, connection: Connection) -> None:
        """Nothing to set."""

    def write(self, connection: Connection, written: list[tuple[int, dict]]) -> None:
        """The stems and the filter columns of entries just inserted or replaced (row id, row of
        search_entries)."""
        row_ids = [row_id for row_id, _ in written]
        connection.execute(delete(sqlite_filters).where(sqlite_filters.c.row_id.in_(row_ids)))
        connection.execute(insert(sqlite_filters), [
            {"row_id": row_id, **{name: row[name] for name in FILTER_COLUMNS}} for row_id, row in written
        ])
        connection.execute(delete(search_fts).where(search_fts.c.rowid.in_(row_ids)))
        connection.execute(insert(search_fts), [
            {
                "rowid": row_id,
                "title": " ".join(stems(row["language"], f"{row['title']} {row['case_number'] or ''}")),
                "body": " ".join(stems(row["language"], row["text"])),
                "names": " ".join(stems(row["language"], row["party_names"])),
                "lang": row["language"],
            }
            for row_id, row in written
        ])

    def remove(self, connection: Connection, row_ids) -> None:
        connection.execute(delete(search_fts).where(search_fts.c.rowid.in_(row_ids)))
        connection.execute(delete(sqlite_filters).where(sqlite_filters.c.row_id.in_(row_ids)))

    def match(self, _connection: Connection, terms: tuple[Term, ...]) -> SqliteMatch:
        expressions = {language: _expression(terms, language) for language in LANGUAGES}
        if len(set(expressions.values())) == 1:
            fts_query = f"{_WORD_COLUMNS} : ({expressions['danish']})"
        else:
            # The stems differ by language: each entry must match in its own.
            fts_query = " OR ".join(
                f'({_WORD_COLUMNS} : ({expression}) AND lang : "{language}")'
                for language, expression in expressions.items()
            )
        return SqliteMatch(
            # "+ 0": the FTS table cannot be the inner side of the join (one FTS query per readable
            # entry, a thousand times slower for a common word); it finds the matches once, and each
            # is looked up by primary key in the narrow `search_filters`.
            source=search_fts.join(sqlite_filters, sqlite_filters.c.row_id == search_fts.c.rowid + literal_column("0")),
            filters=sqlite_filters,
            condition=literal_column(FTS_TABLE).op("MATCH")(fts_query),
            score=-_SCORE,  # bm25 is lower for better matches
            stems={
                language: frozenset(stem(language, word) for term in terms if not term.excluded for word in term.words)
                for language in LANGUAGES
            },
        )


@dataclass(frozen=True)
class SqliteMatch:
    source: object
    filters: object  # the table in `source` whose columns filter, count and sort the matches
    condition: object
    score: object
    stems: dict[str, frozenset[str]]  # per language, the stems of the words asked for

    def snippet_source(self):
        return func.substr(sqlite_entries.c.text, 1, SNIPPET_SOURCE)

    def snippet(self, text: str, language: str) -> str:
        return snippet(text, self._matcher(language))

    def _matcher(self, language: str):
        wanted = self.stems[language]
        prefixes = tuple(wanted)

        def matches(word: str) -> bool:
            # A Danish or Norwegian Snowball stem is always a prefix of its word: stem only those
            # words that can match (stemming every word of 20 texts would take most of the time).
            return word.startswith(prefixes) and stem(language, word) in wanted

        return matches


def _expression(terms: tuple[Term, ...], language: str) -> str:
    """FTS5 syntax: every stem in double quotes (stems are letters and digits only), phrases as one
    quoted string, all required, excluded ones after NOT."""
    def phrase(term: Term) -> str:
        return '"' + " ".join(stem(language, word) for word in term.words) + '"'

    wanted = " AND ".join(phrase(term) for term in terms if not term.excluded)
    unwanted = [phrase(term) for term in terms if term.excluded]
    if unwanted:
        return f"({wanted}) NOT ({' OR '.join(unwanted)})"
    return wanted
