"""The cases service's copy of docstore's documents, kept from its events on SQLite: the newest
version of the metadata wins whatever order the events come in; the creation is the creation."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from akta.contracts import Envelope
from akta.contracts.docstore import DocumentChanged, DocumentCreated
from akta.db.database import Database
from akta.db.migrations import upgrade
from akta_cases.bootstrap import EVENT_HANDLERS, MIGRATIONS_DIR, PUBLISHED_EVENTS
from akta_cases.documents.handlers import track_documents
from akta_cases.documents.orm import case_documents
from akta_cases.service_layer.unit_of_work import CasesUnitOfWork

CREATED_AT = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
DOCUMENT = {
    "document_id": "doc-1", "title": "Ansøgning", "document_type": "letter", "status": "draft",
    "case_id": "case-1", "access_group_id": "ag-1", "current_version": 0, "version": 1,
}


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('cases') / 'cases.db'}")
    upgrade(database, MIGRATIONS_DIR)
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def empty(database):
    with database.session() as session, session.begin():
        session.execute(case_documents.delete())


def created(**fields) -> DocumentCreated:
    return DocumentCreated(**{**DOCUMENT, **fields})


def changed(version: int, **fields) -> DocumentChanged:
    return DocumentChanged(**{**DOCUMENT, "version": version, "changed_fields": sorted(fields), **fields})


def handle(database, event, minutes_later: int = 0, actor: str = "user:anna", tenant: str = "t-1") -> None:
    envelope = Envelope.wrap(
        event, tenant=tenant, actor=actor, correlation_id="corr", time=CREATED_AT + timedelta(minutes=minutes_later)
    )
    with CasesUnitOfWork(database, PUBLISHED_EVENTS) as uow:
        track_documents([(event, envelope)], uow)
        uow.commit()


def stored(database) -> list[dict]:
    with database.session() as session:
        return [dict(row) for row in session.execute(select(case_documents)).mappings()]


def test_the_worker_routes_docstore_events_here_a_batch_at_a_time():
    assert EVENT_HANDLERS["track_documents"].handle_all is track_documents


def test_a_batch_of_one_documents_events_in_any_order_ends_with_the_newest(database):
    def wrapped(event, minutes_later, actor="user:anna"):
        return event, Envelope.wrap(event, tenant="t-1", actor=actor, correlation_id="c", time=CREATED_AT + timedelta(minutes=minutes_later))

    batch = [
        wrapped(changed(3, title="Tredje"), 3, "user:bo"),
        wrapped(created(), 0),
        wrapped(changed(2, title="Anden"), 2),
        wrapped(created(document_id="doc-2", title="Bilag"), 4),
    ]
    with CasesUnitOfWork(database, PUBLISHED_EVENTS) as uow:
        track_documents(batch, uow)
        uow.commit()
    first, second = sorted(stored(database), key=lambda d: d["document_id"])
    assert (first["title"], first["version"], first["created_by"], first["created_at"]) == ("Tredje", 3, "user:anna", CREATED_AT)
    assert (second["document_id"], second["title"]) == ("doc-2", "Bilag")


def test_a_created_document_is_copied_and_follows_its_changes(database):
    handle(database, created())
    handle(database, changed(2, title="Ansøgning om skoleskift", current_version=1), minutes_later=5, actor="user:bo")
    [document] = stored(database)
    assert document == {
        "document_id": "doc-1", "tenant_id": "t-1", "case_id": "case-1", "title": "Ansøgning om skoleskift",
        "document_type": "letter", "status": "draft", "screening_code": None, "current_version": 1, "version": 2,
        "created_at": CREATED_AT, "created_by": "user:anna", "updated_at": CREATED_AT + timedelta(minutes=5),
    }


def test_an_older_event_leaves_the_newer_copy_alone(database):
    handle(database, created())
    handle(database, changed(3, title="Tredje", screening_code="health"), minutes_later=3)
    handle(database, changed(2, title="Anden"), minutes_later=2)
    handle(database, changed(3, title="Tredje", screening_code="health"), minutes_later=3)
    [document] = stored(database)
    assert (document["title"], document["screening_code"], document["version"]) == ("Tredje", "health", 3)
    assert document["updated_at"] == CREATED_AT + timedelta(minutes=3)


def test_a_change_that_overtook_the_creation_keeps_its_description_and_gets_the_creation(database):
    handle(database, changed(2, status="final", current_version=1), minutes_later=7, actor="user:bo")
    [early] = stored(database)
    assert (early["status"], early["created_by"], early["created_at"]) == ("final", "user:bo", CREATED_AT + timedelta(minutes=7))
    handle(database, created(), actor="user:anna")
    [document] = stored(database)
    assert (document["status"], document["current_version"], document["version"]) == ("final", 1, 2)
    assert (document["created_at"], document["created_by"]) == (CREATED_AT, "user:anna")
    assert document["updated_at"] == CREATED_AT + timedelta(minutes=7)


def test_a_document_moved_to_another_case_is_listed_there(database):
    handle(database, created(case_id=None))
    handle(database, changed(2, case_id="case-2"), minutes_later=1)
    assert [d["case_id"] for d in stored(database)] == ["case-2"]
