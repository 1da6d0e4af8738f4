"""Which renditions each format gets, and the rows that track them.

Every version gets a "text" rendition (what search indexes). A PDF without a text layer, and
every image, gets its text from OCR, which also makes a searchable PDF; office files get a
PDF/A; PDFs, images and office files (through their PDF/A) get a preview of the first page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from akta_docstore.adapters.orm import renditions

PRIORITY = {"text": 0, "ocr": 1, "pdfa": 2, "preview": 3}
OFFICE_FORMATS = ("docx", "odt", "xlsx")
IMAGE_FORMATS = ("png", "jpeg", "tiff")

PLANNED = {
    "pdf": ("text", "preview"),
    "docx": ("text", "pdfa", "preview"),
    "odt": ("text", "pdfa", "preview"),
    "xlsx": ("text", "pdfa", "preview"),
    "txt": ("text",),
    "eml": ("text",),
    "msg": ("text",),
    "png": ("text", "preview"),
    "jpeg": ("text", "preview"),
    "tiff": ("text", "preview"),
}


@dataclass(frozen=True)
class StoredVersion:
    """A version just stored, whose renditions are to be planned."""

    tenant_id: str
    document_id: str
    version_number: int
    format: str
    correlation_id: str | None


def plan_all(session: Session, versions: list[StoredVersion], now: datetime) -> None:
    """Add the pending renditions of many versions in one INSERT; renditions already planned
    (an event delivered twice, a version stored again) are left alone."""
    if not versions:
        return
    planned = {
        (document_id, number, kind)
        for document_id, number, kind in session.execute(
            select(renditions.c.document_id, renditions.c.version_number, renditions.c.kind).where(
                renditions.c.document_id.in_({version.document_id for version in versions})
            )
        )
    }
    rows = []
    for version in versions:
        for kind in PLANNED.get(version.format, ("text",)):
            key = (version.document_id, version.version_number, kind)
            if key in planned:
                continue
            planned.add(key)
            rows.append(_pending_row(version.tenant_id, version.document_id, version.version_number, kind, version.correlation_id, now))
    if rows:
        session.execute(renditions.insert(), rows)


def add(
    session: Session, tenant_id: str, document_id: str, version_number: int, kind: str,
    correlation_id: str | None, now: datetime,
) -> bool:
    exists = session.scalar(
        select(renditions.c.id).where(
            renditions.c.document_id == document_id,
            renditions.c.version_number == version_number,
            renditions.c.kind == kind,
        )
    )
    if exists is not None:
        return False
    session.execute(renditions.insert().values(_pending_row(tenant_id, document_id, version_number, kind, correlation_id, now)))
    return True


def _pending_row(
    tenant_id: str, document_id: str, version_number: int, kind: str, correlation_id: str | None, now: datetime,
) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "tenant_id": tenant_id,
        "document_id": document_id,
        "version_number": version_number,
        "kind": kind,
        "status": "pending",
        "priority": PRIORITY[kind],
        "attempts": 0,
        "next_attempt_at": now,
        "correlation_id": correlation_id,
        "created_at": now,
        "updated_at": now,
    }
