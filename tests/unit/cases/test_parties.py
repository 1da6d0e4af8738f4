"""Parties of a case: a contact in a role, access through the case, events with contact ids only."""

from datetime import UTC, date, datetime

import pytest

from akta.errors import Forbidden, InvalidField, NotFound
from akta_cases.bootstrap import PUBLISHED_EVENTS
from akta_cases.contacts.model import ContactDetails
from akta_cases.parties import commands, handlers
from akta_cases.parties.model import PARTY_ROLES, PartyNotFound
from tests.support.access import reader, writer
from tests.support.fakes import FakeCaseRepository, FakeUnitOfWork
from tests.support.persons import cpr
from tests.support.record_fakes import CaseStub, FakeContactRepository, FakePartyRepository

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
AG = "ag-1"
PUPIL_CPR = cpr(date(2014, 3, 9), 7)


@pytest.fixture
def case() -> CaseStub:
    return CaseStub("t-1", screening_code="pupil")


@pytest.fixture
def uow(case) -> FakeUnitOfWork:
    cases = FakeCaseRepository()
    cases.add(case)
    return FakeUnitOfWork(PUBLISHED_EVENTS, cases=cases, contacts=FakeContactRepository(), parties=FakePartyRepository())


def pupil(number=PUPIL_CPR) -> ContactDetails:
    return ContactDetails(name="Anna Østergaard", identifier_scheme="cpr", identifier=number)


def add(uow, case, role="pupil", scope=None, **contact):
    contact = contact or {"contact": pupil()}
    return handlers.add_party(commands.AddParty("t-1", case.id, role, **contact), uow, scope or writer("t-1", AG, codes=("pupil",)), NOW)


def test_every_role_has_danish_norwegian_and_english_labels():
    assert set(PARTY_ROLES) == {"pupil", "guardian", "applicant", "employee", "sender", "recipient", "other"}
    assert all(set(labels) == {"da", "nb", "en"} for labels in PARTY_ROLES.values())
    assert PARTY_ROLES["guardian"] == {"da": "Værge", "nb": "Verge", "en": "Guardian"}


def test_an_inline_contact_is_filed_and_becomes_a_party(uow, case):
    party, created = add(uow, case)
    assert created and party.role == "pupil"
    [contact] = uow.contacts.contacts.values()
    assert party.contact_id == contact.id
    added = next(e for e in uow.outbox if e.type == "cases.party.added.v1")
    assert added.data == {
        "party_id": party.id, "case_id": case.id, "contact_id": contact.id, "role": "pupil",
        "contact_name": "Anna Østergaard", "access_group_id": AG, "screening_code": "pupil",
    }
    for envelope in uow.outbox:
        assert PUPIL_CPR.replace("-", "") not in envelope.to_json()


def test_the_same_contact_in_the_same_role_is_added_once(uow, case):
    first, _ = add(uow, case)
    again, created = add(uow, case, contact=pupil(PUPIL_CPR.replace("-", "")))
    assert not created and again is first
    guardian_too, created = add(uow, case, role="guardian", contact_id=first.contact_id)
    assert created and guardian_too.id != first.id
    added = [e.data for e in uow.outbox if e.type == "cases.party.added.v1"]
    assert [(e["role"], e["contact_name"]) for e in added] == [("pupil", "Anna Østergaard"), ("guardian", "Anna Østergaard")]


@pytest.mark.parametrize(
    ("role", "contact", "field"),
    [
        ("pupil", {"contact": pupil("310214-1234")}, "contact.identifier"),
        ("pupil", {"contact": ContactDetails(name="Anna", identifier_scheme="cvr", identifier="34051179")}, "contact.identifier"),
        ("pupil", {"contact": ContactDetails(name="", kind="person")}, "contact.name"),
        ("teacher", {"contact": pupil()}, "role"),
        ("pupil", {"contact_id": "nobody"}, "contact_id"),
        ("pupil", {"contact_id": "x", "contact": pupil()}, "contact_id"),
    ],
)
def test_bad_input_names_the_field(uow, case, role, contact, field):
    with pytest.raises(InvalidField) as raised:
        add(uow, case, role, **contact)
    assert raised.value.field == field
    assert not uow.parties.parties


def test_access_follows_the_case(uow, case):
    with pytest.raises(NotFound):
        add(uow, case, scope=writer("t-1", AG))  # the case is screened pupil
    with pytest.raises(NotFound):
        add(uow, case, scope=writer("t-2", AG, codes=("pupil",)))
    with pytest.raises(Forbidden):
        add(uow, case, scope=reader("t-1", AG, codes=("pupil",)))
    assert uow.outbox == []


def test_removing_a_party_publishes_it_and_leaves_the_contact(uow, case):
    party, _ = add(uow, case)
    handlers.remove_party(commands.RemoveParty("t-1", case.id, party.id), uow, writer("t-1", AG, codes=("pupil",)))
    assert not uow.parties.parties and uow.contacts.contacts
    removed = next(e for e in uow.outbox if e.type == "cases.party.removed.v1")
    assert (removed.data["party_id"], removed.data["role"]) == (party.id, "pupil")
    with pytest.raises(PartyNotFound):
        handlers.remove_party(commands.RemoveParty("t-1", case.id, party.id), uow, writer("t-1", AG, codes=("pupil",)))


def test_a_party_is_removed_only_through_its_own_case(uow, case):
    party, _ = add(uow, case)
    other = CaseStub("t-1")
    uow.cases.add(other)
    with pytest.raises(PartyNotFound):
        handlers.remove_party(commands.RemoveParty("t-1", other.id, party.id), uow, writer("t-1", AG, codes=("pupil",)))
