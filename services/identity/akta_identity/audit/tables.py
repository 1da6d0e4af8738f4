"""Tables of the audit trail, on identity's metadata. Rows are only ever inserted: on
PostgreSQL a trigger rejects UPDATE, DELETE and TRUNCATE of `audit_records`."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, String, Table

from akta.db.types import UtcDateTime
from akta_identity.adapters.orm import metadata

audit_records = Table(
    "audit_records",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("sequence", BigInteger, primary_key=True, autoincrement=False),
    Column("record_id", String(36), nullable=False, unique=True),
    Column("event_id", String(64), nullable=False),
    Column("service", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(60), nullable=False),
    Column("entity_type", String(60), nullable=False),
    Column("entity_id", String(200), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("client_ip", String(64), nullable=True),
    Column("user_agent", String(300), nullable=True),
    Column("correlation_id", String(128), nullable=False),
    Column("details", JSON, nullable=False),
    Column("previous_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_audit_records_entity", audit_records.c.tenant_id, audit_records.c.entity_type, audit_records.c.entity_id)
Index("ix_audit_records_actor", audit_records.c.tenant_id, audit_records.c.actor)
Index("ix_audit_records_occurred_at", audit_records.c.tenant_id, audit_records.c.occurred_at)

audit_chain_heads = Table(
    "audit_chain_heads",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("last_sequence", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
)
