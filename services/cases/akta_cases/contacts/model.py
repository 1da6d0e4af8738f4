"""Contacts: the persons and organisations a tenant's cases and letters concern, one record per
identifier (CPR, fødselsnummer, D-number, CVR, P-number, organisasjonsnummer). Pure Python.

A national id is personal data: it is never put into an event, a log line or an audit detail,
and `Identifier`'s repr hides it so a traceback cannot leak it either.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime

from akta.aggregate import Aggregate
from akta.errors import Conflict, InvalidField, NotFound, PreconditionFailed
from akta.identifiers import (
    InvalidCompanyId,
    InvalidNationalId,
    parse_company_id,
    parse_cpr,
    parse_fodselsnummer,
)

CONTACT_KINDS = ("person", "organisation")
PERSON_SCHEMES = ("cpr", "fodselsnummer", "d-number")
ORGANISATION_SCHEMES = ("cvr", "p-number", "organisasjonsnummer")
IDENTIFIER_SCHEMES = PERSON_SCHEMES + ORGANISATION_SCHEMES
NAME_MAX_LENGTH = 200
ADDRESS_MAX_LINES = 4
ADDRESS_LINE_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 40

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{2,39}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class Keep:
    """Marks a field a change leaves as it is (None is a real value: it clears the field)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()


class ContactNotFound(NotFound):
    def __init__(self, contact_id: str) -> None:
        super().__init__(f"no contact {contact_id}")


class StaleContact(PreconditionFailed):
    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"the contact changed since you read it (you had version {expected}, it is now {actual})",
            current_version=actual,
        )


class IdentifierTaken(Conflict):
    def __init__(self, contact_id: str) -> None:
        super().__init__(f"contact {contact_id} already has this identifier", contact_id=contact_id)


@dataclass(frozen=True)
class Identifier:
    """A checked, normalised number (digits only) under its scheme."""

    scheme: str
    number: str

    @property
    def kind(self) -> str:
        return "person" if self.scheme in PERSON_SCHEMES else "organisation"

    @property
    def is_national_id(self) -> bool:
        return self.scheme in PERSON_SCHEMES

    def __repr__(self) -> str:
        return f"Identifier(scheme={self.scheme!r}, number=<{len(self.number)} digits>)"

    __str__ = __repr__


def parse_identifier(scheme: str | None, text: str | None, prefix: str = "") -> Identifier | None:
    """The identifier a caller gave as scheme and number, checked; None when they gave neither.
    A fødselsnummer and a D-number are told apart by the number, whichever of the two was named."""
    if text is None or not text.strip():
        if scheme is not None:
            raise InvalidField(f"{prefix}identifier", f"give the number of the {scheme}")
        return None
    if scheme is None:
        raise InvalidField(f"{prefix}identifier_scheme", f"say which number this is: {', '.join(IDENTIFIER_SCHEMES)}")
    if scheme not in IDENTIFIER_SCHEMES:
        raise InvalidField(f"{prefix}identifier_scheme", f"unknown scheme {scheme!r}; known: {', '.join(IDENTIFIER_SCHEMES)}")
    try:
        if scheme == "cpr":
            return Identifier("cpr", parse_cpr(text).number)
        if scheme in ("fodselsnummer", "d-number"):
            parsed = parse_fodselsnummer(text)
            return Identifier("d-number" if parsed.kind == "d-nummer" else "fodselsnummer", parsed.number)
        return Identifier(scheme, parse_company_id(text, scheme).number)
    except (InvalidNationalId, InvalidCompanyId) as error:
        raise InvalidField(f"{prefix}identifier", str(error)) from None


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...] = ()
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, e.g. DK, NO

    def checked(self, prefix: str = "") -> Address:
        field = f"{prefix}address"
        lines = tuple(cleaned for line in self.lines if (cleaned := _clean(line, f"{field}.lines", ADDRESS_LINE_MAX_LENGTH)))
        if len(lines) > ADDRESS_MAX_LINES:
            raise InvalidField(f"{field}.lines", f"at most {ADDRESS_MAX_LINES} lines")
        country = self.country.strip().upper() if self.country and self.country.strip() else None
        if country is not None and not _COUNTRY.match(country):
            raise InvalidField(f"{field}.country", "a two-letter country code (ISO 3166-1), e.g. DK or NO")
        return Address(
            lines,
            _clean(self.postal_code, f"{field}.postal_code", 20),
            _clean(self.city, f"{field}.city", 100),
            country,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.lines or self.postal_code or self.city or self.country)


def clean_name(name: str | None, field: str = "name") -> str:
    cleaned = _clean(name, field, NAME_MAX_LENGTH)
    if not cleaned:
        raise InvalidField(field, "must not be empty")
    return cleaned


def search_key(name: str) -> str:
    """What a name search compares: case and accents as typed, spacing and case folded."""
    return " ".join(name.split()).casefold()


def clean_email(email: str | None, field: str = "email") -> str | None:
    cleaned = _clean(email, field, EMAIL_MAX_LENGTH)
    if cleaned is not None and not _EMAIL.match(cleaned):
        raise InvalidField(field, "is not an e-mail address")
    return cleaned


def clean_phone(phone: str | None, field: str = "phone") -> str | None:
    cleaned = _clean(phone, field, PHONE_MAX_LENGTH)
    if cleaned is not None and not _PHONE.match(cleaned):
        raise InvalidField(field, "digits, spaces and - ( ) . / only, optionally starting with +")
    return cleaned


def _clean(value: str | None, field: str, limit: int) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(value.split())
    if len(cleaned) > limit:
        raise InvalidField(field, f"must be at most {limit} characters")
    if any(unicodedata.category(char) == "Cc" for char in cleaned):
        raise InvalidField(field, "must not contain control characters")
    return cleaned or None


@dataclass(frozen=True)
class ContactDetails:
    """What a caller says about a contact; KEEP leaves a field alone on an existing contact."""

    name: str | Keep = KEEP
    kind: str | None = None
    identifier_scheme: str | None = None
    identifier: str | None = None
    address: Address | None | Keep = KEEP
    email: str | None | Keep = KEEP
    phone: str | None | Keep = KEEP


def contact_kind(kind: str | None, identifier: Identifier | None, prefix: str = "") -> str:
    if kind is not None and kind not in CONTACT_KINDS:
        raise InvalidField(f"{prefix}kind", f"must be one of {', '.join(CONTACT_KINDS)}")
    if identifier is None:
        if kind is None:
            raise InvalidField(f"{prefix}kind", "say whether this is a person or an organisation")
        return kind
    if kind is not None and kind != identifier.kind:
        raise InvalidField(f"{prefix}identifier_scheme", f"a {kind} is not identified by a {identifier.scheme}")
    return identifier.kind


class Contact(Aggregate):
    def __init__(
        self,
        id: str,
        tenant_id: str,
        kind: str,
        name: str,
        identifier_scheme: str | None,
        identifier: str | None,
        address_lines: list[str],
        postal_code: str | None,
        city: str | None,
        country: str | None,
        email: str | None,
        phone: str | None,
        created_at: datetime,
        updated_at: datetime,
        created_by: str,
        version: int = 1,
    ) -> None:
        super().__init__()
        self.id, self.tenant_id, self.kind = id, tenant_id, kind
        self.name, self.search_name = name, search_key(name)
        self.identifier_scheme, self.identifier = identifier_scheme, identifier
        self.address_lines, self.postal_code, self.city, self.country = address_lines, postal_code, city, country
        self.email, self.phone = email, phone
        self.created_at, self.updated_at, self.created_by, self.version = created_at, updated_at, created_by, version

    def __repr__(self) -> str:
        return f"Contact(id={self.id!r}, kind={self.kind!r}, scheme={self.identifier_scheme!r})"

    @classmethod
    def create(cls, tenant_id: str, details: ContactDetails, actor: str, now: datetime, prefix: str = "") -> Contact:
        identifier = parse_identifier(details.identifier_scheme, details.identifier, prefix)
        kind = contact_kind(details.kind, identifier, prefix)
        name = clean_name(None if isinstance(details.name, Keep) else details.name, f"{prefix}name")
        address = Address() if isinstance(details.address, Keep) or details.address is None else details.address.checked(prefix)
        return cls(
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            kind=kind,
            name=name,
            identifier_scheme=identifier.scheme if identifier else None,
            identifier=identifier.number if identifier else None,
            address_lines=list(address.lines),
            postal_code=address.postal_code,
            city=address.city,
            country=address.country,
            email=None if isinstance(details.email, Keep) else clean_email(details.email, f"{prefix}email"),
            phone=None if isinstance(details.phone, Keep) else clean_phone(details.phone, f"{prefix}phone"),
            created_at=now,
            updated_at=now,
            created_by=actor,
        )

    @property
    def address(self) -> Address:
        return Address(tuple(self.address_lines or ()), self.postal_code, self.city, self.country)

    @property
    def identity(self) -> Identifier | None:
        if self.identifier_scheme is None or self.identifier is None:
            return None
        return Identifier(self.identifier_scheme, self.identifier)

    def change(
        self,
        now: datetime,
        expected_version: int | None = None,
        name: str | Keep = KEEP,
        address: Address | None | Keep = KEEP,
        email: str | None | Keep = KEEP,
        phone: str | None | Keep = KEEP,
        identifier: Identifier | None | Keep = KEEP,
        prefix: str = "",
    ) -> list[str]:
        """Apply the given changes; returns the names of the fields that really changed."""
        if expected_version is not None and expected_version != self.version:
            raise StaleContact(expected_version, self.version)
        changed: list[str] = []
        if not isinstance(name, Keep):
            cleaned = clean_name(name, f"{prefix}name")
            if cleaned != self.name:
                self.name, self.search_name = cleaned, search_key(cleaned)
                changed.append("name")
        if not isinstance(address, Keep):
            checked = (address or Address()).checked(prefix)
            if checked != self.address:
                self.address_lines = list(checked.lines)
                self.postal_code, self.city, self.country = checked.postal_code, checked.city, checked.country
                changed.append("address")
        if not isinstance(email, Keep):
            cleaned_email = clean_email(email, f"{prefix}email")
            if cleaned_email != self.email:
                self.email = cleaned_email
                changed.append("email")
        if not isinstance(phone, Keep):
            cleaned_phone = clean_phone(phone, f"{prefix}phone")
            if cleaned_phone != self.phone:
                self.phone = cleaned_phone
                changed.append("phone")
        if not isinstance(identifier, Keep) and identifier != self.identity:
            if identifier is not None and identifier.kind != self.kind:
                raise InvalidField(f"{prefix}identifier_scheme", f"a {self.kind} is not identified by a {identifier.scheme}")
            self.identifier_scheme = identifier.scheme if identifier else None
            self.identifier = identifier.number if identifier else None
            changed.append("identifier")
        if changed:
            self.updated_at = now
            self.version += 1
        return changed

    def merge(self, details: ContactDetails, now: datetime, prefix: str = "") -> list[str]:
        """Dedup: the same identifier came again. What the caller said now replaces what was
        stored; what they left out (or sent empty) stays."""
        identifier = parse_identifier(details.identifier_scheme, details.identifier, prefix)
        contact_kind(details.kind, identifier, prefix)
        address = details.address
        if isinstance(address, Address) and address.is_empty:
            address = KEEP
        return self.change(
            now,
            name=details.name if isinstance(details.name, str) and details.name.strip() else KEEP,
            address=KEEP if address is None else address,
            email=details.email if details.email else KEEP,
            phone=details.phone if details.phone else KEEP,
            prefix=prefix,
        )
