"""What callers ask about the parties of a case."""

from __future__ import annotations

from dataclasses import dataclass

from akta_cases.contacts.model import ContactDetails


@dataclass(frozen=True)
class AddParty:
    """Name an existing contact by `contact_id`, or give `contact` to file it in the registry
    (found by its identifier when it is there already)."""

    tenant_id: str
    case_id: str
    role: str
    contact_id: str | None = None
    contact: ContactDetails | None = None


@dataclass(frozen=True)
class RemoveParty:
    tenant_id: str
    case_id: str
    party_id: str
