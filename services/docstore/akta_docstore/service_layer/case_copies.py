"""Docstore's copy of the cases service's cases: number, title, status, access, class, parties.

Documents take their access from their case, and the search index shows cases beside documents,
so both read this copy. It is kept current from case events; events may arrive late or twice,
so a case's copy only moves forward in the case's own version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from akta.contracts import Envelope
from akta.contracts.cases import (
    CaseCreated,
    CaseUpdated,
    PartyAdded,
    PartyRemoved,
    RegistrationChanged,
    RegistrationCreated,
)
from akta_docstore.adapters.orm import case_copies, case_copy_parties
from akta_docstore.domain.model import CaseAccess


@dataclass(frozen=True)
class CaseCopy:
    case_id: str
    tenant_id: str
    number: str
    title: str
    status: str
    access_group_id: str | None
    screening_code: str | None
    class_id: str | None
    class_code: str | None
    created_at: datetime
    party_ids: tuple[str, ...]
    party_names: tuple[str, ...]

    @property
    def access(self) -> CaseAccess:
        return CaseAccess(self.case_id, self.number, self.access_group_id, self.screening_code, self.status)


@dataclass(frozen=True)
class CaseFollowed:
    """What a case event changed here: the case to index again, and its access before."""

    case_id: str
    access_changed: bool
    screening_before: str | None


def find_case(session: Session, tenant_id: str, case_id: str) -> CaseCopy | None:
    return find_cases(session, tenant_id, [case_id]).get(case_id)


def find_cases(session: Session, tenant_id: str, case_ids: Iterable[str]) -> dict[str, CaseCopy]:
    """The copies of the tenant's cases among `case_ids` that are known here, by case id: two
    queries however many cases."""
    case_ids = list(dict.fromkeys(case_ids))
    if not case_ids:
        return {}
    rows = session.execute(
        select(case_copies).where(case_copies.c.tenant_id == tenant_id, case_copies.c.case_id.in_(case_ids))
    ).mappings().all()
    parties: dict[str, list[tuple[str, str | None]]] = {}
    for case_id, contact_id, name in session.execute(
        select(case_copy_parties.c.case_id, case_copy_parties.c.contact_id, case_copy_parties.c.name)
        .where(
            case_copy_parties.c.tenant_id == tenant_id,
            case_copy_parties.c.case_id.in_([row["case_id"] for row in rows]),
            case_copy_parties.c.removed.is_(False),
        )
        .order_by(case_copy_parties.c.case_id, case_copy_parties.c.party_id)
    ):
        parties.setdefault(case_id, []).append((contact_id, name))
    return {row["case_id"]: _case_copy(row, parties.get(row["case_id"], [])) for row in rows}


def _case_copy(row, parties: list[tuple[str, str | None]]) -> CaseCopy:
    return CaseCopy(
        case_id=row["case_id"],
        tenant_id=row["tenant_id"],
        number=row["number"],
        title=row["title"],
        status=row["status"],
        access_group_id=row["access_group_id"],
        screening_code=row["screening_code"],
        class_id=row["class_id"],
        class_code=row["class_code"],
        created_at=row["created_at"],
        party_ids=tuple(dict.fromkeys(contact_id for contact_id, _ in parties)),
        party_names=tuple(dict.fromkeys(name for _, name in parties if name)),
    )


def follow_case_event(session: Session, event, envelope: Envelope) -> CaseFollowed | None:
    """Apply one case or party event to the copy; None when it changed nothing."""
    tenant_id = envelope.tenant
    if isinstance(event, CaseCreated | CaseUpdated):
        return _follow_case(session, tenant_id, event, envelope.time)
    if isinstance(event, PartyAdded):
        return _follow_party(session, tenant_id, event, removed=False)
    if isinstance(event, PartyRemoved):
        return _follow_party(session, tenant_id, event, removed=True)
    return None


def registration_documents(event: RegistrationCreated | RegistrationChanged) -> list[str]:
    return list(dict.fromkeys(event.document_ids))


def _follow_case(session: Session, tenant_id: str, event: CaseCreated | CaseUpdated, at: datetime) -> CaseFollowed | None:
    version = event.version if isinstance(event, CaseUpdated) else 1
    current = session.execute(
        select(case_copies.c.case_version, case_copies.c.access_group_id, case_copies.c.screening_code).where(
            case_copies.c.tenant_id == tenant_id, case_copies.c.case_id == event.case_id
        )
    ).one_or_none()
    values = {
        "number": event.number,
        "title": event.title,
        "status": event.status,
        "access_group_id": event.access_group_id,
        "screening_code": event.screening_code,
        "updated_at": at,
        "case_version": version,
    }
    if isinstance(event, CaseCreated) or event.class_id is not None:
        values.update(class_id=event.class_id, class_code=event.class_code)
    if current is None:
        session.execute(case_copies.insert().values(case_id=event.case_id, tenant_id=tenant_id, created_at=at, **values))
        return CaseFollowed(event.case_id, access_changed=False, screening_before=None)
    if version <= current.case_version:
        return None
    session.execute(
        update(case_copies)
        .where(case_copies.c.tenant_id == tenant_id, case_copies.c.case_id == event.case_id)
        .values(**values)
    )
    access_changed = (current.access_group_id, current.screening_code) != (event.access_group_id, event.screening_code)
    return CaseFollowed(event.case_id, access_changed, current.screening_code)


def _follow_party(session: Session, tenant_id: str, event: PartyAdded | PartyRemoved, removed: bool) -> CaseFollowed:
    exists = session.scalar(select(case_copy_parties.c.removed).where(case_copy_parties.c.party_id == event.party_id))
    if exists is None:
        session.execute(
            case_copy_parties.insert().values(
                party_id=event.party_id,
                tenant_id=tenant_id,
                case_id=event.case_id,
                contact_id=event.contact_id,
                name=getattr(event, "contact_name", None),
                role=event.role,
                removed=removed,
            )
        )
    elif removed:
        # A removal is final, even when the addition arrives after it.
        session.execute(update(case_copy_parties).where(case_copy_parties.c.party_id == event.party_id).values(removed=True))
    return CaseFollowed(event.case_id, access_changed=False, screening_before=None)
