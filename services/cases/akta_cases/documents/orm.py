"""The table of documents as docstore last described them, on the cases metadata."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table

from akta.db.types import UtcDateTime
from akta_cases.adapters.orm import metadata

case_documents = Table(
    "case_documents",
    metadata,
    Column("document_id", String(64), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("case_id", String(64), nullable=True),
    Column("title", String(500), nullable=False),
    Column("document_type", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("screening_code", String(40), nullable=True),
    Column("current_version", Integer, nullable=False),
    # Docstore's version of the document's metadata: an event with a lower one is older news.
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
Index("ix_case_documents_tenant_created", case_documents.c.tenant_id, case_documents.c.created_at.desc(), case_documents.c.document_id)
Index("ix_case_documents_tenant_case", case_documents.c.tenant_id, case_documents.c.case_id)
