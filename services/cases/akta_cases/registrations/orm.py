"""Tables of registrations, their correspondents and documents, on the cases metadata."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import relationship

from akta.db.mapping import map_aggregate, map_once
from akta.db.types import UtcDateTime
from akta_cases.adapters.orm import mapper_registry, metadata
from akta_cases.registrations.model import Correspondent, Registration, RegistrationDocument

registrations = Table(
    "registrations", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("number", String(40), nullable=False),
    Column("kind", String(1), nullable=False),
    Column("title", String(500), nullable=False),
    Column("status", String(20), nullable=False),
    Column("document_date", Date, nullable=True),
    Column("received_date", Date, nullable=True),
    Column("sent_date", Date, nullable=True),
    Column("journal_date", Date, nullable=False),
    Column("screening_code", String(40), nullable=True),
    Column("reply_to_registration_id", String(36), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    # Also what listing a case's registrations walks, in number order.
    UniqueConstraint("tenant_id", "case_id", "sequence", name="uq_registrations_case_sequence"),
)
Index(
    "ix_registrations_tenant_journal_date",
    registrations.c.tenant_id, registrations.c.journal_date.desc(), registrations.c.created_at.desc(), registrations.c.id,
)
Index("ix_registrations_tenant_status", registrations.c.tenant_id, registrations.c.status, registrations.c.journal_date.desc())
Index("ix_registrations_tenant_kind", registrations.c.tenant_id, registrations.c.kind, registrations.c.journal_date.desc())
Index("ix_registrations_tenant_reply_to", registrations.c.tenant_id, registrations.c.reply_to_registration_id)

registration_correspondents = Table(
    "registration_correspondents", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("registration_id", String(36), ForeignKey("registrations.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("role", String(20), nullable=False),
    Column("contact_id", String(36), nullable=True),
    Column("name", String(200), nullable=False),
    Column("address_lines", JSON, nullable=False),
    Column("postal_code", String(20), nullable=True),
    Column("city", String(100), nullable=True),
    Column("country", String(2), nullable=True),
)
Index("ix_registration_correspondents_registration", registration_correspondents.c.registration_id)
# Everything filed about a contact (subject access requests).
Index("ix_registration_correspondents_contact", registration_correspondents.c.tenant_id, registration_correspondents.c.contact_id)

registration_documents = Table(
    "registration_documents", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("registration_id", String(36), ForeignKey("registrations.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("document_id", String(64), nullable=False),
    Column("role", String(20), nullable=False),
)
Index("ix_registration_documents_registration", registration_documents.c.registration_id)
# Which registration holds a docstore document.
Index("ix_registration_documents_document", registration_documents.c.tenant_id, registration_documents.c.document_id)

registration_number_sequences = Table(
    "registration_number_sequences", metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("case_id", String(36), primary_key=True),
    Column("last_value", Integer, nullable=False),
)


def start_mappers() -> None:
    map_once(__name__, _map)


def _map() -> None:
    mapper_registry.map_imperatively(Correspondent, registration_correspondents)
    mapper_registry.map_imperatively(RegistrationDocument, registration_documents)
    children = {"cascade": "all, delete-orphan", "lazy": "selectin", "passive_deletes": True}
    map_aggregate(
        mapper_registry,
        Registration,
        registrations,
        # The domain counts versions itself; the mapper checks the old one in every UPDATE.
        version_id_col=registrations.c.version,
        version_id_generator=False,
        properties={
            "correspondents": relationship(
                Correspondent, order_by=registration_correspondents.c.position, **children
            ),
            "documents": relationship(RegistrationDocument, order_by=registration_documents.c.position, **children),
        },
    )
