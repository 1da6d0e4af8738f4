"""Where documents are kept. Every lookup names the tenant."""

from __future__ import annotations

import abc

from sqlalchemy import select
from sqlalchemy.orm import Session

from akta_docstore.adapters import orm
from akta_docstore.domain.model import Comment, Document


class DocumentRepository(abc.ABC):
    def __init__(self) -> None:
        self.seen: set[Document] = set()

    def add(self, document: Document) -> None:
        self._add(document)
        self.seen.add(document)

    def get(self, tenant_id: str, document_id: str) -> Document | None:
        document = self._get(tenant_id, document_id)
        if document is not None:
            self.seen.add(document)
        return document

    def in_case(self, tenant_id: str, case_id: str) -> list[Document]:
        documents = self._in_case(tenant_id, case_id)
        self.seen.update(documents)
        return documents

    @abc.abstractmethod
    def add_comment(self, comment: Comment) -> None: ...

    @abc.abstractmethod
    def _add(self, document: Document) -> None: ...

    @abc.abstractmethod
    def _get(self, tenant_id: str, document_id: str) -> Document | None: ...

    @abc.abstractmethod
    def _in_case(self, tenant_id: str, case_id: str) -> list[Document]: ...


class SqlAlchemyDocumentRepository(DocumentRepository):
    def __init__(self, session: Session) -> None:
        super().__init__()
        orm.start_mappers()
        self.session = session

    def add_comment(self, comment: Comment) -> None:
        self.session.add(comment)

    def _add(self, document: Document) -> None:
        self.session.add(document)

    def _get(self, tenant_id: str, document_id: str) -> Document | None:
        return self.session.scalars(
            select(Document).where(orm.documents.c.tenant_id == tenant_id, orm.documents.c.id == document_id)
        ).one_or_none()

    def _in_case(self, tenant_id: str, case_id: str) -> list[Document]:
        return list(
            self.session.scalars(
                select(Document).where(orm.documents.c.tenant_id == tenant_id, orm.documents.c.case_id == case_id)
            )
        )
