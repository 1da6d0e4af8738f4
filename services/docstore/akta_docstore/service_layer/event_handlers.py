"""Event handlers of the docstore service. They run inside the worker's transaction: what they
write (the copy of cases, documents following their case, rendition rows, built-in index rows)
commits with the inbox row, or not at all. The unit of work carries the service's indexer."""

from __future__ import annotations

from datetime import UTC, datetime

from akta.access import replica as access_replica
from akta.bus.worker import BatchHandler
from akta.contracts import Envelope, Event
from akta.contracts.cases import RegistrationChanged, RegistrationCreated
from akta.contracts.docstore import DocumentVersionStored
from akta_docstore.renditions import plan
from akta_docstore.service_layer.case_copies import find_case, follow_case_event


def follow_cases(event, envelope: Envelope, uow) -> None:
    tenant_id, now = envelope.tenant, datetime.now(UTC)
    if isinstance(event, RegistrationCreated | RegistrationChanged):
        for document_id in dict.fromkeys(event.document_ids):
            document = uow.documents.get(tenant_id, document_id)
            if document is not None:
                document.file_under(event.registration_id, event.case_id, event.screening_code, now)
        return
    followed = follow_case_event(uow.session, event, envelope)
    if followed is None:
        return
    uow.indexer.index_case(uow.session, tenant_id, followed.case_id)
    if followed.access_changed:
        case = find_case(uow.session, tenant_id, followed.case_id)
        for document in uow.documents.in_case(tenant_id, followed.case_id):
            document.follow_case(case.access, followed.screening_before, now)


def plan_renditions(events: list[tuple[DocumentVersionStored, Envelope]], uow) -> None:
    plan.plan_all(
        uow.session,
        [
            plan.StoredVersion(envelope.tenant, event.document_id, event.version_number, event.format, envelope.correlationid)
            for event, envelope in events
        ],
        datetime.now(UTC),
    )


def index_documents(events: list[tuple[Event, Envelope]], uow) -> None:
    """Each document once per batch, however many of its events the batch holds: its entry is
    built from its rows as they are now."""
    by_tenant: dict[str, dict[str, None]] = {}
    for event, envelope in events:
        by_tenant.setdefault(envelope.tenant, {})[event.document_id] = None
    for tenant_id, document_ids in by_tenant.items():
        uow.indexer.index_documents(uow.session, tenant_id, list(document_ids))


EVENT_HANDLERS = {
    "follow_cases": follow_cases,
    "plan_renditions": BatchHandler(plan_renditions),
    "index_documents": BatchHandler(index_documents),
    **access_replica.HANDLERS,
}
