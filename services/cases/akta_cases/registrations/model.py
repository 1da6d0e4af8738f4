"""Registrations (journal entries; Noark 5 journalpost), pure Python.

A registration is filed in a case and numbered `<case number>-<n>`, n without gaps per case. It
lists its correspondents (senders, recipients, copies: a contact and/or a name and address as
they were on the letter) and its documents (held by docstore, referenced by id: one main
document, then attachments). Its status moves registered → journaled → expedited (outgoing
only) → archived and never back. It is in its case's access group; its screening code starts as
the case's and may be stricter (a reader needs both), never looser.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from akta.access.screening import check_screening_code
from akta.aggregate import Aggregate
from akta.contracts.cases import RegistrationChanged, RegistrationCreated, RegistrationStatusChanged
from akta.errors import Conflict, InvalidField, NotFound, PreconditionFailed
from akta_cases.contacts.model import KEEP, Address, Contact, Keep, clean_name
from akta_cases.domain.case_ref import CaseRef

KINDS: dict[str, dict[str, str]] = {
    "I": {"da": "Indgående", "nb": "Inngående", "en": "Incoming"},
    "U": {"da": "Udgående", "nb": "Utgående", "en": "Outgoing"},
    "N": {"da": "Internt notat", "nb": "Organinternt notat for oppfølging", "en": "Internal memo"},
    "X": {"da": "Notat", "nb": "Organinternt notat uten oppfølging", "en": "Note"},
}
STATUSES = ("registered", "journaled", "expedited", "archived")
_NEXT_STATUSES = {
    "registered": ("journaled",),
    "journaled": ("expedited", "archived"),
    "expedited": ("archived",),
    "archived": (),
}
# Once sent or archived, what was registered stays as it was; only the screening may still change.
LOCKED_STATUSES = ("expedited", "archived")
CORRESPONDENT_ROLES = ("sender", "recipient", "copy")
DOCUMENT_ROLES = ("main", "attachment")
TITLE_MAX_LENGTH = 500
DOCUMENT_ID_MAX_LENGTH = 64
# Dates are calendar dates where the caller is; a day of slack for time zones.
FUTURE_SLACK = timedelta(days=1)
CONTENT_FIELDS = ("title", "document_date", "received_date", "sent_date", "correspondents", "documents", "reply_to_registration_id")


def allowed_next(kind: str, status: str) -> tuple[str, ...]:
    """Where a registration of `kind` may go from `status`: only outgoing ones are expedited,
    and an outgoing one is expedited before it is archived."""
    options = _NEXT_STATUSES[status]
    if kind == "U":
        return ("expedited",) if status == "journaled" else options
    return tuple(option for option in options if option != "expedited")


class RegistrationNotFound(NotFound):
    def __init__(self, registration_id: str) -> None:
        super().__init__(f"no registration {registration_id}")


class StaleRegistration(PreconditionFailed):
    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"the registration changed since you read it (you had version {expected}, it is now {actual})",
            current_version=actual,
        )


class TransitionRefused(Conflict):
    def __init__(self, current: str, wanted: str, allowed: tuple[str, ...]) -> None:
        allowed_text = ", ".join(allowed) if allowed else "none: it is final"
        super().__init__(
            f"a registration cannot go from {current} to {wanted}; from {current} it may go to {allowed_text}",
            current_status=current,
            allowed=list(allowed),
        )


class LockedRegistration(Conflict):
    def __init__(self, status: str, fields: list[str]) -> None:
        super().__init__(
            f"the registration is {status}: its content stays as it was (only its screening may change); "
            f"refused changes to {', '.join(fields)}",
            current_status=status,
        )


@dataclass(frozen=True)
class CorrespondentInput:
    role: str
    contact_id: str | None = None
    name: str | None = None
    address: Address | None = None


@dataclass(frozen=True)
class DocumentInput:
    document_id: str
    role: str


class Correspondent:
    """A sender, recipient or copy as on the letter: the contact's name and address are copied
    when given by contact only, so the registration keeps them even if the contact moves."""

    def __init__(
        self,
        role: str,
        name: str,
        contact_id: str | None = None,
        address_lines: list[str] | None = None,
        postal_code: str | None = None,
        city: str | None = None,
        country: str | None = None,
        tenant_id: str = "",
        position: int = 0,
        id: str | None = None,
    ) -> None:
        self.id = id or str(uuid.uuid4())
        self.tenant_id, self.position = tenant_id, position
        self.role, self.name, self.contact_id = role, name, contact_id
        self.address_lines = list(address_lines or [])
        self.postal_code, self.city, self.country = postal_code, city, country

    def essentials(self) -> tuple:
        return (self.role, self.name, self.contact_id, tuple(self.address_lines), self.postal_code, self.city, self.country)


class RegistrationDocument:
    def __init__(self, document_id: str, role: str, tenant_id: str = "", position: int = 0, id: str | None = None) -> None:
        self.id = id or str(uuid.uuid4())
        self.tenant_id, self.position = tenant_id, position
        self.document_id, self.role = document_id, role

    def essentials(self) -> tuple:
        return (self.document_id, self.role)


@dataclass(frozen=True)
class RegistrationDraft:
    """What a caller files; `screening_code` left as KEEP takes the case's."""

    kind: str
    title: str
    document_date: date | None = None
    received_date: date | None = None
    sent_date: date | None = None
    journal_date: date | None = None
    correspondents: tuple[CorrespondentInput, ...] = ()
    documents: tuple[DocumentInput, ...] = ()
    screening_code: str | None | Keep = KEEP


ContactFinder = Callable[[str], Contact | None]


class Registration(Aggregate):
    def __init__(
        self,
        id: str,
        tenant_id: str,
        case_id: str,
        sequence: int,
        number: str,
        kind: str,
        title: str,
        status: str,
        document_date: date | None,
        received_date: date | None,
        sent_date: date | None,
        journal_date: date,
        screening_code: str | None,
        reply_to_registration_id: str | None,
        created_at: datetime,
        updated_at: datetime,
        created_by: str,
        version: int = 1,
        correspondents: list[Correspondent] | None = None,
        documents: list[RegistrationDocument] | None = None,
    ) -> None:
        super().__init__()
        self.id, self.tenant_id, self.case_id = id, tenant_id, case_id
        self.sequence, self.number, self.kind, self.title, self.status = sequence, number, kind, title, status
        self.document_date, self.received_date, self.sent_date = document_date, received_date, sent_date
        self.journal_date = journal_date
        self.screening_code, self.reply_to_registration_id = screening_code, reply_to_registration_id
        self.created_at, self.updated_at, self.created_by, self.version = created_at, updated_at, created_by, version
        self.correspondents = correspondents or []
        self.documents = documents or []

    @classmethod
    def register(
        cls,
        case: CaseRef,
        sequence: int,
        draft: RegistrationDraft,
        find_contact: ContactFinder,
        actor: str,
        now: datetime,
        reply_to: Registration | None = None,
    ) -> Registration:
        kind = check_kind(draft.kind)
        journal_date = draft.journal_date or now.date()
        _check_dates(kind, draft.document_date, draft.received_date, draft.sent_date, journal_date, now)
        registration = cls(
            id=str(uuid.uuid4()),
            tenant_id=case.tenant_id,
            case_id=case.id,
            sequence=sequence,
            number=f"{case.number}-{sequence}",
            kind=kind,
            title=clean_title(draft.title),
            status="registered",
            document_date=draft.document_date,
            received_date=draft.received_date,
            sent_date=draft.sent_date,
            journal_date=journal_date,
            screening_code=_screening(case, case.screening_code if isinstance(draft.screening_code, Keep) else draft.screening_code),
            reply_to_registration_id=None,
            created_at=now,
            updated_at=now,
            created_by=actor,
        )
        registration.correspondents = correspondents(draft.correspondents, case.tenant_id, find_contact)
        registration.documents = documents(draft.documents, case.tenant_id)
        registration.reply_to_registration_id = registration._reply_to(reply_to)
        registration.record(RegistrationCreated(**registration._event_data(case)))
        return registration

    def change(
        self,
        now: datetime,
        case: CaseRef,
        find_contact: ContactFinder,
        expected_version: int | None = None,
        title: str | Keep = KEEP,
        document_date: date | None | Keep = KEEP,
        received_date: date | None | Keep = KEEP,
        sent_date: date | None | Keep = KEEP,
        correspondents_given: tuple[CorrespondentInput, ...] | Keep = KEEP,
        documents_given: tuple[DocumentInput, ...] | Keep = KEEP,
        screening_code: str | None | Keep = KEEP,
        reply_to: Registration | None | Keep = KEEP,
    ) -> list[str]:
        """Apply the given changes; returns the names of the fields that really changed."""
        self._check_version(expected_version)
        updates: dict = {}
        if not isinstance(title, Keep) and (cleaned := clean_title(title)) != self.title:
            updates["title"] = cleaned
        for name, value in (("document_date", document_date), ("received_date", received_date), ("sent_date", sent_date)):
            if not isinstance(value, Keep) and value != getattr(self, name):
                updates[name] = value
        if not isinstance(correspondents_given, Keep):
            new_correspondents = correspondents(correspondents_given, self.tenant_id, find_contact)
            if [c.essentials() for c in new_correspondents] != [c.essentials() for c in self.correspondents]:
                updates["correspondents"] = new_correspondents
        if not isinstance(documents_given, Keep):
            new_documents = documents(documents_given, self.tenant_id)
            if [d.essentials() for d in new_documents] != [d.essentials() for d in self.documents]:
                updates["documents"] = new_documents
        if not isinstance(reply_to, Keep):
            reply_to_id = self._reply_to(reply_to)
            if reply_to_id != self.reply_to_registration_id:
                updates["reply_to_registration_id"] = reply_to_id
        if not isinstance(screening_code, Keep) and (code := _screening(case, screening_code)) != self.screening_code:
            updates["screening_code"] = code
        locked = [name for name in updates if name in CONTENT_FIELDS]
        if locked and self.status in LOCKED_STATUSES:
            raise LockedRegistration(self.status, locked)
        dates = {name: updates.get(name, getattr(self, name)) for name in ("document_date", "received_date", "sent_date")}
        if any(name in updates for name in dates):
            _check_dates(self.kind, dates["document_date"], dates["received_date"], dates["sent_date"], self.journal_date, now)
        for name, value in updates.items():
            setattr(self, name, value)
        changed = list(updates)
        if changed:
            self._bump(now)
            self.record(RegistrationChanged(**self._event_data(case), changed_fields=changed))
        return changed

    def move_to(self, status: str, now: datetime, case: CaseRef, expected_version: int | None = None) -> bool:
        """Move along the lifecycle; False when it is there already. Refused moves list the allowed ones."""
        self._check_version(expected_version)
        if status not in STATUSES:
            raise InvalidField("status", f"must be one of {', '.join(STATUSES)}")
        if status == self.status:
            return False
        allowed = allowed_next(self.kind, self.status)
        if status not in allowed:
            raise TransitionRefused(self.status, status, allowed)
        previous, self.status = self.status, status
        if status == "expedited" and self.sent_date is None:
            self.sent_date = now.date()
        self._bump(now)
        self.record(RegistrationStatusChanged(**self._event_data(case), previous_status=previous))
        return True

    @property
    def main_document_id(self) -> str | None:
        return next((d.document_id for d in self.documents if d.role == "main"), None)

    def _reply_to(self, reply_to: Registration | None) -> str | None:
        if reply_to is None:
            return None
        field_name = "reply_to_registration_id"
        if reply_to.tenant_id != self.tenant_id:
            raise InvalidField(field_name, f"no registration {reply_to.id}")
        if self.kind != "I":
            raise InvalidField(field_name, "only an incoming registration (I) answers another")
        if reply_to.kind != "U":
            raise InvalidField(field_name, f"must name an outgoing registration (U); {reply_to.number} is {reply_to.kind}")
        return reply_to.id

    def _check_version(self, expected_version: int | None) -> None:
        if expected_version is not None and expected_version != self.version:
            raise StaleRegistration(expected_version, self.version)

    def _bump(self, now: datetime) -> None:
        self.updated_at = now
        self.version += 1

    def _event_data(self, case: CaseRef) -> dict:
        return {
            "registration_id": self.id,
            "case_id": self.case_id,
            "number": self.number,
            "kind": self.kind,
            "status": self.status,
            "access_group_id": case.access_group_id,
            "screening_code": self.screening_code,
            "case_screening_code": case.screening_code,
            "document_ids": [d.document_id for d in self.documents],
            "main_document_id": self.main_document_id,
            "reply_to_registration_id": self.reply_to_registration_id,
            "version": self.version,
        }


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidField("kind", f"must be one of {', '.join(KINDS)} (incoming, outgoing, internal memo, note)")
    return kind


def clean_title(title: str | None) -> str:
    cleaned = " ".join((title or "").split())
    if not cleaned:
        raise InvalidField("title", "must not be empty")
    if len(cleaned) > TITLE_MAX_LENGTH:
        raise InvalidField("title", f"must be at most {TITLE_MAX_LENGTH} characters")
    if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in cleaned):
        raise InvalidField("title", "must not contain control characters")
    return cleaned


def correspondents(
    given: tuple[CorrespondentInput, ...], tenant_id: str, find_contact: ContactFinder
) -> list[Correspondent]:
    found = []
    for position, item in enumerate(given):
        prefix = f"correspondents.{position}."
        if item.role not in CORRESPONDENT_ROLES:
            raise InvalidField(f"{prefix}role", f"must be one of {', '.join(CORRESPONDENT_ROLES)}")
        contact = None
        if item.contact_id is not None:
            contact = find_contact(item.contact_id)
            if contact is None:
                raise InvalidField(f"{prefix}contact_id", f"no contact {item.contact_id}")
        if item.name is not None and item.name.strip():
            name = clean_name(item.name, f"{prefix}name")
        elif contact is not None:
            name = contact.name
        else:
            raise InvalidField(f"{prefix}name", "give a name, a contact_id or both")
        address = item.address.checked(prefix) if item.address is not None else (contact.address if contact else Address())
        found.append(
            Correspondent(
                item.role, name, contact.id if contact else None, list(address.lines), address.postal_code,
                address.city, address.country, tenant_id, position,
            )
        )
    return found


def documents(given: tuple[DocumentInput, ...], tenant_id: str) -> list[RegistrationDocument]:
    """The main document first, then the attachments in the order given."""
    seen: set[str] = set()
    for position, item in enumerate(given):
        prefix = f"documents.{position}."
        if item.role not in DOCUMENT_ROLES:
            raise InvalidField(f"{prefix}role", f"must be one of {', '.join(DOCUMENT_ROLES)}")
        document_id = (item.document_id or "").strip()
        if not document_id or len(document_id) > DOCUMENT_ID_MAX_LENGTH:
            raise InvalidField(f"{prefix}document_id", f"a docstore document id of 1 to {DOCUMENT_ID_MAX_LENGTH} characters")
        if document_id in seen:
            raise InvalidField(f"{prefix}document_id", "is listed twice")
        seen.add(document_id)
    mains = [item for item in given if item.role == "main"]
    if given and len(mains) != 1:
        raise InvalidField("documents", f"exactly one main document, the others attachments; got {len(mains)} main")
    ordered = mains + [item for item in given if item.role != "main"]
    return [RegistrationDocument(item.document_id.strip(), item.role, tenant_id, position) for position, item in enumerate(ordered)]


def _screening(case: CaseRef, code: str | None) -> str | None:
    code = check_screening_code(code)
    if code is None and case.screening_code is not None:
        raise InvalidField(
            "screening_code", f"a registration may be screened stricter than its case, not less: the case has {case.screening_code}"
        )
    return code


def _check_dates(
    kind: str,
    document_date: date | None,
    received_date: date | None,
    sent_date: date | None,
    journal_date: date,
    now: datetime,
) -> None:
    latest = now.date() + FUTURE_SLACK
    named = (("document_date", document_date), ("received_date", received_date), ("sent_date", sent_date), ("journal_date", journal_date))
    for name, value in named:
        if value is not None and value > latest:
            raise InvalidField(name, f"{value.isoformat()} is in the future")
    if received_date is not None and kind != "I":
        raise InvalidField("received_date", "only an incoming registration (I) has a received date")
    if sent_date is not None and kind not in ("U", "N"):
        raise InvalidField("sent_date", "only an outgoing registration (U) or an internal memo (N) has a sent date")
    if document_date is not None:
        for name, value in (("received_date", received_date), ("sent_date", sent_date)):
            if value is not None and value < document_date:
                raise InvalidField(name, f"must not be before the document date {document_date.isoformat()}")
