"""The built-in search engine, on the service's own database: SQLite FTS5 in embedded mode,
PostgreSQL full text for small installations. The caller's access, the filters, the total and the
facets are conditions of the same SQL that finds the words; nothing is filtered afterwards.

Needs SQLite 3.35 or newer (RETURNING) with FTS5, or PostgreSQL 12 or newer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import (
    BigInteger,
    Connection,
    Float,
    String,
    cast,
    delete,
    func,
    insert,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from akta.access.scope import READ, AccessScope
from akta.db.database import Database
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
from akta.search.postgresql_fts import PostgresFullText
from akta.search.snippets import snippet
from akta.search.sqlite_fts import SqliteFullText
from akta.search.tables import (
    FTS_DDL,
    FTS_TABLE,
    POSTGRESQL_STORAGE,
    postgresql_metadata,
    sqlite_metadata,
)
from akta.search.words import clean, title_sort_key

BATCH = 500  # entries per statement when indexing
PLAIN_SNIPPET_SOURCE = 2_000  # characters read for a snippet when there are no words to mark
_REPLACED = ("language", "title", "title_sort", "text", "party_names", "access_group_id", "screening_code",
             "case_id", "case_number", "document_type", "category", "status", "class_code", "date", "updated_at")


def create_schema(connection: Connection) -> None:
    """Create the built-in engine's tables on `connection` (the docstore's migration
    `0003_search_index` calls it); safe to repeat."""
    if connection.dialect.name == "sqlite":
        sqlite_metadata.create_all(connection)
        connection.exec_driver_sql(FTS_DDL)
    else:
        postgresql_metadata.create_all(connection)
        for statement in POSTGRESQL_STORAGE:
            connection.exec_driver_sql(statement)


def drop_schema(connection: Connection) -> None:
    """Drop what `create_schema` created."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        sqlite_metadata.drop_all(connection)
    else:
        postgresql_metadata.drop_all(connection)


class BuiltinSearchEngine:
    """`SearchEngine` on a service's database whose schema has `create_schema`'s tables."""

    name = "builtin"

    def __init__(self, database: Database) -> None:
        self.database = database
        self.full_text = SqliteFullText() if database.is_sqlite else PostgresFullText()
        self.entries = self.full_text.entries
        self.parties = self.full_text.parties

    def check(self) -> None:
        try:
            with self.database.read_session() as session:
                session.execute(select(self.entries.c.row_id).limit(1))
        except SQLAlchemyError as error:
            raise SearchUnavailable(f"the search tables cannot be read: {error}") from error

    def index(self, entries: Iterable[IndexEntry], session: Session | None = None) -> None:
        latest = _latest(entries)
        if not latest:
            return
        with self._writing(session) as connection:
            for start in range(0, len(latest), BATCH):
                self._upsert(connection, latest[start:start + BATCH])

    def delete(self, tenant_id: str, kind: str, ids: Iterable[str], session: Session | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        with self._writing(session) as connection:
            for start in range(0, len(ids), BATCH):
                self._remove(connection, select(self.entries.c.row_id).where(
                    self.entries.c.tenant_id == tenant_id,
                    self.entries.c.kind == kind,
                    self.entries.c.id.in_(ids[start:start + BATCH]),
                ))

    def clear(self, tenant_id: str | None = None) -> None:
        rows = select(self.entries.c.row_id)
        if tenant_id is not None:
            rows = rows.where(self.entries.c.tenant_id == tenant_id)
        with self._writing(None) as connection:
            self._remove(connection, rows)

    def search(self, scope: AccessScope, query: SearchQuery) -> SearchResults:
        with self.database.read_session() as session:
            connection = session.connection()
            self.full_text.begin_search(connection)
            match = self.full_text.match(connection, query.terms) if query.terms else None
            if query.terms and match is None:
                return SearchResults(0, [], {facet: [] for facet in query.facets})  # nothing searchable, e.g. only stop words
            source, filters = (match.source, match.filters) if match is not None else (self.entries, self.entries)
            conditions = self._conditions(scope, query, filters)
            if match is not None:
                conditions.append(match.condition)
            score = match.score if query.ranked else literal(0.0, Float)
            page, total, facets = self._matches(connection, source, filters, conditions, score, query)
            shown = self._shown(connection, [row_id for row_id, _ in page], match)
        hits = []
        for row_id, found_score in page:
            if row_id not in shown:
                continue  # deleted between the two statements (PostgreSQL reads each one's own snapshot)
            row, snippet_html = shown[row_id]
            hits.append(SearchHit(
                kind=row.kind,
                id=row.id,
                score=float(found_score) if query.ranked else 0.0,
                title=row.title,
                snippet=snippet_html,
                case_id=row.case_id,
                case_number=row.case_number,
                document_type=row.document_type,
                status=row.status,
                date=row.date,
            ))
        return SearchResults(total, hits, facets)

    @contextmanager
    def _writing(self, session: Session | None) -> Iterator[Connection]:
        if session is not None:
            # The caller's transaction: on SQLite a connection of our own would wait for the
            # write lock the caller's unit of work holds.
            yield session.connection()
        else:
            with self.database.engine.begin() as connection:
                yield connection

    def _upsert(self, connection: Connection, entries: list[IndexEntry]) -> None:
        rows = {entry.key: _row(entry) for entry in entries}
        statement = self.full_text.insert(self.entries)
        statement = statement.on_conflict_do_update(
            index_elements=["tenant_id", "kind", "id"],
            set_={name: statement.excluded[name] for name in _REPLACED},
            where=self.entries.c.updated_at <= statement.excluded.updated_at,
        ).returning(self.entries.c.row_id, self.entries.c.tenant_id, self.entries.c.kind, self.entries.c.id)
        changed = connection.execute(statement, list(rows.values())).all()
        if not changed:
            return  # every entry was older than the one indexed
        by_key = {entry.key: entry for entry in entries}
        row_ids = [row.row_id for row in changed]
        connection.execute(delete(self.parties).where(self.parties.c.row_id.in_(row_ids)))
        parties = [
            {"row_id": row.row_id, "party_id": party_id}
            for row in changed
            for party_id in dict.fromkeys(by_key[(row.tenant_id, row.kind, row.id)].party_ids)
        ]
        if parties:
            connection.execute(insert(self.parties), parties)
        self.full_text.write(connection, [(row.row_id, rows[(row.tenant_id, row.kind, row.id)]) for row in changed])

    def _remove(self, connection: Connection, row_ids) -> None:
        self.full_text.remove(connection, row_ids)
        connection.execute(delete(self.parties).where(self.parties.c.row_id.in_(row_ids)))
        connection.execute(delete(self.entries).where(self.entries.c.row_id.in_(row_ids)))

    def _conditions(self, scope: AccessScope, query: SearchQuery, entries) -> list:
        """The caller's access and the query's filters on `entries`, a table with the columns of
        search_entries that filter."""
        conditions = [
            scope.condition(READ, entries.c.tenant_id, entries.c.access_group_id, entries.c.screening_code,
                            entries.c.case_id)
        ]
        for column, values in (
            (entries.c.kind, query.kinds),
            (entries.c.document_type, query.document_types),
            (entries.c.category, query.categories),
            (entries.c.status, query.statuses),
            (entries.c.class_code, query.class_codes),
        ):
            if values:
                conditions.append(column.in_(values))
        if query.case_id is not None:
            conditions.append(entries.c.case_id == query.case_id)
        if query.party_id is not None:
            conditions.append(entries.c.row_id.in_(
                select(self.parties.c.row_id).where(self.parties.c.party_id == query.party_id)
            ))
        if query.date_from is not None:
            conditions.append(entries.c.date >= query.date_from)
        if query.date_to is not None:
            conditions.append(entries.c.date <= query.date_to)
        return conditions

    def _matches(self, connection: Connection, source, entries, conditions: list, score, query: SearchQuery):
        """The page (row id, score), the total and the facets in one statement: the matches are
        found, read and ranked once (as separate statements they cost twice as much). `entries`
        is the table in `source` the filter, facet and sort columns are read from."""
        wanted = dict.fromkeys(("row_id", "kind", "id", *self._sorted_by(query), *query.facets))
        matched = (
            select(*(entries.c[name] for name in wanted), score.label("score"))
            .select_from(source)
            .where(*conditions)
            .cte("matched")
            .prefix_with("MATERIALIZED")
        )
        order = [*self._order(matched, query), matched.c.kind, matched.c.id]
        page = (
            select(matched.c.row_id, matched.c.score, func.row_number().over(order_by=order).label("position"))
            .order_by(*order)
            .offset(query.offset)
            .limit(query.limit)
            .subquery("page")
        )
        no_value, no_row, no_score = cast(null(), String), cast(null(), BigInteger), cast(null(), Float)
        parts = [
            select(literal("hit", String), page.c.row_id, page.c.score, no_value, page.c.position),
            select(literal("total", String), no_row, no_score, no_value, func.count()).select_from(matched),
        ]
        for facet in query.facets:
            value = matched.c[facet]
            parts.append(
                select(literal(facet, String), no_row, no_score, value, func.count())
                .where(value.is_not(None))
                .group_by(value)
            )
        hits, total, found = [], 0, {facet: [] for facet in query.facets}
        for part, row_id, found_score, value, number in connection.execute(union_all(*parts)):
            if part == "hit":
                hits.append((number, row_id, found_score))
            elif part == "total":
                total = number
            else:
                found[part].append((value, number))
        page_rows = [(row_id, found_score) for _, row_id, found_score in sorted(hits)]
        facets = {
            facet: sorted(counts, key=lambda pair: (-pair[1], pair[0]))[:FACET_SIZE]
            for facet, counts in found.items()
        }
        return page_rows, total, facets

    def _sorted_by(self, query: SearchQuery) -> tuple[str, ...]:
        if query.ranked:
            return ()
        return ("title_sort",) if query.sort == "title" else ("date",)

    def _order(self, matched, query: SearchQuery) -> list:
        if query.ranked:
            return [matched.c.score.desc()]
        if query.sort == "title":
            return [self.full_text.title_order(matched.c.title_sort)]
        if query.sort == "date_asc":
            return [matched.c.date.asc().nulls_last()]
        return [matched.c.date.desc().nulls_last()]

    def _shown(self, connection: Connection, row_ids: list[int], match) -> dict[int, tuple]:
        """What the page's hits show, by row id: the row and its snippet (marked when there are words)."""
        if not row_ids:
            return {}
        entries = self.entries
        source = match.snippet_source() if match is not None else func.substr(entries.c.text, 1, PLAIN_SNIPPET_SOURCE)
        rows = connection.execute(
            select(
                entries.c.row_id, entries.c.kind, entries.c.id, entries.c.title, entries.c.case_id,
                entries.c.case_number, entries.c.document_type, entries.c.status, entries.c.date, entries.c.language,
                source.label("snippet_source"),
            ).where(entries.c.row_id.in_(row_ids))
        )
        return {
            row.row_id: (row, match.snippet(row.snippet_source, row.language) if match is not None
                         else snippet(row.snippet_source, lambda _word: False))
            for row in rows
        }


def _latest(entries: Iterable[IndexEntry]) -> list[IndexEntry]:
    """One entry per key, the newest: one statement may not upsert a row twice."""
    latest: dict[tuple[str, str, str], IndexEntry] = {}
    for entry in entries:
        known = latest.get(entry.key)
        if known is None or known.updated_at <= entry.updated_at:
            latest[entry.key] = entry
    return list(latest.values())


def _row(entry: IndexEntry) -> dict:
    title = clean(entry.title)
    return {
        "tenant_id": entry.tenant_id,
        "kind": entry.kind,
        "id": entry.id,
        "language": entry.language,
        "title": title,
        "title_sort": title_sort_key(title),
        "text": clean(entry.text[:MAX_INDEXED_TEXT]),
        "party_names": "\n".join(clean(name) for name in entry.party_names),
        "access_group_id": entry.access_group_id,
        "screening_code": entry.screening_code,
        "case_id": entry.case_id,
        "case_number": entry.case_number,
        "document_type": entry.document_type,
        "category": entry.category,
        "status": entry.status,
        "class_code": entry.class_code,
        "date": entry.day,
        "updated_at": entry.updated_at,
    }
