"""Tables of case parties, on the cases metadata."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, UniqueConstraint

from akta.db.mapping import map_aggregate, map_once
from akta.db.types import UtcDateTime
from akta_cases.adapters.orm import mapper_registry, metadata
from akta_cases.parties.model import CaseParty

case_parties = Table(
    "case_parties", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("contact_id", String(36), nullable=False),
    Column("role", String(30), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    # A contact has a role on a case once; the key also serves listing a case's parties.
    UniqueConstraint("tenant_id", "case_id", "contact_id", "role", name="uq_case_parties_case_contact_role"),
)
# Which cases a contact is a party of: who may see the contact's national id, subject access.
Index("ix_case_parties_tenant_contact", case_parties.c.tenant_id, case_parties.c.contact_id)


def start_mappers() -> None:
    map_once(__name__, _map)


def _map() -> None:
    map_aggregate(mapper_registry, CaseParty, case_parties)
