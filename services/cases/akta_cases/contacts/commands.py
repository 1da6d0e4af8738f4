"""What callers ask of the contacts registry."""

from __future__ import annotations

from dataclasses import dataclass

from akta_cases.contacts.model import KEEP, Address, ContactDetails, Keep


@dataclass(frozen=True)
class CreateContact:
    """Create a contact, or, when one has the same identifier, update and return that one."""

    tenant_id: str
    details: ContactDetails


@dataclass(frozen=True)
class ChangeContact:
    tenant_id: str
    contact_id: str
    expected_version: int | None = None
    name: str | Keep = KEEP
    address: Address | None | Keep = KEEP
    email: str | None | Keep = KEEP
    phone: str | None | Keep = KEEP
    identifier_scheme: str | None | Keep = KEEP
    identifier: str | None | Keep = KEEP
