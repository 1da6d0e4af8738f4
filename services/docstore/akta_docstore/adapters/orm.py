"""Tables of the docstore service; documents are mapped onto the pure domain classes."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import registry, relationship

from akta.db.mapping import map_aggregate, map_once
from akta.db.types import UtcDateTime
from akta_docstore.domain.model import Comment, Document, DocumentVersion, Reference

metadata = MetaData()
mapper_registry = registry(metadata=metadata)

documents = Table(
    "documents", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("title", String(500), nullable=False),
    Column("document_type", String(64), nullable=False),
    Column("category", String(64), nullable=True),
    Column("status", String(10), nullable=False),
    Column("case_id", String(36), nullable=True),
    Column("registration_id", String(36), nullable=True),
    Column("attached_to_document_id", String(36), nullable=True),
    Column("access_group_id", String(36), nullable=True),
    Column("screening_code", String(40), nullable=True),
    Column("owner_id", String(64), nullable=True),
    Column("current_version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("version", Integer, nullable=False),
)
Index("ix_documents_tenant_case", documents.c.tenant_id, documents.c.case_id, documents.c.created_at)
Index("ix_documents_tenant_updated", documents.c.tenant_id, documents.c.updated_at.desc(), documents.c.id)
Index("ix_documents_tenant_registration", documents.c.tenant_id, documents.c.registration_id)
Index("ix_documents_tenant_attached_to", documents.c.tenant_id, documents.c.attached_to_document_id)

document_versions = Table(
    "document_versions", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("document_id", String(36), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("format", String(10), nullable=False),
    Column("mime_type", String(120), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
)
Index("uq_document_versions_number", document_versions.c.document_id, document_versions.c.number, unique=True)
# Which versions hold a blob (fixity, disposal: a blob goes when nothing refers to it).
Index("ix_document_versions_blob", document_versions.c.tenant_id, document_versions.c.sha256)

document_references = Table(
    "document_references", metadata,
    Column("tenant_id", String(64), nullable=False),
    Column("document_id", String(36), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("referenced_document_id", String(36), primary_key=True),
    Column("note", String(500), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
)

document_comments = Table(
    "document_comments", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("document_id", String(36), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("author_id", String(64), nullable=False),
    Column("author", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
Index("ix_document_comments_document", document_comments.c.document_id, document_comments.c.created_at)

# Renditions are made by workers, after the upload; each row is the state of one (its job).
renditions = Table(
    "renditions", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("document_id", String(36), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("version_number", Integer, nullable=False),
    Column("kind", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("claimed_until", UtcDateTime, nullable=True),
    Column("reason", String(1000), nullable=True),
    Column("sha256", String(64), nullable=True),
    Column("size", BigInteger, nullable=True),
    Column("source", String(20), nullable=True),
    Column("correlation_id", String(64), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
Index("uq_renditions_version_kind", renditions.c.document_id, renditions.c.version_number, renditions.c.kind, unique=True)
Index("ix_renditions_due", renditions.c.status, renditions.c.priority, renditions.c.next_attempt_at)
Index("ix_renditions_blob", renditions.c.tenant_id, renditions.c.sha256)

# Docstore's copy of each case, from the cases service's events.
case_copies = Table(
    "case_copies", metadata,
    Column("case_id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("number", String(20), nullable=False),
    Column("title", String(500), nullable=False),
    Column("status", String(20), nullable=False),
    Column("access_group_id", String(36), nullable=True),
    Column("screening_code", String(40), nullable=True),
    Column("class_id", String(36), nullable=True),
    Column("class_code", String(40), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("case_version", Integer, nullable=False),
)
Index("ix_case_copies_tenant", case_copies.c.tenant_id, case_copies.c.case_id)

case_copy_parties = Table(
    "case_copy_parties", metadata,
    Column("party_id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("contact_id", String(36), nullable=False),
    Column("name", String(200), nullable=True),
    Column("role", String(20), nullable=False),
    Column("removed", Boolean, nullable=False),
)
Index("ix_case_copy_parties_case", case_copy_parties.c.tenant_id, case_copy_parties.c.case_id)

format_policies = Table(
    "format_policies", metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("allowed_formats", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(200), nullable=False),
)

saved_searches = Table(
    "saved_searches", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("owner_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("criteria", JSON, nullable=False),
    Column("shared", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
Index("ix_saved_searches_tenant_owner", saved_searches.c.tenant_id, saved_searches.c.owner_id)


def start_mappers() -> None:
    map_once(__name__, _map)


def _map() -> None:
    mapper_registry.map_imperatively(DocumentVersion, document_versions)
    mapper_registry.map_imperatively(Reference, document_references)
    mapper_registry.map_imperatively(Comment, document_comments)
    # The domain counts versions itself; the mapper checks the old one in every UPDATE.
    map_aggregate(
        mapper_registry, Document, documents,
        version_id_col=documents.c.version, version_id_generator=False,
        properties={
            "versions": relationship(DocumentVersion, order_by=document_versions.c.number, cascade="all, delete-orphan"),
            "references": relationship(Reference, order_by=document_references.c.created_at, cascade="all, delete-orphan"),
        },
    )
