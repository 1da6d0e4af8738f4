"""In-memory contacts, parties and registrations for unit tests: they subclass the real ports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from akta_cases.adapters.duplicates import DuplicateKey
from akta_cases.contacts.model import Contact, Identifier
from akta_cases.contacts.repository import ContactRepository
from akta_cases.parties.model import CaseParty
from akta_cases.parties.repository import PartyRepository
from akta_cases.registrations.model import Registration
from akta_cases.registrations.repository import RegistrationRepository


@dataclass(eq=False)
class CaseStub:
    """What parties and registrations read of a case (its id, number, access and status), so
    their tests do not depend on how a case is opened."""

    tenant_id: str
    access_group_id: str = "ag-1"
    screening_code: str | None = None
    number: str = "2026/000001"
    status: str = "open"
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    events: list = field(default_factory=list)


class FakeContactRepository(ContactRepository):
    def __init__(self) -> None:
        super().__init__()
        self.contacts: dict[tuple[str, str], Contact] = {}

    def claim_identifier(self, contact: Contact) -> None:
        identity = contact.identity
        holder = self._by_identifier(contact.tenant_id, identity) if identity else None
        if holder is not None and holder is not contact:
            raise DuplicateKey

    def _add(self, contact: Contact) -> None:
        self.claim_identifier(contact)
        self.contacts[(contact.tenant_id, contact.id)] = contact

    def _get(self, tenant_id: str, contact_id: str) -> Contact | None:
        return self.contacts.get((tenant_id, contact_id))

    def _by_identifier(self, tenant_id: str, identifier: Identifier) -> Contact | None:
        return next(
            (c for (tenant, _), c in self.contacts.items() if tenant == tenant_id and c.identity == identifier), None
        )


class FakePartyRepository(PartyRepository):
    def __init__(self) -> None:
        super().__init__()
        self.parties: dict[tuple[str, str], CaseParty] = {}

    def _add(self, party: CaseParty) -> None:
        if self._find(party.tenant_id, party.case_id, party.contact_id, party.role) is not None:
            raise DuplicateKey
        self.parties[(party.tenant_id, party.id)] = party

    def _get(self, tenant_id: str, party_id: str) -> CaseParty | None:
        return self.parties.get((tenant_id, party_id))

    def _find(self, tenant_id: str, case_id: str, contact_id: str, role: str) -> CaseParty | None:
        return next(
            (
                p for (tenant, _), p in self.parties.items()
                if tenant == tenant_id and (p.case_id, p.contact_id, p.role) == (case_id, contact_id, role)
            ),
            None,
        )

    def _remove(self, party: CaseParty) -> None:
        del self.parties[(party.tenant_id, party.id)]

    def case_ids_of(self, tenant_id: str, contact_id: str) -> list[str]:
        return sorted({p.case_id for (tenant, _), p in self.parties.items() if tenant == tenant_id and p.contact_id == contact_id})


class FakeRegistrationRepository(RegistrationRepository):
    def __init__(self) -> None:
        super().__init__()
        self.registrations: dict[tuple[str, str], Registration] = {}
        self.sequences: dict[tuple[str, str], int] = {}

    def next_sequence(self, tenant_id: str, case_id: str) -> int:
        self.sequences[(tenant_id, case_id)] = self.sequences.get((tenant_id, case_id), 0) + 1
        return self.sequences[(tenant_id, case_id)]

    def _add(self, registration: Registration) -> None:
        self.registrations[(registration.tenant_id, registration.id)] = registration

    def _get(self, tenant_id: str, registration_id: str) -> Registration | None:
        return self.registrations.get((tenant_id, registration_id))
