"""The contacts registry: identifiers checked and normalised, errors naming the field, one contact
per identifier, and no national id in any event or audit record."""

from datetime import UTC, date, datetime

import pytest

from akta.errors import Conflict, Forbidden, InvalidField, PreconditionFailed
from akta_cases.bootstrap import PUBLISHED_EVENTS
from akta_cases.contacts import commands, handlers
from akta_cases.contacts.model import (
    KEEP,
    Address,
    Contact,
    ContactDetails,
    Identifier,
    parse_identifier,
)
from akta_cases.domain.case_ref import CaseRef
from akta_cases.parties.model import CaseParty
from tests.support.access import writer
from tests.support.fakes import FakeCaseRepository, FakeUnitOfWork
from tests.support.persons import cpr, fodselsnummer
from tests.support.record_fakes import CaseStub, FakeContactRepository, FakePartyRepository

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ANNA_CPR = cpr(date(2014, 3, 9), 7)
VALID_CVR = "34051178"
VALID_ORGANISASJONSNUMMER = "974760673"


SCOPE = writer("t-1", "ag-1")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(
        PUBLISHED_EVENTS, cases=FakeCaseRepository(), contacts=FakeContactRepository(), parties=FakePartyRepository()
    )


def person(name="Anna Østergaard", number=ANNA_CPR, scheme="cpr", **fields) -> ContactDetails:
    return ContactDetails(name=name, identifier_scheme=scheme, identifier=number, **fields)


@pytest.mark.parametrize(
    ("scheme", "text", "expected"),
    [
        ("cpr", ANNA_CPR, Identifier("cpr", ANNA_CPR.replace("-", ""))),
        ("fodselsnummer", fodselsnummer(date(2012, 5, 17)), Identifier("fodselsnummer", fodselsnummer(date(2012, 5, 17)))),
        # Named a fødselsnummer, but the day +40 makes it a D-number: stored as what it is.
        ("fodselsnummer", fodselsnummer(date(1985, 3, 2), d_number=True), Identifier("d-number", fodselsnummer(date(1985, 3, 2), d_number=True))),
        ("cvr", "34 05 11 78", Identifier("cvr", VALID_CVR)),
        ("organisasjonsnummer", VALID_ORGANISASJONSNUMMER, Identifier("organisasjonsnummer", VALID_ORGANISASJONSNUMMER)),
        ("p-number", "1003388394", Identifier("p-number", "1003388394")),
    ],
)
def test_identifiers_are_checked_and_normalised_to_digits(scheme, text, expected):
    assert parse_identifier(scheme, text) == expected


@pytest.mark.parametrize(
    ("scheme", "text", "field"),
    [
        ("cpr", "310290-1234", "identifier"),  # 31 February
        ("cpr", "0101801234567", "identifier"),
        ("fodselsnummer", "17051250078", "identifier"),  # a control digit off by one
        ("cvr", "34051179", "identifier"),
        ("organisasjonsnummer", "974760672", "identifier"),
        ("p-number", "12345", "identifier"),
        ("cpr", "01018O-1234", "identifier"),
        ("passport", "123456", "identifier_scheme"),
        (None, ANNA_CPR, "identifier_scheme"),
        ("cpr", "  ", "identifier"),
    ],
)
def test_a_bad_identifier_names_the_field(scheme, text, field):
    with pytest.raises(InvalidField) as raised:
        parse_identifier(scheme, text)
    assert raised.value.field == field


def test_inside_a_larger_body_the_field_has_its_path():
    with pytest.raises(InvalidField) as raised:
        parse_identifier("cpr", "310290-1234", prefix="contact.")
    assert raised.value.field == "contact.identifier"


def test_a_national_id_does_not_show_in_reprs():
    identifier = parse_identifier("cpr", ANNA_CPR)
    contact = Contact.create("t-1", person(), "user:u", NOW)
    for text in (repr(identifier), str(identifier), repr(contact)):
        assert ANNA_CPR.replace("-", "") not in text


@pytest.mark.parametrize(
    ("details", "field"),
    [
        (ContactDetails(name="Firma A/S", kind="person", identifier_scheme="cvr", identifier=VALID_CVR), "identifier_scheme"),
        (ContactDetails(name="Someone abroad"), "kind"),
        (ContactDetails(name="X", kind="robot"), "kind"),
        (ContactDetails(name="   ", kind="person"), "name"),
        (person(email="not-an-address"), "email"),
        (person(phone="call me"), "phone"),
        (person(address=Address(("Skolevej 1",), "8000", "Aarhus", "Denmark")), "address.country"),
        (person(address=Address(tuple(f"line {n}" for n in range(5)))), "address.lines"),
    ],
)
def test_bad_details_name_the_field(details, field):
    with pytest.raises(InvalidField) as raised:
        Contact.create("t-1", details, "user:u", NOW)
    assert raised.value.field == field


def test_a_contact_without_identifier_needs_only_a_name_and_kind():
    contact = Contact.create(
        "t-1", ContactDetails(name="  Hans  Müller ", kind="person", address=Address(("Hauptstr. 5",), "10115", "Berlin", "de")),
        "user:u", NOW,
    )
    assert (contact.name, contact.search_name, contact.identifier) == ("Hans Müller", "hans müller", None)
    assert contact.address == Address(("Hauptstr. 5",), "10115", "Berlin", "DE")


def test_the_kind_follows_from_the_identifier():
    company = Contact.create("t-1", ContactDetails(name="Skolebussen ApS", identifier_scheme="cvr", identifier=VALID_CVR), "user:u", NOW)
    assert company.kind == "organisation"


def test_the_same_identifier_again_updates_and_returns_the_existing_contact(uow):
    first, created = handlers.create_contact(
        commands.CreateContact("t-1", person(email="anna@example.dk", phone="+45 12 34 56 78")), uow, SCOPE, now=NOW
    )
    assert created
    # Written another way, a new address; what is left out stays as it was.
    again, created_again = handlers.create_contact(
        commands.CreateContact("t-1", person(number=ANNA_CPR.replace("-", ""), address=Address(("Skolevej 2",), "8000", "Aarhus", "DK"))),
        uow, SCOPE, now=NOW,
    )
    assert not created_again and again is first
    assert again.address.lines == ("Skolevej 2",)
    assert (again.email, again.phone, again.version) == ("anna@example.dk", "+45 12 34 56 78", 2)
    assert len(uow.contacts.contacts) == 1


def test_another_tenant_gets_its_own_contact_for_the_same_number(uow):
    mine, _ = handlers.create_contact(commands.CreateContact("t-1", person()), uow, SCOPE, now=NOW)
    theirs, created = handlers.create_contact(commands.CreateContact("t-2", person()), uow, SCOPE, now=NOW)
    assert created and theirs.id != mine.id


def test_contacts_without_identifier_are_never_merged(uow):
    details = ContactDetails(name="Sender from abroad", kind="person")
    first, _ = handlers.create_contact(commands.CreateContact("t-1", details), uow, SCOPE, now=NOW)
    second, created = handlers.create_contact(commands.CreateContact("t-1", details), uow, SCOPE, now=NOW)
    assert created and first.id != second.id


def test_no_national_id_reaches_the_outbox(uow):
    handlers.create_contact(commands.CreateContact("t-1", person()), uow, SCOPE, now=NOW)
    handlers.create_contact(commands.CreateContact("t-1", person(email="a@b.dk")), uow, SCOPE, now=NOW)
    digits = ANNA_CPR.replace("-", "")
    assert uow.outbox, "creating and matching a contact are audited"
    for envelope in uow.outbox:
        assert digits not in envelope.to_json() and ANNA_CPR not in envelope.to_json()
    assert [e.data["action"] for e in uow.outbox] == ["create", "change"]


class RacingContactRepository(FakeContactRepository):
    """Another transaction files the same person between our lookup and our insert, once."""

    def __init__(self) -> None:
        super().__init__()
        self.raced = False

    def _by_identifier(self, tenant_id, identifier):
        if not self.raced:
            return None
        return super()._by_identifier(tenant_id, identifier)

    def _add(self, contact):
        if not self.raced:
            self.raced = True
            winner = Contact.create(contact.tenant_id, person(name="Anna Ø."), "user:other", NOW)
            self.contacts[(winner.tenant_id, winner.id)] = winner
        super()._add(contact)


def test_losing_a_race_on_the_identifier_finds_the_winner():
    uow = FakeUnitOfWork(PUBLISHED_EVENTS, cases=FakeCaseRepository(), contacts=RacingContactRepository(), parties=FakePartyRepository())
    contact, created = handlers.create_contact(commands.CreateContact("t-1", person()), uow, SCOPE, now=NOW)
    assert not created and contact.name == "Anna Østergaard"
    assert len(uow.contacts.contacts) == 1


def test_an_identifier_held_by_another_contact_is_a_conflict(uow):
    anna, _ = handlers.create_contact(commands.CreateContact("t-1", person()), uow, SCOPE, now=NOW)
    other, _ = handlers.create_contact(commands.CreateContact("t-1", ContactDetails(name="Anna", kind="person")), uow, SCOPE, now=NOW)
    with pytest.raises(Conflict) as raised:
        handlers.change_contact(
            commands.ChangeContact("t-1", other.id, identifier_scheme="cpr", identifier=ANNA_CPR), uow, SCOPE, now=NOW
        )
    assert raised.value.extra["contact_id"] == anna.id


def test_a_change_on_an_old_version_is_refused(uow):
    contact, _ = handlers.create_contact(commands.CreateContact("t-1", person()), uow, SCOPE, now=NOW)
    handlers.change_contact(commands.ChangeContact("t-1", contact.id, expected_version=1, phone="12345678"), uow, SCOPE, now=NOW)
    with pytest.raises(PreconditionFailed):
        handlers.change_contact(commands.ChangeContact("t-1", contact.id, expected_version=1, phone="87654321"), uow, SCOPE, now=NOW)
    assert contact.phone == "12345678"


def test_a_change_clears_what_is_sent_as_null_and_keeps_the_rest(uow):
    contact, _ = handlers.create_contact(commands.CreateContact("t-1", person(email="anna@example.dk")), uow, SCOPE, now=NOW)
    changed = contact.change(NOW, email=None, name=KEEP)
    assert changed == ["email"] and contact.email is None and contact.name == "Anna Østergaard"


def test_a_person_cannot_get_an_organisation_number(uow):
    contact, _ = handlers.create_contact(commands.CreateContact("t-1", person()), uow, SCOPE, now=NOW)
    with pytest.raises(InvalidField) as raised:
        handlers.change_contact(commands.ChangeContact("t-1", contact.id, identifier_scheme="cvr", identifier=VALID_CVR), uow, SCOPE, now=NOW)
    assert raised.value.field == "identifier_scheme"


def test_a_party_of_cases_is_changed_only_through_a_case_the_caller_may_change(uow):
    pupil_case, other_case = CaseStub("t-1", access_group_id="ag-1"), CaseStub("t-1", access_group_id="ag-2")
    for case in (pupil_case, other_case):
        uow.cases.add(case)
    anna, _ = handlers.create_contact(commands.CreateContact("t-1", person(email="anna@example.dk")), uow, SCOPE, now=NOW)
    uow.parties.add(CaseParty.add(CaseRef.of(pupil_case), anna.id, "pupil", "user:u", NOW))
    elsewhere = writer("t-1", "ag-2")
    with pytest.raises(Forbidden):
        handlers.change_contact(commands.ChangeContact("t-1", anna.id, email="evil@example.com"), uow, elsewhere, now=NOW)
    # Filing the same person again links the contact as it is.
    again, created = handlers.create_contact(commands.CreateContact("t-1", person(email="evil@example.com")), uow, elsewhere, now=NOW)
    assert (again.id, created, again.email) == (anna.id, False, "anna@example.dk")
    handlers.change_contact(commands.ChangeContact("t-1", anna.id, email="evil@example.com"), uow, elsewhere, keeps_registry=True, now=NOW)
    uow.parties.add(CaseParty.add(CaseRef.of(other_case), anna.id, "pupil", "user:u", NOW))
    handlers.change_contact(commands.ChangeContact("t-1", anna.id, email="anna@skole.dk"), uow, elsewhere, now=NOW)
    assert anna.email == "anna@skole.dk"
