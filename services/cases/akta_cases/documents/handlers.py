"""Keeping the copy of docstore's documents current from its events; run by the worker inside
its transaction.

Events of one document can arrive out of order (a failed batch is retried message by message;
two workers share a queue). Each carries docstore's version of the document's metadata: one
whose version is not above the copy's is older news and leaves the description alone. The
creation (time and actor) is taken from DocumentCreated whenever it comes."""

from __future__ import annotations

import structlog
from sqlalchemy import select, update

from akta.bus.worker import BatchHandler, event_context
from akta.contracts import Envelope
from akta.contracts.docstore import DocumentChanged, DocumentCreated
from akta_cases.documents.orm import case_documents

log = structlog.get_logger("akta.cases.documents")

HANDLER_NAME = "track_documents"


def track_documents(events: list[tuple[DocumentCreated | DocumentChanged, Envelope]], uow) -> None:
    """A batch of document events: the copies' versions read in one query, then one INSERT or
    UPDATE per event."""
    session = uow.session
    stored_versions = {
        (tenant_id, document_id): version
        for tenant_id, document_id, version in session.execute(
            select(case_documents.c.tenant_id, case_documents.c.document_id, case_documents.c.version).where(
                case_documents.c.document_id.in_({event.document_id for event, _ in events})
            )
        )
    }
    for event, envelope in events:
        key = (envelope.tenant, event.document_id)
        with event_context(envelope):
            stored_versions[key] = _track(session, event, envelope, stored_versions.get(key))


def _track(session, event: DocumentCreated | DocumentChanged, envelope: Envelope, stored_version: int | None) -> int:
    """Apply one event to the copy whose version is `stored_version` (None: no copy yet);
    returns the copy's version after it."""
    key = (case_documents.c.document_id == event.document_id) & (case_documents.c.tenant_id == envelope.tenant)
    described = {
        "case_id": event.case_id,
        "title": event.title,
        "document_type": event.document_type,
        "status": event.status,
        "screening_code": event.screening_code,
        "current_version": event.current_version,
        "version": event.version,
        "updated_at": envelope.time,
    }
    created = {"created_at": envelope.time, "created_by": envelope.actor}
    if stored_version is None:
        # A change that overtook the creation stands in for it until the creation arrives.
        session.execute(
            case_documents.insert().values(document_id=event.document_id, tenant_id=envelope.tenant, **created, **described)
        )
        log.info("document tracked", document_id=event.document_id, case_id=event.case_id)
        return event.version
    newer = event.version > stored_version
    changes = {
        **(created if isinstance(event, DocumentCreated) else {}),
        **(described if newer else {}),
    }
    if changes:
        session.execute(update(case_documents).where(key).values(**changes))
    else:
        log.info("older document event ignored", document_id=event.document_id, version=event.version)
    return event.version if newer else stored_version


HANDLERS = {HANDLER_NAME: BatchHandler(track_documents)}
