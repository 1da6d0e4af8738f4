"""The identity service built for a test, and audit records fed to its trail as the worker would."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from akta import context
from akta.contracts import Envelope
from akta.contracts.audit import AuditRecorded, CasesAuditRecorded
from akta.service import Service
from akta_identity.bootstrap import bootstrap as bootstrap_identity
from akta_identity.service_layer.handlers import EVENT_HANDLERS
from akta_identity.settings import IdentitySettings
from tests.support.system import service_settings
from tests.support.tokens import TestTokens


def build_identity(
    data_dir: Path, database_url: str | None, bus_url: str, namespace: str, tokens: TestTokens
) -> Service:
    settings = service_settings(
        IdentitySettings,
        data_dir,
        database_url,
        bus_url,
        namespace,
        tokens.public_key_file,
        token_private_key_file=tokens.private_key_file,
    )
    service = bootstrap_identity(settings)
    service.migrate()
    return service


def audit_envelope(
    tenant_id: str,
    event_class: type[AuditRecorded] = CasesAuditRecorded,
    actor: str = "user:u-1",
    correlation_id: str = "corr-1",
    **fields,
) -> tuple[AuditRecorded, Envelope]:
    values = {
        "record_id": uuid.uuid4(),
        "action": "read",
        "entity_type": "case",
        "entity_id": "case-1",
        "outcome": "success",
        "occurred_at": datetime.now(UTC),
        "client_ip": "192.0.2.1",
        "user_agent": "pytest",
        "details": {},
        **fields,
    }
    event = event_class(**values)
    return event, Envelope.wrap(event, tenant=tenant_id, actor=actor, correlation_id=correlation_id)


def feed_audit(service: Service, tenant_id: str, **fields) -> Envelope:
    """Hand one audit event to identity's handler in a transaction, as its worker does."""
    event, envelope = audit_envelope(tenant_id, **fields)
    with context.bound(context.MessageContext(correlation_id=envelope.correlationid, actor=envelope.actor)):
        with service.unit_of_work() as uow:
            EVENT_HANDLERS["record_audit"](event, envelope=envelope, uow=uow)
            uow.commit()
    return envelope
