"""The document aggregate: access from the case, versions, the final status, comments, references."""

from datetime import UTC, datetime, timedelta

import pytest

from akta.contracts.docstore import DocumentChanged, DocumentCommented, DocumentCreated, DocumentVersionStored
from akta.errors import Conflict, InvalidField, NotFound, PreconditionFailed
from akta_docstore.domain.model import (
    CaseAccess,
    Document,
    DocumentDraft,
    DocumentIsFinal,
    StoredContent,
    VersionNotFound,
)

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
CASE = CaseAccess("case-1", "2026/000001", "pupils", None, "open")
SCREENED_CASE = CaseAccess("case-2", "2026/000002", "pupils", "health", "open")
PDF = StoredContent("a" * 64, 1234, "pdf", "application/pdf", "brev.pdf")


def document(case=CASE, **draft) -> Document:
    return Document("tenant-1", DocumentDraft(**{"title": "Brev til forældre", "document_type": "letter", **draft}), case, None, "user:u1", NOW)


def test_a_document_in_a_case_takes_the_cases_access():
    created = document(SCREENED_CASE)
    assert (created.case_id, created.access_group_id, created.screening_code) == ("case-2", "pupils", "health")
    assert created.status == "draft" and created.current_version == 0
    [event] = created.events
    assert isinstance(event, DocumentCreated) and event.access_group_id == "pupils" and event.screening_code == "health"


def test_its_own_screening_code_wins_over_the_cases():
    assert document(SCREENED_CASE, screening_code="personnel").screening_code == "personnel"


def test_a_document_outside_a_case_needs_an_access_group():
    with pytest.raises(InvalidField) as error:
        document(None)
    assert error.value.field == "access_group_id"
    assert document(None, access_group_id="post-room").access_group_id == "post-room"


def test_documents_are_filed_only_in_open_cases():
    with pytest.raises(Conflict):
        document(CaseAccess("case-3", "2026/000003", "pupils", None, "closed"))


def test_a_registration_needs_a_case():
    with pytest.raises(InvalidField) as error:
        document(None, access_group_id="post-room", registration_id="r1")
    assert error.value.field == "registration_id"


@pytest.mark.parametrize("title", ["", "   ", "x" * 501])
def test_bad_titles_name_the_field(title):
    with pytest.raises(InvalidField) as error:
        document(title=title)
    assert error.value.field == "title"


@pytest.mark.parametrize("code", ["Letter ", "brev/x", "", "a" * 65, "æble"])
def test_document_types_are_codes(code):
    if code.strip().lower() == "letter":
        assert document(document_type=code).document_type == "letter"
        return
    with pytest.raises(InvalidField) as error:
        document(document_type=code)
    assert error.value.field == "document_type"


def test_an_attachment_takes_its_main_documents_case_and_access():
    main = document(SCREENED_CASE)
    attachment = Document("tenant-1", DocumentDraft("Bilag", "attachment"), None, main, "user:u1", NOW)
    assert (attachment.case_id, attachment.access_group_id, attachment.screening_code) == ("case-2", "pupils", "health")
    assert attachment.attached_to_document_id == main.id
    with pytest.raises(InvalidField):
        Document("tenant-1", DocumentDraft("Bilag", "attachment"), CASE, main, "user:u1", NOW)


def test_each_upload_is_a_new_version_and_older_ones_stay():
    created = document()
    created.events.clear()
    created.add_version(PDF, "user:u1", NOW)
    second = StoredContent("b" * 64, 99, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "brev.docx")
    created.add_version(second, "user:u2", NOW + timedelta(minutes=1))
    assert [v.number for v in created.versions] == [1, 2] and created.current_version == 2
    assert created.version_numbered(1).sha256 == "a" * 64
    stored = [e for e in created.events if isinstance(e, DocumentVersionStored)]
    assert [(e.version_number, e.format) for e in stored] == [(1, "pdf"), (2, "docx")]
    with pytest.raises(VersionNotFound):
        created.version_numbered(3)


def test_a_final_document_gets_no_new_versions_and_stays_final():
    created = document()
    with pytest.raises(Conflict):
        created.change(NOW, None, status="final")  # no content yet
    created.add_version(PDF, "user:u1", NOW)
    assert created.change(NOW, None, status="final") == ["status"]
    with pytest.raises(DocumentIsFinal):
        created.add_version(PDF, "user:u1", NOW)
    with pytest.raises(DocumentIsFinal):
        created.change(NOW, None, status="draft")
    with pytest.raises(DocumentIsFinal):
        created.change(NOW, None, title="Nyt navn")
    assert created.change(NOW, None, screening_code="health") == ["screening_code"]


def test_changes_check_the_version_read():
    created = document()
    with pytest.raises(PreconditionFailed):
        created.change(NOW, 7, title="Ny titel")
    assert created.change(NOW, 1, title="Ny titel", category=None) == ["title"]
    assert created.version == 2
    assert isinstance(created.events[-1], DocumentChanged) and created.events[-1].changed_fields == ["title"]
    assert created.change(NOW, None, title="Ny titel") == []


def test_documents_follow_their_case_unless_screened_themselves():
    inherited, own = document(CASE), document(CASE, screening_code="personnel")
    moved = CaseAccess("case-1", "2026/000001", "staff", "health", "open")
    assert inherited.follow_case(moved, None, NOW) and own.follow_case(moved, None, NOW)
    assert (inherited.access_group_id, inherited.screening_code) == ("staff", "health")
    assert (own.access_group_id, own.screening_code) == ("staff", "personnel")
    assert not inherited.follow_case(moved, "health", NOW)


def test_filing_under_a_registration_takes_its_screening():
    created = document(CASE)
    assert created.file_under("reg-1", "case-1", "pupil", NOW)
    assert (created.registration_id, created.screening_code) == ("reg-1", "pupil")
    assert not created.file_under("reg-1", "case-1", "pupil", NOW)
    assert not created.file_under("reg-9", "other-case", None, NOW)


def test_comments_and_references():
    created, other = document(), document(title="Svar")
    comment = created.comment("  Husk at svare  ", "u1", "Ulla", NOW)
    assert comment.text == "Husk at svare" and isinstance(created.events[-1], DocumentCommented)
    with pytest.raises(InvalidField):
        created.comment(" ", "u1", "Ulla", NOW)
    created.refer_to(other, "svar på", "user:u1", NOW)
    with pytest.raises(Conflict):
        created.refer_to(other, None, "user:u1", NOW)
    with pytest.raises(InvalidField):
        created.refer_to(created, None, "user:u1", NOW)
    created.drop_reference(other.id, NOW)
    assert created.references == []
    with pytest.raises(NotFound):
        created.drop_reference(other.id, NOW)
