"""Classes and templates, always within one tenant."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from akta_cases.archive_plan.model import ArchiveClass, CaseTemplate

MAX_DEPTH = 20


class ArchivePlanRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set = set()

    def add(self, item) -> None:
        self.session.add(item)
        self.seen.add(item)

    def archive_class(self, tenant_id: str, class_id: str) -> ArchiveClass | None:
        found = self.session.scalars(
            select(ArchiveClass).where(ArchiveClass.tenant_id == tenant_id, ArchiveClass.id == class_id)
        ).one_or_none()
        if found is not None:
            self.seen.add(found)
        return found

    def class_by_code(self, tenant_id: str, code: str) -> ArchiveClass | None:
        found = self.session.scalars(
            select(ArchiveClass).where(ArchiveClass.tenant_id == tenant_id, ArchiveClass.code == code)
        ).one_or_none()
        if found is not None:
            self.seen.add(found)
        return found

    def lineage(self, tenant_id: str, class_id: str) -> list[ArchiveClass]:
        """The class and its ancestors, nearest first."""
        chain: list[ArchiveClass] = []
        current = self.archive_class(tenant_id, class_id)
        while current is not None and len(chain) < MAX_DEPTH:
            chain.append(current)
            current = self.archive_class(tenant_id, current.parent_id) if current.parent_id else None
        return chain

    def template(self, tenant_id: str, template_id: str) -> CaseTemplate | None:
        found = self.session.scalars(
            select(CaseTemplate).where(CaseTemplate.tenant_id == tenant_id, CaseTemplate.id == template_id)
        ).one_or_none()
        if found is not None:
            self.seen.add(found)
        return found

    def template_by_name(self, tenant_id: str, name: str) -> CaseTemplate | None:
        return self.session.scalars(
            select(CaseTemplate).where(CaseTemplate.tenant_id == tenant_id, CaseTemplate.name == name)
        ).one_or_none()
