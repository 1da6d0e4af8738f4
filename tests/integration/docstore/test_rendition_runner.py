"""The rendition loop's claims, on SQLite and PostgreSQL, with no background loop running: a
claimed batch is recorded in one transaction, a claim that expired and was taken over is not
recorded twice, and a stopping worker gives unstarted claims back."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from akta.bus.tables import outbox_table
from akta.storage import StoredBlob
from akta_docstore.adapters.orm import documents, renditions
from akta_docstore.bootstrap import bootstrap
from akta_docstore.renditions import plan
from akta_docstore.renditions.runner import Done
from akta_docstore.settings import DocstoreSettings
from tests.support.system import service_settings

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def docstore(request, tmp_path, bus_namespace):
    database_url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    service = bootstrap(service_settings(DocstoreSettings, tmp_path, database_url, "memory://", bus_namespace))
    service.migrate()
    yield service
    service.database.dispose()


def _pending_texts(docstore, count: int, kind: str = "text") -> list[str]:
    """Renditions of documents whose version 1 is not stored (the runner fails them as gone)."""
    document_ids = [str(uuid.uuid4()) for _ in range(count)]
    with docstore.unit_of_work() as uow:
        for document_id in document_ids:
            uow.session.execute(insert(documents).values(
                id=document_id, tenant_id="t-1", title="Referat", document_type="minutes", status="draft",
                access_group_id="g-1", current_version=1, created_at=NOW, updated_at=NOW, created_by="user:u-1", version=1,
            ))
            plan.add(uow.session, "t-1", document_id, 1, kind, "corr-1", NOW - timedelta(minutes=1))
        uow.commit()
    return document_ids


def _states(docstore) -> list[tuple[str, int]]:
    with docstore.database.session() as session:
        return sorted(session.execute(select(renditions.c.status, renditions.c.attempts)).all())


def _events(docstore) -> list[str]:
    with docstore.database.session() as session:
        return sorted(session.scalars(select(outbox_table.c.event_type)))


def test_a_claimed_batch_is_recorded_together_with_its_events(docstore):
    _pending_texts(docstore, 3)
    runner = docstore.renditions
    jobs = runner.claim(10, now=NOW)
    assert len(jobs) == 3 and all(job.sha256 is None for job in jobs), "the claim carries the version (gone here)"
    runner.process_all(jobs)
    assert _states(docstore) == [("pending", 1)] * 3, "failed once, to be retried"
    assert _events(docstore) == ["docstore.rendition.failed.v1"] * 3


def test_a_claim_taken_over_after_its_lease_is_not_recorded_by_the_first_worker(docstore):
    _pending_texts(docstore, 1)
    runner = docstore.renditions
    [first] = runner.claim(10, now=NOW)
    lease = timedelta(seconds=docstore.settings.rendition_timeout_seconds + 61)
    [second] = runner.claim(10, now=NOW + lease)
    assert second.attempts == first.attempts + 1
    text = StoredBlob(tenant_id="t-1", sha256="0" * 64, size=0, newly_stored=False)
    runner._record_all([(first, Done(text, source="text_layer", characters=0))])
    assert _states(docstore) == [("running", 2)], "the second worker's claim stands"
    assert _events(docstore) == []
    runner._record_all([(second, Done(text, source="text_layer", characters=0))])
    assert _states(docstore) == [("done", 2)]


def test_a_stopping_worker_gives_unstarted_claims_back(docstore):
    _pending_texts(docstore, 2)
    runner = docstore.renditions
    jobs = runner.claim(10, now=NOW)
    stop = threading.Event()
    stop.set()
    runner.process_all(jobs, stop=stop)
    assert _states(docstore) == [("pending", 0)] * 2
    assert _events(docstore) == []


def test_quick_text_extractions_are_claimed_together_and_slow_renditions_a_few_at_a_time(docstore):
    _pending_texts(docstore, 3, kind="preview")
    _pending_texts(docstore, 3, kind="text")
    runner = docstore.renditions
    assert [job.kind for job in runner.claim(10, now=NOW, slow_limit=1)] == ["text"] * 3
    assert [job.kind for job in runner.claim(10, now=NOW, slow_limit=1)] == ["preview"]
    assert [job.kind for job in runner.claim(10, now=NOW)] == ["preview"] * 2, "without a slow limit, as many as due"
