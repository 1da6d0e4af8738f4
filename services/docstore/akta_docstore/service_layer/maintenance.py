"""Operator tasks: rebuild the search index, check the stored bytes, retry failed renditions."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from sqlalchemy import select, union, update

from akta.storage import ExpectedBlob, FixityReport, verify_fixity
from akta_docstore.adapters.orm import document_versions, renditions

log = structlog.get_logger("akta.docstore.maintenance")


def reindex(service, tenant_id: str | None = None) -> tuple[int, int]:
    with service.database.read_session() as session:
        cases, documents = service.indexer.reindex(session, tenant_id)
    log.info("reindexed", engine=service.search.name, cases=cases, documents=documents, tenant_id=tenant_id)
    return cases, documents


def check_fixity(service, tenant_id: str | None = None) -> FixityReport:
    """Every blob the tables refer to (versions and renditions), re-read and hashed."""
    versions = select(document_versions.c.tenant_id, document_versions.c.sha256, document_versions.c.size)
    made = select(renditions.c.tenant_id, renditions.c.sha256, renditions.c.size).where(renditions.c.status == "done")
    if tenant_id is not None:
        versions = versions.where(document_versions.c.tenant_id == tenant_id)
        made = made.where(renditions.c.tenant_id == tenant_id)
    with service.database.read_session() as session:
        expected = [ExpectedBlob(tenant, sha256, size) for tenant, sha256, size in session.execute(union(versions, made))]
    report = verify_fixity(service.blobs, expected)
    log.info("fixity checked", checked=report.checked, mismatched=len(report.mismatched), missing=len(report.missing))
    return report


def retry_failed_renditions(service, tenant_id: str | None = None) -> int:
    with service.unit_of_work() as uow:
        statement = (
            update(renditions)
            .where(renditions.c.status == "failed")
            .values(status="pending", attempts=0, next_attempt_at=datetime.now(UTC), reason=None)
        )
        if tenant_id is not None:
            statement = statement.where(renditions.c.tenant_id == tenant_id)
        count = uow.session.execute(statement).rowcount
        uow.commit()
    return count
