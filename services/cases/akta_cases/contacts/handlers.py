"""Use cases of the contacts registry. Log lines and audit details name contacts by id only.

A contact who is a party of cases is changed only by someone who may change one of those cases
(or keeps the registry: archivists, administrators); anyone else filing the same identifier gets
the contact linked as it is, so nobody redirects the letters of a person they cannot see."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from akta import audit, context
from akta.access.scope import WRITE, AccessScope
from akta.db.unit_of_work import UnitOfWork
from akta.errors import Conflict, Forbidden
from akta_cases.adapters.duplicates import DuplicateKey
from akta_cases.contacts import commands
from akta_cases.contacts.model import (
    KEEP,
    Contact,
    ContactDetails,
    ContactNotFound,
    IdentifierTaken,
    parse_identifier,
)
from akta_cases.service_layer.case_access import case_allows
from akta_cases.service_layer.retries import once_more_on_duplicate

log = structlog.get_logger("akta.cases.contacts")


def create_contact(
    command: commands.CreateContact,
    uow: UnitOfWork,
    scope: AccessScope,
    keeps_registry: bool = False,
    now: datetime | None = None,
) -> tuple[Contact, bool]:
    """The contact and whether it is new (False: an existing one with the same identifier)."""
    now = now or datetime.now(UTC)

    def work() -> tuple[Contact, bool]:
        with uow:
            found = file_contact(uow, scope, command.tenant_id, command.details, now, keeps_registry=keeps_registry)
            uow.commit()
        return found

    contact, created = once_more_on_duplicate(work)
    log.info("contact created" if created else "contact matched by identifier", contact_id=contact.id)
    return contact, created


def file_contact(
    uow: UnitOfWork,
    scope: AccessScope,
    tenant_id: str,
    details: ContactDetails,
    now: datetime,
    prefix: str = "",
    keeps_registry: bool = False,
) -> tuple[Contact, bool]:
    """In the caller's transaction: the contact holding this identifier, updated with what the
    caller says now if they may change it, or a new contact. `prefix` names the fields inside a
    larger body."""
    identifier = parse_identifier(details.identifier_scheme, details.identifier, prefix)
    existing = uow.contacts.by_identifier(tenant_id, identifier) if identifier else None
    if existing is not None:
        changed = []
        if keeps_registry or may_change(uow, scope, existing):
            changed = existing.merge(details, now, prefix)
        audit.record(uow, tenant_id, "change" if changed else "match", "contact", existing.id, fields=",".join(changed))
        return existing, False
    contact = Contact.create(tenant_id, details, context.current().actor, now, prefix)
    uow.contacts.add(contact)
    audit.record(
        uow, tenant_id, "create", "contact", contact.id, kind=contact.kind, identifier_scheme=contact.identifier_scheme
    )
    return contact, True


def may_change(uow: UnitOfWork, scope: AccessScope, contact: Contact) -> bool:
    """Free while the contact is nobody's party; then only through a case the caller may change."""
    case_ids = uow.parties.case_ids_of(contact.tenant_id, contact.id)
    if not case_ids:
        return True
    cases = (uow.cases.get(contact.tenant_id, case_id) for case_id in case_ids)
    return any(case is not None and case_allows(scope, WRITE, case) for case in cases)


def change_contact(
    command: commands.ChangeContact,
    uow: UnitOfWork,
    scope: AccessScope,
    keeps_registry: bool = False,
    now: datetime | None = None,
) -> Contact:
    now = now or datetime.now(UTC)
    with uow:
        contact = uow.contacts.get(command.tenant_id, command.contact_id)
        if contact is None:
            raise ContactNotFound(command.contact_id)
        if not (keeps_registry or may_change(uow, scope, contact)):
            raise Forbidden("this contact is a party of cases you may not change; ask someone who may")
        identifier = KEEP
        if command.identifier_scheme is not KEEP or command.identifier is not KEEP:
            scheme = contact.identifier_scheme if command.identifier_scheme is KEEP else command.identifier_scheme
            number = contact.identifier if command.identifier is KEEP else command.identifier
            identifier = parse_identifier(scheme, number)
            holder = uow.contacts.by_identifier(command.tenant_id, identifier) if identifier else None
            if holder is not None and holder.id != contact.id:
                raise IdentifierTaken(holder.id)
        changed = contact.change(
            now,
            expected_version=command.expected_version,
            name=command.name,
            address=command.address,
            email=command.email,
            phone=command.phone,
            identifier=identifier,
        )
        if "identifier" in changed:
            try:
                uow.contacts.claim_identifier(contact)
            except DuplicateKey:
                raise Conflict("another contact took this identifier at this moment") from None
        if changed:
            audit.record(uow, command.tenant_id, "change", "contact", contact.id, fields=",".join(changed))
        uow.commit()
    log.info("contact changed", contact_id=contact.id, version=contact.version)
    return contact
