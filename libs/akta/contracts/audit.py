"""Audit records: every service publishes its own, identity keeps them all in a hash chain.

The actor, the tenant and the correlation id travel in the envelope; the data says what was
done to which entity, with which outcome, from where.
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import AwareDatetime, Field

from akta.contracts.base import Event

Outcome = Literal["success", "denied", "failed"]
DetailValue = str | int | float | bool | None


class AuditRecorded(Event):
    """Base of every service's audit event; not an event type of its own."""

    subject_field = "record_id"

    record_id: uuid.UUID = Field(description="Made where the fact happened; identity deduplicates on it.")
    action: str = Field(min_length=1, max_length=60, description="e.g. read, download, create, change, delete, send, sign_in.")
    entity_type: str = Field(min_length=1, max_length=60, description="e.g. case, document, letter, user.")
    entity_id: str = Field(max_length=200)
    outcome: Outcome
    occurred_at: AwareDatetime
    client_ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)
    details: dict[str, DetailValue] = Field(default_factory=dict, description="Simple values only.")


class IdentityAuditRecorded(AuditRecorded):
    event_type = "identity.audit.recorded.v1"
    summary = "Identity recorded an audited action (sign-in, user and organisation changes, grants)."


class CasesAuditRecorded(AuditRecorded):
    event_type = "cases.audit.recorded.v1"
    summary = "Cases recorded an audited action (a case or registration read, created, changed…)."


class DocstoreAuditRecorded(AuditRecorded):
    event_type = "docstore.audit.recorded.v1"
    summary = "Docstore recorded an audited action (a document read, downloaded, stored, deleted…)."


class DispatchAuditRecorded(AuditRecorded):
    event_type = "dispatch.audit.recorded.v1"
    summary = "Dispatch recorded an audited action (a letter created, sent, read…)."


class IntakeAuditRecorded(AuditRecorded):
    event_type = "intake.audit.recorded.v1"
    summary = "Intake recorded an audited action (an intake item read, distributed…)."


class RetentionAuditRecorded(AuditRecorded):
    event_type = "retention.audit.recorded.v1"
    summary = "Retention recorded an audited action (a rule, hold or disposal run changed…)."


AUDIT_EVENTS: tuple[type[AuditRecorded], ...] = (
    IdentityAuditRecorded,
    CasesAuditRecorded,
    DocstoreAuditRecorded,
    DispatchAuditRecorded,
    IntakeAuditRecorded,
    RetentionAuditRecorded,
)
