"""Keeping the search index current, and rebuilding it, from docstore's own tables.

An index entry is always built from the current rows (never from the event's data), so events
that arrive late, twice or out of order still leave the index showing the truth.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from akta.search import IndexEntry, SearchEngine
from akta.storage import BlobNotFound, BlobStore
from akta_docstore.adapters.orm import case_copies, documents, renditions
from akta_docstore.service_layer.case_copies import CaseCopy, find_case, find_cases

log = structlog.get_logger("akta.docstore.indexer")

REINDEX_BATCH = 500


class Indexer:
    def __init__(self, engine: SearchEngine, blobs: BlobStore, language: str, text_max_characters: int) -> None:
        self.engine = engine
        self.blobs = blobs
        self.language = language
        self.text_max_characters = text_max_characters

    def index_document(self, session: Session, tenant_id: str, document_id: str) -> None:
        self.index_documents(session, tenant_id, [document_id])

    def index_documents(self, session: Session, tenant_id: str, document_ids: list[str]) -> None:
        """Index the tenant's documents as their rows are now; those gone leave the index. A
        fixed number of statements however many documents."""
        entries = self.document_entries(session, tenant_id, document_ids)
        gone = set(document_ids) - {entry.id for entry in entries}
        if entries:
            self.engine.index(entries, session=session)
        if gone:
            self.engine.delete(tenant_id, "document", sorted(gone), session=session)

    def index_case(self, session: Session, tenant_id: str, case_id: str) -> None:
        case = find_case(session, tenant_id, case_id)
        if case is not None:
            self.engine.index([self.case_entry(case)], session=session)

    def document_entry(self, session: Session, tenant_id: str, document_id: str) -> IndexEntry | None:
        entries = self.document_entries(session, tenant_id, [document_id])
        return entries[0] if entries else None

    def document_entries(self, session: Session, tenant_id: str, document_ids: list[str]) -> list[IndexEntry]:
        """The entries of those of the tenant's documents that exist, with their case's copy and
        their current version's text."""
        rows = session.execute(
            select(documents).where(documents.c.tenant_id == tenant_id, documents.c.id.in_(set(document_ids)))
        ).mappings().all()
        cases = find_cases(session, tenant_id, [row["case_id"] for row in rows if row["case_id"]])
        texts = self._text_blobs(session, [(row["id"], row["current_version"]) for row in rows])
        return [
            self._document_entry(row, cases.get(row["case_id"]), self._text(tenant_id, row["id"], texts.get(row["id"])))
            for row in rows
        ]

    def case_entry(self, case: CaseCopy) -> IndexEntry:
        return IndexEntry(
            tenant_id=case.tenant_id,
            kind="case",
            id=case.case_id,
            title=case.title,
            text=" ".join((case.number, *case.party_names)),
            language=self.language,
            access_group_id=case.access_group_id,
            screening_code=case.screening_code,
            case_id=case.case_id,
            case_number=case.number,
            document_type=None,
            category=None,
            status=case.status,
            class_code=case.class_code,
            party_ids=case.party_ids,
            party_names=case.party_names,
            date=case.created_at,
            updated_at=datetime.now(UTC),
        )

    def reindex(self, session: Session, tenant_id: str | None = None) -> tuple[int, int]:
        """Clear the engine's entries (of one tenant, or all) and index every case and document
        again from the tables. Returns (cases, documents) indexed."""
        self.engine.clear(tenant_id)
        cases = documents_indexed = 0
        for batch in _batches(self._case_ids(session, tenant_id)):
            entries = [self.case_entry(case) for tenant, case_id in batch if (case := find_case(session, tenant, case_id))]
            self.engine.index(entries)
            cases += len(entries)
        for batch in _batches(self._document_ids(session, tenant_id)):
            by_tenant: dict[str, list[str]] = {}
            for tenant, document_id in batch:
                by_tenant.setdefault(tenant, []).append(document_id)
            entries = [entry for tenant, ids in by_tenant.items() for entry in self.document_entries(session, tenant, ids)]
            self.engine.index(entries)
            documents_indexed += len(entries)
            log.info("reindexing", cases=cases, documents=documents_indexed)
        return cases, documents_indexed

    def _document_entry(self, row, case: CaseCopy | None, text: str) -> IndexEntry:
        return IndexEntry(
            tenant_id=row["tenant_id"],
            kind="document",
            id=row["id"],
            title=row["title"],
            text=text,
            language=self.language,
            access_group_id=row["access_group_id"],
            screening_code=row["screening_code"],
            case_id=row["case_id"],
            case_number=case.number if case else None,
            document_type=row["document_type"],
            category=row["category"],
            status=row["status"],
            class_code=case.class_code if case else None,
            party_ids=case.party_ids if case else (),
            party_names=case.party_names if case else (),
            date=row["created_at"],
            updated_at=row["updated_at"],
        )

    @staticmethod
    def _text_blobs(session: Session, versions: list[tuple[str, int]]) -> dict[str, str]:
        """The SHA-256 of each document's done text rendition of the given version, by document."""
        if not versions:
            return {}
        wanted = set(versions)
        rows = session.execute(
            select(renditions.c.document_id, renditions.c.version_number, renditions.c.sha256).where(
                renditions.c.document_id.in_({document_id for document_id, _ in versions}),
                renditions.c.kind == "text",
                renditions.c.status == "done",
            )
        )
        return {document_id: sha256 for document_id, number, sha256 in rows if (document_id, number) in wanted}

    def _text(self, tenant_id: str, document_id: str, sha256: str | None) -> str:
        if sha256 is None:
            return ""
        try:
            with self.blobs.open(tenant_id, sha256) as stream:
                data = stream.read(self.text_max_characters * 4)
        except BlobNotFound:
            log.warning("text rendition missing from the blob store", document_id=document_id, sha256=sha256)
            return ""
        return data.decode("utf-8", errors="ignore")[: self.text_max_characters]

    @staticmethod
    def _case_ids(session: Session, tenant_id: str | None) -> Iterator:
        query = select(case_copies.c.tenant_id, case_copies.c.case_id).order_by(case_copies.c.case_id)
        if tenant_id is not None:
            query = query.where(case_copies.c.tenant_id == tenant_id)
        return iter(session.execute(query).all())

    @staticmethod
    def _document_ids(session: Session, tenant_id: str | None) -> Iterator:
        query = select(documents.c.tenant_id, documents.c.id).order_by(documents.c.id)
        if tenant_id is not None:
            query = query.where(documents.c.tenant_id == tenant_id)
        return iter(session.execute(query).all())


def _batches(rows) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(tuple(row))
        if len(batch) >= REINDEX_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
