"""Where contacts are kept. Every lookup names the tenant."""

from __future__ import annotations

import abc

from sqlalchemy import select
from sqlalchemy.orm import Session

from akta_cases.adapters.duplicates import flush_or_duplicate
from akta_cases.contacts import orm
from akta_cases.contacts.model import Contact, Identifier


class ContactRepository(abc.ABC):
    def __init__(self) -> None:
        self.seen: set[Contact] = set()

    def add(self, contact: Contact) -> None:
        """Stage a new contact; raises DuplicateKey when another holds its identifier."""
        self._add(contact)
        self.seen.add(contact)

    def get(self, tenant_id: str, contact_id: str) -> Contact | None:
        return self._seen(self._get(tenant_id, contact_id))

    def by_identifier(self, tenant_id: str, identifier: Identifier) -> Contact | None:
        return self._seen(self._by_identifier(tenant_id, identifier))

    @abc.abstractmethod
    def claim_identifier(self, contact: Contact) -> None:
        """Write the contact's identifier now; DuplicateKey when another contact holds it."""

    def _seen(self, contact: Contact | None) -> Contact | None:
        if contact is not None:
            self.seen.add(contact)
        return contact

    @abc.abstractmethod
    def _add(self, contact: Contact) -> None: ...

    @abc.abstractmethod
    def _get(self, tenant_id: str, contact_id: str) -> Contact | None: ...

    @abc.abstractmethod
    def _by_identifier(self, tenant_id: str, identifier: Identifier) -> Contact | None: ...


class SqlAlchemyContactRepository(ContactRepository):
    def __init__(self, session: Session) -> None:
        super().__init__()
        orm.start_mappers()
        self.session = session

    def claim_identifier(self, contact: Contact) -> None:
        if contact.identifier is not None:
            flush_or_duplicate(self.session)

    def _add(self, contact: Contact) -> None:
        self.session.add(contact)
        self.claim_identifier(contact)

    def _get(self, tenant_id: str, contact_id: str) -> Contact | None:
        return self.session.scalars(
            select(Contact).where(Contact.tenant_id == tenant_id, Contact.id == contact_id)
        ).one_or_none()

    def _by_identifier(self, tenant_id: str, identifier: Identifier) -> Contact | None:
        return self.session.scalars(
            select(Contact).where(
                Contact.tenant_id == tenant_id,
                Contact.identifier_scheme == identifier.scheme,
                Contact.identifier == identifier.number,
            )
        ).one_or_none()
