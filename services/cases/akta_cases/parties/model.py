"""Parties of a case, pure Python. Events name the contact by id, never by national id."""

from __future__ import annotations

import uuid
from datetime import datetime

from akta.aggregate import Aggregate
from akta.contracts.cases import PartyAdded, PartyRemoved
from akta.errors import InvalidField, NotFound
from akta_cases.domain.case_ref import CaseRef

# English codes in the API and the data; labels for the UI in Danish, Norwegian (bokmål), English.
PARTY_ROLES: dict[str, dict[str, str]] = {
    "pupil": {"da": "Elev", "nb": "Elev", "en": "Pupil"},
    "guardian": {"da": "Værge", "nb": "Verge", "en": "Guardian"},
    "applicant": {"da": "Ansøger", "nb": "Søker", "en": "Applicant"},
    "employee": {"da": "Medarbejder", "nb": "Ansatt", "en": "Employee"},
    "sender": {"da": "Afsender", "nb": "Avsender", "en": "Sender"},
    "recipient": {"da": "Modtager", "nb": "Mottaker", "en": "Recipient"},
    "other": {"da": "Anden part", "nb": "Annen part", "en": "Other party"},
}


class PartyNotFound(NotFound):
    def __init__(self, party_id: str) -> None:
        super().__init__(f"no party {party_id} on this case")


def check_role(role: str, field: str = "role") -> str:
    if role not in PARTY_ROLES:
        raise InvalidField(field, f"unknown role {role!r}; known: {', '.join(PARTY_ROLES)}")
    return role


class CaseParty(Aggregate):
    def __init__(
        self, id: str, tenant_id: str, case_id: str, contact_id: str, role: str, created_at: datetime, created_by: str
    ) -> None:
        super().__init__()
        self.id, self.tenant_id, self.case_id, self.contact_id, self.role = id, tenant_id, case_id, contact_id, role
        self.created_at, self.created_by = created_at, created_by

    @classmethod
    def add(
        cls, case: CaseRef, contact_id: str, role: str, actor: str, now: datetime, contact_name: str | None = None
    ) -> CaseParty:
        """`contact_name` goes into the event only (search shows parties by name); the party
        itself names the contact by id."""
        party = cls(str(uuid.uuid4()), case.tenant_id, case.id, contact_id, check_role(role), now, actor)
        party.record(PartyAdded(**party._event_data(case), contact_name=contact_name))
        return party

    def remove(self, case: CaseRef) -> None:
        self.record(PartyRemoved(**self._event_data(case)))

    def _event_data(self, case: CaseRef) -> dict:
        return {
            "party_id": self.id,
            "case_id": self.case_id,
            "contact_id": self.contact_id,
            "role": self.role,
            "access_group_id": case.access_group_id,
            "screening_code": case.screening_code,
        }
