"""Contacts, parties and registrations in the database, on SQLite and PostgreSQL: migrations,
children kept in order, numbers without gaps, one contact per identifier even under races,
and reads filtered by access inside the query."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from akta import context
from akta.db.migrations import current_revisions, head_revisions
from akta.db.unit_of_work import ConcurrentChange
from akta_cases.adapters.duplicates import DuplicateKey
from akta_cases.bootstrap import bootstrap
from akta_cases.contacts import commands as contact_commands
from akta_cases.contacts import handlers as contact_handlers
from akta_cases.contacts import views as contact_views
from akta_cases.contacts.model import Address, Contact, ContactDetails
from akta_cases.domain.case_ref import CaseRef
from akta_cases.parties import commands as party_commands
from akta_cases.parties import handlers as party_handlers
from akta_cases.registrations import commands, handlers, views
from akta_cases.registrations.model import CorrespondentInput, DocumentInput, RegistrationDraft
from akta_cases.registrations.orm import registration_documents
from akta_cases.settings import CasesSettings
from tests.support.access import reader, writer
from tests.support.cases import create_case, template
from tests.support.persons import cpr

PUPIL_CPR = cpr(date(2014, 3, 9), 7)


def _migrated(database_url, data_dir):
    service = bootstrap(CasesSettings(database_url=database_url, data_dir=data_dir))
    service.migrate()
    return service


@pytest.fixture
def cases(database_url, tmp_path):
    service = _migrated(database_url, tmp_path)
    yield service
    service.database.dispose()


@pytest.fixture
def cases_on_postgresql(postgres_url, tmp_path):
    """Races need a database that lets writers overlap; SQLite serialises every writer."""
    service = _migrated(postgres_url, tmp_path)
    yield service
    service.database.dispose()


def new_case(service, tenant_id="t-1", access_group_id="ag-1"):
    return create_case(service, tenant_id, "Elevsag", template(service, tenant_id, access_group_id), access_group_id)


def file(service, case, scope=None, kind="I", **fields):
    reply_to = fields.pop("reply_to_registration_id", None)
    draft = RegistrationDraft(kind=kind, title=fields.pop("title", "Brev"), **fields)
    return handlers.create_registration(
        commands.CreateRegistration(case.tenant_id, case.id, draft, reply_to), service.unit_of_work(), scope or writer(case.tenant_id, case.access_group_id)
    )


def pupil(number=PUPIL_CPR) -> ContactDetails:
    return ContactDetails(name="Anna Østergaard", identifier_scheme="cpr", identifier=number)


def test_the_migrations_bring_every_branch_to_its_head(cases):
    cases.migrate()
    assert current_revisions(cases.database) == head_revisions(cases.migrations_dir)
    assert "0006_registrations" in head_revisions(cases.migrations_dir)


def test_a_registration_keeps_its_correspondents_and_documents_in_order(cases):
    case = new_case(cases)
    contact, _ = contact_handlers.create_contact(
        contact_commands.CreateContact("t-1", ContactDetails(name="Mor", kind="person", address=Address(("Skolevej 1",), "8000", "Aarhus", "DK"))),
        cases.unit_of_work(), writer("t-1", "ag-1"),
    )
    registration = file(
        cases, case,
        correspondents=(CorrespondentInput("sender", contact_id=contact.id), CorrespondentInput("copy", name="Far")),
        documents=(DocumentInput("a-1", "attachment"), DocumentInput("m", "main"), DocumentInput("a-2", "attachment")),
        document_date=date(2026, 1, 5),
    )
    with cases.unit_of_work() as uow:
        stored = uow.registrations.get("t-1", registration.id)
        assert uow.registrations.get("t-2", registration.id) is None
        assert [(c.role, c.name, c.contact_id, c.address_lines) for c in stored.correspondents] == [
            ("sender", "Mor", contact.id, ["Skolevej 1"]), ("copy", "Far", None, []),
        ]
        assert [d.document_id for d in stored.documents] == ["m", "a-1", "a-2"]
        assert (stored.number, stored.document_date, stored.journal_date) == (f"{case.number}-1", date(2026, 1, 5), datetime.now(UTC).date())

    handlers.change_registration(
        commands.ChangeRegistration("t-1", registration.id, expected_version=1, documents=(DocumentInput("m2", "main"),)),
        cases.unit_of_work(), writer("t-1", "ag-1"),
    )
    with cases.unit_of_work() as uow:
        stored = uow.registrations.get("t-1", registration.id)
        assert [d.document_id for d in stored.documents] == ["m2"] and stored.version == 2
    with cases.database.session() as session:
        assert session.scalar(select(func.count()).select_from(registration_documents)) == 1


def test_a_rolled_back_registration_gives_its_number_back(cases):
    case = new_case(cases)
    with cases.unit_of_work() as uow:
        assert uow.registrations.next_sequence("t-1", case.id) == 1
    assert file(cases, case).number == f"{case.number}-1"
    with pytest.raises(Exception, match="kind"):
        file(cases, case, kind="Q")
    assert file(cases, case).number == f"{case.number}-2"


def test_one_contact_per_identifier_and_tenant_in_the_database(cases):
    with cases.unit_of_work() as uow:
        uow.contacts.add(Contact.create("t-1", pupil(), "user:u", datetime.now(UTC)))
        uow.commit()
    with cases.unit_of_work() as uow, pytest.raises(DuplicateKey):
        uow.contacts.add(Contact.create("t-1", pupil(PUPIL_CPR.replace("-", "")), "user:u", datetime.now(UTC)))
    with cases.unit_of_work() as uow:
        uow.contacts.add(Contact.create("t-2", pupil(), "user:u", datetime.now(UTC)))
        uow.contacts.add(Contact.create("t-1", ContactDetails(name="Uden nummer", kind="person"), "user:u", datetime.now(UTC)))
        uow.contacts.add(Contact.create("t-1", ContactDetails(name="Uden nummer", kind="person"), "user:u", datetime.now(UTC)))
        uow.commit()


def test_lists_and_counts_are_filtered_inside_the_query(cases):
    mine, theirs = new_case(cases, access_group_id="ag-1"), new_case(cases, access_group_id="ag-2")
    plain = file(cases, mine, title="Åbent")
    screened = file(cases, mine, writer("t-1", "ag-1", codes=("health",)), screening_code="health", title="Lægeerklæring")
    file(cases, theirs, title="Personale")
    outgoing = file(cases, mine, kind="U", title="Svar")

    def ids(scope, **filters):
        items, total = views.list_registrations(cases.database, scope, 0, 50, **filters)
        assert total == len(items)
        return {item["id"] for item in items}

    assert ids(reader("t-1", "ag-1")) == {plain.id, outgoing.id}
    assert ids(reader("t-1", "ag-1", codes=("health",))) == {plain.id, screened.id, outgoing.id}
    assert ids(reader("t-1", "ag-1"), kind="U") == {outgoing.id}
    assert ids(reader("t-1", "ag-1"), status="journaled") == set()
    assert ids(reader("t-1", "ag-1"), date_to=date(2000, 1, 1)) == set()
    assert ids(reader("t-2", "ag-1")) == set()
    assert ids(reader("t-1")) == set()
    one_case = reader("t-1").__class__("t-1", read_cases=frozenset({theirs.id}))
    assert len(ids(one_case)) == 1
    assert views.get_registration(cases.database, reader("t-1", "ag-1"), screened.id) is None
    found = views.get_registration(cases.database, reader("t-1", "ag-1", codes=("health",)), screened.id)
    assert (found["screening_code"], found["access_group_id"], found["case_screening_code"]) == ("health", "ag-1", None)
    in_case, total = views.list_case_registrations(cases.database, reader("t-1", "ag-1"), mine.id, 0, 50)
    assert total == 2 and [item["title"] for item in in_case] == ["Åbent", "Svar"]


def test_a_national_id_is_shown_where_a_case_of_its_person_is_readable(cases):
    case = new_case(cases, access_group_id="ag-1")
    party, _ = party_handlers.add_party(
        party_commands.AddParty("t-1", case.id, "pupil", contact=pupil()), cases.unit_of_work(), writer("t-1", "ag-1")
    )

    def shown(scope, archivist=False):
        found = contact_views.get_contact(cases.database, scope, party.contact_id, archivist)
        return found["identifier"], found["identifier_hidden"]

    digits = PUPIL_CPR.replace("-", "")
    assert shown(reader("t-1", "ag-1")) == (digits, False)
    assert shown(reader("t-1", "ag-2")) == (None, True)
    assert shown(reader("t-1", "ag-2"), archivist=True) == (digits, False)
    assert contact_views.get_contact(cases.database, reader("t-2", "ag-1"), party.contact_id) is None
    listed, total = contact_views.list_contacts(cases.database, reader("t-1", "ag-2"), 0, 50, name="ØSTERGAARD")
    assert total == 1 and listed[0]["identifier"] is None
    assert contact_views.list_contacts(cases.database, reader("t-1", "ag-2"), 0, 50, name="%")[1] == 0


def test_registration_numbers_have_no_gaps_or_duplicates_under_concurrency(cases_on_postgresql):
    cases = cases_on_postgresql
    case = new_case(cases)
    numbers: list[str] = []
    errors: list[Exception] = []

    def file_many():
        try:
            for _ in range(10):
                numbers.append(file(cases, case).number)
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=file_many) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers, key=lambda n: int(n.rsplit("-", 1)[1])) == [f"{case.number}-{n}" for n in range(1, 61)]


def test_the_same_person_filed_at_once_from_many_places_is_one_contact(cases_on_postgresql):
    cases = cases_on_postgresql
    found: list[str] = []
    errors: list[Exception] = []
    start = threading.Barrier(8)

    def file_anna():
        try:
            start.wait()
            contact, _ = contact_handlers.create_contact(contact_commands.CreateContact("t-1", pupil()), cases.unit_of_work(), writer("t-1", "ag-1"))
            found.append(contact.id)
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=file_anna) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(found) == 8 and len(set(found)) == 1


def test_two_writers_racing_on_one_registration_lose_nothing_silently(cases_on_postgresql):
    cases = cases_on_postgresql
    case = new_case(cases)
    registration = file(cases, case)
    ref = CaseRef(case.id, "t-1", case.number, "ag-1", None)
    first, second = cases.unit_of_work(), cases.unit_of_work()
    with context.bound(context.MessageContext(correlation_id="race")), first:
        mine = first.registrations.get("t-1", registration.id)
        mine.change(datetime.now(UTC), ref, lambda _id: None, title="First")
        with second:
            theirs = second.registrations.get("t-1", registration.id)
            theirs.change(datetime.now(UTC), ref, lambda _id: None, title="Second")
            second.commit()
        with pytest.raises(ConcurrentChange):
            first.commit()
    with cases.unit_of_work() as uow:
        assert uow.registrations.get("t-1", registration.id).title == "Second"
