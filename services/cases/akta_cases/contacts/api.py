"""HTTP API of the contacts registry. A national id travels only in bodies, never in a URL: URLs
end up in access logs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from akta import audit
from akta.service import Service
from akta.web.auth import current_scope
from akta.web.csv_export import csv_response
from akta.web.etags import if_match_version, versioned_response
from akta.web.idempotency import idempotent
from akta.web.pagination import Page, PageQuery, page_response
from akta_cases.contacts import commands, handlers, policy, views
from akta_cases.contacts.model import (
    ADDRESS_LINE_MAX_LENGTH,
    ADDRESS_MAX_LINES,
    CONTACT_KINDS,
    IDENTIFIER_SCHEMES,
    KEEP,
    Address,
    ContactDetails,
    ContactNotFound,
    parse_identifier,
)
from akta_cases.entrypoints.exports import timestamped

IdentifierScheme = Literal[IDENTIFIER_SCHEMES]
ContactKind = Literal[CONTACT_KINDS]
IDENTIFIER_DESCRIPTION = (
    "Digits; a CPR number may be written DDMMYY-SSSS. Checked: the birth date of a CPR number; "
    "control digits of a fødselsnummer, D-number, CVR number and organisasjonsnummer."
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddressIn(Strict):
    lines: list[Annotated[str, Field(max_length=ADDRESS_LINE_MAX_LENGTH)]] = Field(default_factory=list, max_length=ADDRESS_MAX_LINES)
    postal_code: str | None = Field(default=None, max_length=20)
    city: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=2, description="ISO 3166-1 alpha-2, e.g. DK or NO.")

    def value(self) -> Address:
        return Address(tuple(self.lines), self.postal_code, self.city, self.country)


class ContactIn(Strict):
    kind: ContactKind | None = Field(default=None, description="Follows from identifier_scheme when one is given.")
    name: str = Field(min_length=1, max_length=200)
    identifier_scheme: IdentifierScheme | None = None
    identifier: str | None = Field(default=None, max_length=20, description=IDENTIFIER_DESCRIPTION)
    address: AddressIn | None = None
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)

    def details(self) -> ContactDetails:
        given = self.model_fields_set
        return ContactDetails(
            name=self.name,
            kind=self.kind,
            identifier_scheme=self.identifier_scheme,
            identifier=self.identifier,
            address=(self.address.value() if self.address else None) if "address" in given else KEEP,
            email=self.email if "email" in given else KEEP,
            phone=self.phone if "phone" in given else KEEP,
        )


class ContactChange(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    identifier_scheme: IdentifierScheme | None = None
    identifier: str | None = Field(default=None, max_length=20, description="Send null with identifier_scheme null to remove it.")
    address: AddressIn | None = Field(default=None, description="Replaces the whole address; null clears it.")
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)


class IdentifierIn(Strict):
    identifier_scheme: IdentifierScheme
    identifier: str = Field(min_length=1, max_length=20, description=IDENTIFIER_DESCRIPTION)


class AddressOut(BaseModel):
    lines: list[str]
    postal_code: str | None
    city: str | None
    country: str | None


class ContactOut(BaseModel):
    id: str
    kind: str
    name: str
    identifier_scheme: str | None
    identifier: str | None = Field(
        description="A person's national id only to archivists and to callers who can read a case the person is a "
        "party of; organisation numbers always."
    )
    identifier_hidden: bool = Field(description="True when there is an identifier this caller may not see.")
    address: AddressOut
    email: str | None
    phone: str | None
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


CONTACT_CSV_FIELDS = (
    "id", "kind", "name", "identifier_scheme", "identifier", "identifier_hidden", "address_lines", "postal_code",
    "city", "country", "email", "phone", "created_at", "updated_at", "created_by", "version",
)


def contact_csv_row(contact: dict) -> dict:
    """A contact as one CSV line: the address flattened, its lines one per line in the cell."""
    address = contact["address"]
    return {**contact, **address, "address_lines": "\n".join(address["lines"])}


class ContactListQuery(PageQuery):
    name: str | None = Field(default=None, max_length=200, description="Part of the name, any case.")
    kind: ContactKind | None = None


class ContactPath(BaseModel):
    contact_id: str = Field(max_length=64)


def create_contacts_blueprint(service: Service) -> APIBlueprint:
    api = APIBlueprint("contacts", __name__, abp_security=[{"bearer": []}], abp_tags=[Tag(name="contacts")])

    def reader():
        principal, scope = current_scope(service.authenticator)
        policy.require_reader(principal, scope)
        return principal, scope

    def writer():
        principal, scope = current_scope(service.authenticator)
        policy.require_writer(principal, scope)
        return principal, scope

    def contact_response(principal, scope, contact_id: str, status: int, reveal: bool):
        found = views.get_contact(
            service.database, scope, contact_id, policy.sees_every_national_id(principal), reveal=reveal
        )
        return versioned_response(ContactOut, found, status, location=f"/contacts/{contact_id}" if status == 201 else None)

    @api.post("/contacts", responses={201: ContactOut, 200: ContactOut})
    @idempotent(service)
    def create_contact(body: ContactIn):
        """Add a person or organisation. One with the same identifier already there is returned
        (200) instead of a second one, updated with what you send if you may change it: anyone
        while it is nobody's party, then whoever may change one of its cases, archivists and
        administrators."""
        principal, scope = writer()
        contact, created = handlers.create_contact(
            commands.CreateContact(principal.tenant_id, body.details()), service.unit_of_work(), scope,
            policy.keeps_registry(principal),
        )
        return contact_response(principal, scope, contact.id, 201 if created else 200, reveal=body.identifier is not None)

    @api.get("/contacts", responses={200: Page[ContactOut]})
    def list_contacts(query: ContactListQuery):
        """Search the registry by name; in name order. Needs a read grant on some access group or case."""
        principal, scope = reader()
        items, total = views.list_contacts(
            service.database, scope, query.offset, query.page_size, policy.sees_every_national_id(principal),
            query.name, query.kind,
        )
        audit.record_read(
            service, principal.tenant_id, "contact", "*", action="list", page=query.page, kind=query.kind or "",
            searched=bool(query.name), shown=len(items),
        )
        return page_response(ContactOut, items, total, query)

    @api.get("/contacts.csv", responses={200: None})
    def export_contacts(query: ContactListQuery):
        """The contacts of GET /contacts with the same filters and in its order (by name), as CSV
        (UTF-8, a header line), streamed; a national id you may not see is empty with
        identifier_hidden true. `page` and `page_size` are ignored. Audited as an export."""
        principal, scope = reader()
        audit.record_read(
            service, principal.tenant_id, "contact", "*", action="export", kind=query.kind or "", searched=bool(query.name),
        )
        found = views.iter_contacts(
            service.database, scope, policy.sees_every_national_id(principal), query.name, query.kind
        )
        return csv_response(CONTACT_CSV_FIELDS, (contact_csv_row(c) for c in found), timestamped("contacts"))

    @api.post("/contacts/lookup", responses={200: ContactOut})
    def lookup_contact(body: IdentifierIn):
        """The contact with this CPR, fødselsnummer, D-number, CVR, P-number or
        organisasjonsnummer (in the body, so it stays out of URLs and access logs); 404 if none."""
        principal, scope = reader()
        identifier = parse_identifier(body.identifier_scheme, body.identifier)
        found = views.lookup_contact(service.database, scope, identifier)
        audit.record_read(
            service, principal.tenant_id, "contact", found["id"] if found else "*", action="lookup",
            identifier_scheme=identifier.scheme, found=found is not None,
        )
        if found is None:
            raise ContactNotFound(f"with this {identifier.scheme}")
        return versioned_response(ContactOut, found)

    @api.get("/contacts/<contact_id>", responses={200: ContactOut})
    def get_contact(path: ContactPath):
        """One contact. Its ETag is its version, for If-Match on changes."""
        principal, scope = reader()
        found = views.get_contact(service.database, scope, path.contact_id, policy.sees_every_national_id(principal))
        audit.record_read(service, principal.tenant_id, "contact", path.contact_id, "success" if found else "failed")
        if found is None:
            raise ContactNotFound(path.contact_id)
        return versioned_response(ContactOut, found)

    @api.patch("/contacts/<contact_id>", responses={200: ContactOut})
    def change_contact(path: ContactPath, body: ContactChange):
        """Change names, address, e-mail, phone or identifier; send If-Match with the ETag you read.
        A party of cases is changed only by whoever may change one of them (403 otherwise)."""
        principal, scope = writer()
        given = body.model_fields_set
        handlers.change_contact(
            commands.ChangeContact(
                tenant_id=principal.tenant_id,
                contact_id=path.contact_id,
                expected_version=if_match_version(),
                name=body.name if "name" in given else KEEP,
                address=(body.address.value() if body.address else None) if "address" in given else KEEP,
                email=body.email if "email" in given else KEEP,
                phone=body.phone if "phone" in given else KEEP,
                identifier_scheme=body.identifier_scheme if "identifier_scheme" in given else KEEP,
                identifier=body.identifier if "identifier" in given else KEEP,
            ),
            service.unit_of_work(),
            scope,
            policy.keeps_registry(principal),
        )
        return contact_response(principal, scope, path.contact_id, 200, reveal="identifier" in given)

    return api
