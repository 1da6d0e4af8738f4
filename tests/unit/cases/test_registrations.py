"""Registrations: numbers per case, the status lifecycle, dates, correspondents, documents,
screening no looser than the case's, the reply chain, and access through the case."""

from datetime import UTC, date, datetime, timedelta

import pytest

from akta.access.scope import AccessScope
from akta.errors import Conflict, Forbidden, InvalidField, NotFound, PreconditionFailed
from akta_cases.bootstrap import PUBLISHED_EVENTS
from akta_cases.contacts.model import KEEP, Address, Contact, ContactDetails
from akta_cases.domain.case_ref import CaseRef
from akta_cases.registrations import commands, handlers
from akta_cases.registrations.model import (
    CorrespondentInput,
    DocumentInput,
    Registration,
    RegistrationDraft,
    RegistrationNotFound,
    TransitionRefused,
    allowed_next,
)
from tests.support.access import reader, writer
from tests.support.fakes import FakeCaseRepository, FakeUnitOfWork
from tests.support.persons import cpr
from tests.support.record_fakes import CaseStub, FakeContactRepository, FakeRegistrationRepository

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
AG = "ag-1"
CASE = CaseRef("c-1", "t-1", "2026/000123", AG, None)
PUPIL_CASE = CaseRef("c-2", "t-1", "2026/000124", AG, "pupil")


def no_contacts(_contact_id):
    return None


def register(kind="I", case=CASE, sequence=1, find_contact=no_contacts, reply_to=None, **fields) -> Registration:
    draft = RegistrationDraft(kind=kind, title=fields.pop("title", "Ansøgning om skoleskift"), **fields)
    return Registration.register(case, sequence, draft, find_contact, "user:u", NOW, reply_to)


def test_the_number_is_the_case_number_and_the_sequence():
    registration = register(sequence=4)
    assert registration.number == "2026/000123-4"
    assert (registration.status, registration.journal_date, registration.version) == ("registered", TODAY, 1)


@pytest.mark.parametrize(
    ("kind", "path", "refused", "allowed"),
    [
        ("I", ["journaled", "archived"], None, None),
        ("U", ["journaled", "expedited", "archived"], None, None),
        ("N", ["journaled", "archived"], None, None),
        ("X", ["journaled", "archived"], None, None),
        ("I", [], "archived", ["journaled"]),
        ("I", ["journaled"], "expedited", ["archived"]),
        ("U", ["journaled"], "archived", ["expedited"]),
        ("U", ["journaled", "expedited", "archived"], "journaled", []),
        ("N", ["journaled", "archived"], "registered", []),
    ],
)
def test_the_status_moves_only_forward_along_the_lifecycle(kind, path, refused, allowed):
    registration = register(kind)
    for status in path:
        assert registration.move_to(status, NOW, CASE)
    assert registration.status == (path[-1] if path else "registered")
    if refused:
        with pytest.raises(TransitionRefused) as raised:
            registration.move_to(refused, NOW, CASE)
        assert raised.value.status == 409
        assert raised.value.extra == {"current_status": registration.status, "allowed": allowed}


def test_moving_to_the_status_it_has_changes_nothing():
    registration = register()
    registration.events.clear()
    assert not registration.move_to("registered", NOW, CASE)
    assert registration.version == 1 and registration.events == []


def test_an_unknown_status_names_the_field():
    with pytest.raises(InvalidField) as raised:
        register().move_to("shredded", NOW, CASE)
    assert raised.value.field == "status"


def test_expediting_an_outgoing_letter_dates_it_sent_and_records_the_move():
    registration = register("U")
    registration.move_to("journaled", NOW, CASE)
    registration.move_to("expedited", NOW, CASE)
    assert registration.sent_date == TODAY and registration.version == 3
    last = registration.events[-1]
    assert (last.previous_status, last.status, last.version) == ("journaled", "expedited", 3)


def test_only_outgoing_registrations_are_expedited():
    assert allowed_next("U", "journaled") == ("expedited",)
    assert allowed_next("I", "journaled") == ("archived",)
    assert allowed_next("X", "archived") == ()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "Q"}, "kind"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"document_date": TODAY + timedelta(days=3)}, "document_date"),
        ({"journal_date": TODAY + timedelta(days=30)}, "journal_date"),
        ({"kind": "U", "received_date": TODAY}, "received_date"),
        ({"kind": "I", "sent_date": TODAY}, "sent_date"),
        ({"document_date": date(2026, 11, 10), "received_date": date(2026, 11, 1)}, "received_date"),
        ({"screening_code": "top-secret"}, "screening_code"),
        ({"documents": (DocumentInput("d-1", "cover"),)}, "documents.0.role"),
        ({"documents": (DocumentInput("d-1", "main"), DocumentInput("d-1", "attachment"))}, "documents.1.document_id"),
        ({"documents": (DocumentInput("d-1", "main"), DocumentInput("d-2", "main"))}, "documents"),
        ({"documents": (DocumentInput("d-1", "attachment"),)}, "documents"),
        ({"documents": (DocumentInput(" ", "main"),)}, "documents.0.document_id"),
        ({"correspondents": (CorrespondentInput("author", name="A"),)}, "correspondents.0.role"),
        ({"correspondents": (CorrespondentInput("sender"),)}, "correspondents.0.name"),
        ({"correspondents": (CorrespondentInput("sender", contact_id="nobody"),)}, "correspondents.0.contact_id"),
        (
            {"correspondents": (CorrespondentInput("sender", name="A", address=Address(country="Sweden")),)},
            "correspondents.0.address.country",
        ),
    ],
)
def test_bad_input_names_the_field(fields, field):
    kind = fields.pop("kind", "I")
    with pytest.raises(InvalidField) as raised:
        register(kind, **fields)
    assert raised.value.field == field


def test_the_main_document_comes_first_then_the_attachments_in_order():
    registration = register(documents=(DocumentInput("a-1", "attachment"), DocumentInput("m", "main"), DocumentInput("a-2", "attachment")))
    assert [(d.document_id, d.role) for d in registration.documents] == [("m", "main"), ("a-1", "attachment"), ("a-2", "attachment")]
    [created] = registration.events
    assert created.document_ids == ["m", "a-1", "a-2"] and created.main_document_id == "m"


def test_a_correspondent_given_by_contact_keeps_the_name_and_address_of_that_day():
    anna = Contact.create(
        "t-1",
        ContactDetails(name="Anna Østergaard", identifier_scheme="cpr", identifier=cpr(date(2014, 3, 9)),
                       address=Address(("Skolevej 1",), "8000", "Aarhus", "DK")),
        "user:u", NOW,
    )
    registration = register(
        find_contact={anna.id: anna}.get,
        correspondents=(CorrespondentInput("sender", contact_id=anna.id), CorrespondentInput("copy", name="Far", address=Address(("Vej 2",)))),
    )
    anna.change(NOW, address=Address(("Ny vej 9",), "8200", "Aarhus N", "DK"))
    sender, copy = registration.correspondents
    assert (sender.role, sender.name, sender.contact_id, sender.address_lines) == ("sender", "Anna Østergaard", anna.id, ["Skolevej 1"])
    assert (copy.contact_id, copy.address_lines) == (None, ["Vej 2"])


def test_events_carry_ids_and_access_never_a_national_id_or_a_name():
    number = cpr(date(2014, 3, 9))
    anna = Contact.create("t-1", ContactDetails(name="Anna", identifier_scheme="cpr", identifier=number), "user:u", NOW)
    registration = register(find_contact={anna.id: anna}.get, correspondents=(CorrespondentInput("sender", contact_id=anna.id),))
    [created] = registration.events
    data = created.model_dump_json()
    assert number.replace("-", "") not in data and "Anna" not in data
    assert (created.access_group_id, created.case_id, created.kind, created.status) == (AG, "c-1", "I", "registered")


def test_the_screening_defaults_to_the_cases_and_may_be_stricter_never_lifted():
    assert register(case=PUPIL_CASE).screening_code == "pupil"
    assert register(case=PUPIL_CASE, screening_code="health").screening_code == "health"
    assert register(screening_code="health").screening_code == "health"
    with pytest.raises(InvalidField) as raised:
        register(case=PUPIL_CASE, screening_code=None)
    assert raised.value.field == "screening_code"


def test_an_incoming_registration_answers_an_outgoing_one():
    letter = register("U")
    reply = register("I", reply_to=letter)
    assert reply.reply_to_registration_id == letter.id
    assert reply.events[0].reply_to_registration_id == letter.id


@pytest.mark.parametrize(("kind", "answered_kind"), [("U", "U"), ("I", "I"), ("N", "U")])
def test_only_incoming_answers_only_outgoing(kind, answered_kind):
    with pytest.raises(InvalidField) as raised:
        register(kind, reply_to=register(answered_kind))
    assert raised.value.field == "reply_to_registration_id"


def test_a_reply_link_never_crosses_tenants():
    theirs = register("U", case=CaseRef("c-9", "t-2", "2026/000001", AG, None))
    with pytest.raises(InvalidField):
        register("I", reply_to=theirs)


def test_a_change_says_what_changed_and_bumps_the_version():
    registration = register()
    registration.events.clear()
    changed = registration.change(
        NOW, CASE, no_contacts, title="Ansøgning om skoleskift (rettet)", documents_given=(DocumentInput("d-1", "main"),),
        screening_code="pupil", received_date=TODAY,
    )
    assert changed == ["title", "received_date", "documents", "screening_code"]
    assert registration.version == 2
    assert registration.events[0].changed_fields == changed and registration.events[0].document_ids == ["d-1"]


def test_a_change_that_changes_nothing_records_nothing():
    registration = register(documents=(DocumentInput("d-1", "main"),))
    registration.events.clear()
    assert registration.change(NOW, CASE, no_contacts, title="Ansøgning om skoleskift", documents_given=(DocumentInput("d-1", "main"),)) == []
    assert registration.version == 1 and registration.events == []


def test_a_change_on_an_old_version_is_refused():
    registration = register()
    registration.change(NOW, CASE, no_contacts, title="Second")
    with pytest.raises(PreconditionFailed):
        registration.change(NOW, CASE, no_contacts, expected_version=1, title="Third")
    with pytest.raises(PreconditionFailed):
        registration.move_to("journaled", NOW, CASE, expected_version=1)


def test_once_sent_or_archived_only_the_screening_changes():
    registration = register("U")
    for status in ("journaled", "expedited"):
        registration.move_to(status, NOW, CASE)
    with pytest.raises(Conflict):
        registration.change(NOW, CASE, no_contacts, documents_given=(DocumentInput("d-9", "main"),))
    assert registration.change(NOW, CASE, no_contacts, screening_code="personnel") == ["screening_code"]


def test_dates_are_checked_together_on_a_change():
    registration = register(received_date=date(2026, 11, 1))
    with pytest.raises(InvalidField) as raised:
        registration.change(NOW, CASE, no_contacts, document_date=date(2026, 11, 5))
    assert raised.value.field == "received_date"


# Handlers: access follows the case, plus the registration's own screening code.


@pytest.fixture
def cases():
    return {"open": CaseStub("t-1", number="2026/000123"), "other": CaseStub("t-1", number="2026/000124"),
            "pupil": CaseStub("t-1", screening_code="pupil", number="2026/000125")}


@pytest.fixture
def uow(cases) -> FakeUnitOfWork:
    case_repository = FakeCaseRepository()
    for case in cases.values():
        case_repository.add(case)
    return FakeUnitOfWork(
        PUBLISHED_EVENTS, cases=case_repository, contacts=FakeContactRepository(), registrations=FakeRegistrationRepository()
    )


def create(uow, case, scope=None, kind="I", **fields) -> Registration:
    reply_to = fields.pop("reply_to_registration_id", None)
    command = commands.CreateRegistration("t-1", case.id, RegistrationDraft(kind=kind, title="Brev", **fields), reply_to)
    return handlers.create_registration(command, uow, scope or writer("t-1", AG), NOW)


def test_numbers_run_per_case_without_gaps(uow, cases):
    numbers = [create(uow, cases["open"]).number for _ in range(3)] + [create(uow, cases["other"]).number]
    assert numbers == ["2026/000123-1", "2026/000123-2", "2026/000123-3", "2026/000124-1"]


def test_creating_is_audited_and_published_together(uow, cases):
    registration = create(uow, cases["open"])
    assert sorted(e.type for e in uow.outbox) == ["cases.audit.recorded.v1", "cases.registration.created.v1"]
    audit_record = next(e for e in uow.outbox if e.type == "cases.audit.recorded.v1")
    assert (audit_record.data["action"], audit_record.data["entity_id"]) == ("create", registration.id)


def test_a_stranger_finds_no_case_and_a_reader_may_not_file(uow, cases):
    with pytest.raises(NotFound):
        create(uow, cases["open"], writer("t-1", "other-group"))
    with pytest.raises(NotFound):
        create(uow, cases["open"], writer("t-2", AG))
    with pytest.raises(Forbidden):
        create(uow, cases["open"], reader("t-1", AG))
    assert uow.outbox == []


def test_a_registration_screened_stricter_than_its_case_hides_from_those_without_the_code(uow, cases):
    screened = create(uow, cases["open"], writer("t-1", AG, codes=("health",)), screening_code="health")
    plain_writer = writer("t-1", AG)
    with pytest.raises(RegistrationNotFound):
        handlers.change_status(commands.ChangeRegistrationStatus("t-1", screened.id, "journaled"), uow, plain_writer, NOW)
    with pytest.raises(Forbidden):
        create(uow, cases["open"], plain_writer, screening_code="health")
    reading_health = AccessScope("t-1", frozenset({AG}), frozenset({AG}), frozenset({"health"}), frozenset())
    with pytest.raises(Forbidden):
        handlers.change_status(commands.ChangeRegistrationStatus("t-1", screened.id, "journaled"), uow, reading_health, NOW)


def test_a_bad_move_is_a_conflict_listing_the_allowed_ones(uow, cases):
    registration = create(uow, cases["open"])
    with pytest.raises(TransitionRefused) as raised:
        handlers.change_status(commands.ChangeRegistrationStatus("t-1", registration.id, "archived"), uow, writer("t-1", AG), NOW)
    assert raised.value.extra["allowed"] == ["journaled"]


def test_a_reply_may_answer_a_letter_in_another_case_it_can_read(uow, cases):
    letter = create(uow, cases["other"], kind="U")
    reply = create(uow, cases["open"], reply_to_registration_id=letter.id)
    assert reply.reply_to_registration_id == letter.id
    hidden = create(uow, cases["pupil"], writer("t-1", AG, codes=("pupil",)), kind="U")
    with pytest.raises(InvalidField) as raised:
        create(uow, cases["open"], reply_to_registration_id=hidden.id)
    assert raised.value.field == "reply_to_registration_id"


def test_nothing_is_filed_in_an_archived_case(uow, cases):
    cases["open"].status = "archived"
    with pytest.raises(Conflict):
        create(uow, cases["open"])


def test_a_change_keeps_what_is_not_sent(uow, cases):
    registration = create(uow, cases["open"], document_date=date(2026, 11, 2))
    handlers.change_registration(
        commands.ChangeRegistration("t-1", registration.id, expected_version=1, title="Brev om skoleskift"), uow, writer("t-1", AG), NOW
    )
    assert (registration.title, registration.document_date, registration.version) == ("Brev om skoleskift", date(2026, 11, 2), 2)
    assert commands.ChangeRegistration("t-1", "r").documents is KEEP
