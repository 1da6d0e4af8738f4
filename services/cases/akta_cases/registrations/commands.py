"""What callers ask about registrations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from akta_cases.contacts.model import KEEP, Keep
from akta_cases.registrations.model import CorrespondentInput, DocumentInput, RegistrationDraft


@dataclass(frozen=True)
class CreateRegistration:
    tenant_id: str
    case_id: str
    draft: RegistrationDraft
    reply_to_registration_id: str | None = None


@dataclass(frozen=True)
class ChangeRegistration:
    tenant_id: str
    registration_id: str
    expected_version: int | None = None
    title: str | Keep = KEEP
    document_date: date | None | Keep = KEEP
    received_date: date | None | Keep = KEEP
    sent_date: date | None | Keep = KEEP
    correspondents: tuple[CorrespondentInput, ...] | Keep = KEEP
    documents: tuple[DocumentInput, ...] | Keep = KEEP
    screening_code: str | None | Keep = KEEP
    reply_to_registration_id: str | None | Keep = KEEP


@dataclass(frozen=True)
class ChangeRegistrationStatus:
    tenant_id: str
    registration_id: str
    status: str
    expected_version: int | None = None
