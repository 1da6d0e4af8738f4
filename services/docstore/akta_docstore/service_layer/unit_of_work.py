from __future__ import annotations

from sqlalchemy.orm import Session

from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta_docstore.adapters.repository import SqlAlchemyDocumentRepository


class DocstoreUnitOfWork(SqlAlchemyUnitOfWork):
    # Event handlers keep the search index in step; the service sets it on each unit of work.
    indexer = None

    def start(self, session: Session) -> None:
        self.documents = SqlAlchemyDocumentRepository(session)

    def seen_aggregates(self):
        yield from self.documents.seen
