"""Keeping the copy of docstore's documents current from its events; run by the worker inside
its transaction.

Events of one document can arrive out of order (a failed batch is retried message by message;
two workers share a queue). Each carries docstore's version of the document's metadata: one
whose version is not above the copy's is older news and leaves the description alone. The
creation (time and actor) is taken from DocumentCreated whenever it comes."""

from __future__ import annotations

import structlog
from sqlalchemy import select, update

from akta.contracts import Envelope
from akta.contracts.docstore import DocumentChanged, DocumentCreated
from akta_cases.documents.orm import case_documents

log = structlog.get_logger("akta.cases.documents")

HANDLER_NAME = "track_documents"


def track_documents(event: DocumentCreated | DocumentChanged, envelope: Envelope, uow) -> None:
    session = uow.session
    key = (case_documents.c.document_id == event.document_id) & (case_documents.c.tenant_id == envelope.tenant)
    stored_version = session.scalar(select(case_documents.c.version).where(key))
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
        return
    changes = {
        **(created if isinstance(event, DocumentCreated) else {}),
        **(described if event.version > stored_version else {}),
    }
    if changes:
        session.execute(update(case_documents).where(key).values(**changes))
    else:
        log.info("older document event ignored", document_id=event.document_id, version=event.version)


HANDLERS = {HANDLER_NAME: track_documents}
