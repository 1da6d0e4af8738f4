"""Tables of the contacts registry, on the cases metadata."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, UniqueConstraint

from akta.db.mapping import map_aggregate, map_once
from akta.db.types import UtcDateTime
from akta_cases.adapters.orm import mapper_registry, metadata
from akta_cases.contacts.model import Contact

contacts = Table(
    "contacts", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("search_name", String(200), nullable=False),
    Column("identifier_scheme", String(30), nullable=True),
    Column("identifier", String(20), nullable=True),
    Column("address_lines", JSON, nullable=False),
    Column("postal_code", String(20), nullable=True),
    Column("city", String(100), nullable=True),
    Column("country", String(2), nullable=True),
    Column("email", String(254), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    # Dedup: one contact per identifier in a tenant (several NULLs are allowed on both engines).
    UniqueConstraint("tenant_id", "identifier_scheme", "identifier", name="uq_contacts_tenant_identifier"),
)
Index("ix_contacts_tenant_search_name", contacts.c.tenant_id, contacts.c.search_name, contacts.c.id)


def start_mappers() -> None:
    map_once(__name__, _map)


def _map() -> None:
    map_aggregate(mapper_registry, Contact, contacts, version_id_col=contacts.c.version, version_id_generator=False)
