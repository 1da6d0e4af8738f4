"""The rendition loop: in the worker process, beside the consumer, it claims due renditions,
makes them with the real converters outside any transaction, and records each outcome (and its
events) in a short transaction. A failed attempt is retried later, a bounded number of times;
the original is never touched. A worker that dies mid-way leaves its claim to expire, and the
rendition is taken up again.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog
from sqlalchemy import and_, or_, select, update

from akta import context
from akta.contracts.docstore import DocumentTextExtracted, RenditionCompleted, RenditionFailed
from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta.storage import BlobStore, StoredBlob
from akta_docstore.adapters.orm import document_versions, renditions
from akta_docstore.content import ExtractionFailed, extract_text
from akta_docstore.converters import (
    ConversionFailed,
    convert_to_pdfa,
    ocr_to_searchable_pdf,
    render_preview_png,
)
from akta_docstore.renditions import plan
from akta_docstore.renditions.metrics import RENDITION_SECONDS, RENDITIONS
from akta_docstore.settings import DocstoreSettings

log = structlog.get_logger("akta.docstore.renditions")

PREVIEW_MAX_PIXELS = 1024
# Text extractions claimed at once per rendition thread (see RenditionRunner.claim).
TEXT_BATCH = 16
# An office file's preview waits for its PDF/A; the wait is not an attempt.
DEFER_SECONDS = 5.0


@dataclass(frozen=True)
class Job:
    id: str
    tenant_id: str
    document_id: str
    version_number: int
    kind: str
    attempts: int
    correlation_id: str | None
    # The version's bytes and format; None when the version is gone.
    sha256: str | None = None
    format: str | None = None


@dataclass(frozen=True)
class Done:
    blob: StoredBlob
    source: str | None = None
    characters: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class NeedsOcr:
    """A PDF without a text layer, or an image: its text comes from OCR."""


@dataclass(frozen=True)
class Deferred:
    reason: str


@dataclass(frozen=True)
class Failed:
    reason: str


Outcome = Done | NeedsOcr | Deferred | Failed


class RenditionRunner:
    def __init__(
        self,
        unit_of_work: Callable[[], SqlAlchemyUnitOfWork],
        blobs: BlobStore,
        settings: DocstoreSettings,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.blobs = blobs
        self.settings = settings
        self.work_dir = settings.data_dir / "tmp" / "renditions"
        self.environment = {**os.environ, "PATH": settings.converter_path} if settings.converter_path is not None else None

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set. A pass that fails (database away) is logged and tried again."""
        threads = max(1, self.settings.rendition_threads)
        log.info("rendition loop started", threads=threads)
        with ThreadPoolExecutor(threads, thread_name_prefix="rendition") as pool:
            while not stop.is_set():
                try:
                    jobs = self.claim(threads * TEXT_BATCH, slow_limit=threads)
                    self.process_all(jobs, pool.map, stop)
                except Exception as error:  # any failure: log it and try again next round
                    log.warning("rendition pass failed; trying again", error=repr(error))
                    jobs = []
                if not jobs:
                    stop.wait(self.settings.rendition_idle_seconds)
        log.info("rendition loop stopped")

    def run_until_idle(self, limit: int = 10_000) -> int:
        """Make every due rendition now, in this thread (tests, the CLI). Returns how many."""
        done = 0
        while done < limit:
            jobs = self.claim(16)
            if not jobs:
                return done
            self.process_all(jobs)
            done += len(jobs)
        return done

    def claim(self, limit: int, now: datetime | None = None, slow_limit: int | None = None) -> list[Job]:
        """Claim the most urgent due renditions: at most `limit`, and when they are not text
        extractions (those take milliseconds), at most `slow_limit`: a batch's outcomes are
        recorded together, so a quick one must not wait for slow ones."""
        now = now or datetime.now(UTC)
        lease = timedelta(seconds=self.settings.rendition_timeout_seconds + 60)
        with self.unit_of_work() as uow:
            query = (
                select(renditions, document_versions.c.sha256.label("version_sha256"), document_versions.c.format)
                .outerjoin(
                    document_versions,
                    and_(
                        document_versions.c.document_id == renditions.c.document_id,
                        document_versions.c.number == renditions.c.version_number,
                    ),
                )
                .where(
                    or_(
                        and_(renditions.c.status == "pending", renditions.c.next_attempt_at <= now),
                        and_(renditions.c.status == "running", renditions.c.claimed_until < now),
                    )
                )
                .order_by(renditions.c.priority, renditions.c.next_attempt_at)
                .limit(limit)
            )
            if uow.database.is_postgresql:
                query = query.with_for_update(of=renditions, skip_locked=True)
            rows = uow.session.execute(query).mappings().all()
            if slow_limit is not None:
                texts = [row for row in rows if row["kind"] == "text"]
                rows = texts if rows and rows[0]["kind"] == "text" else rows[:slow_limit]
            jobs = []
            for row in rows:
                uow.session.execute(
                    update(renditions)
                    .where(renditions.c.id == row["id"])
                    .values(status="running", claimed_until=now + lease, attempts=row["attempts"] + 1, updated_at=now)
                )
                jobs.append(
                    Job(row["id"], row["tenant_id"], row["document_id"], row["version_number"], row["kind"],
                        row["attempts"] + 1, row["correlation_id"], row["version_sha256"], row["format"])
                )
            uow.commit()
        return jobs

    def process_all(self, jobs: list[Job], run_each=map, stop: threading.Event | None = None) -> None:
        """Make the claimed renditions (`run_each` may spread them over threads), then record
        their outcomes in one transaction. Jobs not started before `stop` is set are given back."""

        def make(job: Job) -> tuple[Outcome | None, float]:
            if stop is not None and stop.is_set():
                return None, 0.0
            started = time.monotonic()
            with _job_context(job):
                return self._make(job), time.monotonic() - started

        made = [(job, outcome, seconds) for job, (outcome, seconds) in zip(jobs, run_each(make, jobs), strict=True)]
        released = [job for job, outcome, _ in made if outcome is None]
        if released:
            self._release(released)
        made = [(job, outcome, seconds) for job, outcome, seconds in made if outcome is not None]
        if not made:
            return
        self._record_all([(job, outcome) for job, outcome, _ in made])
        for job, outcome, seconds in made:
            RENDITIONS.labels(job.kind, type(outcome).__name__.lower()).inc()
            RENDITION_SECONDS.labels(job.kind).observe(seconds)

    def _release(self, jobs: list[Job]) -> None:
        """Give claimed renditions back untouched (the worker is stopping)."""
        with self.unit_of_work() as uow:
            for job in jobs:
                uow.session.execute(
                    update(renditions)
                    .where(renditions.c.id == job.id, renditions.c.status == "running")
                    .values(status="pending", attempts=job.attempts - 1, claimed_until=None)
                )
            uow.commit()

    def _make(self, job: Job) -> Outcome:
        if job.sha256 is None:
            return Failed("the version is gone")
        pdfa = None
        if job.kind == "preview" and job.format in plan.OFFICE_FORMATS:
            with self.unit_of_work() as uow:
                pdfa = self._pdfa_state(uow, job)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.work_dir) as work:
            work_path = Path(work)
            try:
                original = self._fetch(job.tenant_id, job.sha256, work_path / "original")
                return self._convert(job, job.format, original, work_path, pdfa)
            except (ConversionFailed, ExtractionFailed) as failure:
                return Failed(failure.reason)

    def _convert(self, job: Job, format_name: str, original: Path, work: Path, pdfa) -> Outcome:
        timeout = self.settings.rendition_timeout_seconds
        if job.kind == "text":
            if format_name in plan.IMAGE_FORMATS:
                return NeedsOcr()
            extracted = extract_text(original, format_name, self.settings.index_text_max_characters)
            if format_name == "pdf" and not extracted.has_text_layer:
                return NeedsOcr()
            return self._text_done(job, extracted.text, work, "text_layer")
        if job.kind == "ocr":
            output = work / "ocr.pdf"
            text = ocr_to_searchable_pdf(
                original, format_name, output, self.settings.ocr_languages, timeout, environment=self.environment
            )
            text = text or ""
            return Done(self.blobs.put_file(job.tenant_id, output), source="ocr", characters=len(text), text=text)
        if job.kind == "pdfa":
            output = work / "pdfa.pdf"
            convert_to_pdfa(original, output, timeout, environment=self.environment)
            return Done(self.blobs.put_file(job.tenant_id, output))
        if job.kind == "preview":
            source, source_format = original, format_name
            if format_name in plan.OFFICE_FORMATS:
                if pdfa is None or pdfa["status"] in ("pending", "running"):
                    return Deferred("waiting for the PDF/A rendition")
                if pdfa["status"] != "done":
                    return Failed(f"no PDF/A rendition to preview: {pdfa['reason'] or pdfa['status']}")
                source, source_format = self._fetch(job.tenant_id, pdfa["sha256"], work / "pdfa.pdf"), "pdf"
            output = work / "preview.png"
            render_preview_png(source, source_format, output, PREVIEW_MAX_PIXELS, environment=self.environment)
            return Done(self.blobs.put_file(job.tenant_id, output))
        return Failed(f"unknown rendition kind {job.kind}")

    def _text_done(self, job: Job, text: str, work: Path, source: str) -> Done:
        path = work / f"{source}.txt"
        path.write_text(text, encoding="utf-8")
        return Done(self.blobs.put_file(job.tenant_id, path), source=source, characters=len(text))

    def _record_all(self, made: list[tuple[Job, Outcome]]) -> None:
        now = datetime.now(UTC)
        with self.unit_of_work() as uow:
            ours = self._still_ours(uow, [job for job, _ in made])
            recorded = []
            for job, outcome in made:
                if job.id not in ours:
                    continue  # the document went away, or another worker took over after our lease ran out
                with _job_context(job):
                    self._record(uow, job, outcome, now)
                recorded.append((job, outcome))
            uow.commit()
        for job, outcome in recorded:
            with _job_context(job):
                log.info(
                    "rendition", document_id=job.document_id, version=job.version_number, kind=job.kind,
                    outcome=type(outcome).__name__.lower(), reason=getattr(outcome, "reason", None),
                )

    def _record(self, uow, job: Job, outcome: Outcome, now: datetime) -> None:
        if isinstance(outcome, Done):
            self._done(uow, job, job.kind, outcome, now)
            if job.kind == "ocr":
                self._ocr_text(uow, job, outcome, now)
        elif isinstance(outcome, NeedsOcr):
            self._set(uow, job.id, now, status="waiting", reason="no text layer: its text comes from OCR")
            plan.add(uow.session, job.tenant_id, job.document_id, job.version_number, "ocr", job.correlation_id, now)
        elif isinstance(outcome, Deferred):
            self._set(
                uow, job.id, now, status="pending", attempts=job.attempts - 1, reason=outcome.reason,
                next_attempt_at=now + timedelta(seconds=DEFER_SECONDS),
            )
        else:
            self._failed(uow, job, outcome.reason, now)

    def _done(self, uow, job: Job, kind: str, outcome: Done, now: datetime, rendition_id: str | None = None) -> None:
        self._set(
            uow, rendition_id or job.id, now, status="done", reason=None, sha256=outcome.blob.sha256,
            size=outcome.blob.size, source=outcome.source,
        )
        uow.stage_event(
            job.tenant_id,
            RenditionCompleted(
                document_id=job.document_id, version_number=job.version_number, kind=kind,
                sha256=outcome.blob.sha256, size=outcome.blob.size,
            ),
        )
        if kind == "text":
            uow.stage_event(
                job.tenant_id,
                DocumentTextExtracted(
                    document_id=job.document_id, version_number=job.version_number,
                    source=outcome.source, characters=outcome.characters or 0,
                ),
            )

    def _ocr_text(self, uow, job: Job, outcome: Done, now: datetime) -> None:
        """OCR made the searchable PDF; its sidecar text is the version's text rendition."""
        text_row = self._row(uow, job, "text")
        if text_row is None:
            return
        text = outcome.text or ""
        text_path = self.work_dir / f"{job.id}.ocr.txt"
        try:
            text_path.write_text(text, encoding="utf-8")
            blob = self.blobs.put_file(job.tenant_id, text_path)
        finally:
            text_path.unlink(missing_ok=True)
        self._done(uow, job, "text", Done(blob, "ocr", len(text)), now, rendition_id=text_row["id"])

    def _failed(self, uow, job: Job, reason: str, now: datetime) -> None:
        final = job.attempts >= self.settings.rendition_max_attempts
        if final:
            self._set(uow, job.id, now, status="failed", reason=reason[:1000])
        else:
            delay = self.settings.rendition_retry_seconds * 2 ** (job.attempts - 1)
            self._set(uow, job.id, now, status="pending", reason=reason[:1000], next_attempt_at=now + timedelta(seconds=delay))
        uow.stage_event(
            job.tenant_id,
            RenditionFailed(
                document_id=job.document_id, version_number=job.version_number, kind=job.kind,
                reason=reason[:1000], attempts=job.attempts, final=final,
            ),
        )
        if final and job.kind == "ocr":
            text_row = self._row(uow, job, "text")
            if text_row is not None and text_row["status"] == "waiting":
                self._set(uow, text_row["id"], now, status="failed", reason=f"no text layer, and OCR failed: {reason}"[:1000])
        log.warning("rendition failed", document_id=job.document_id, kind=job.kind, attempts=job.attempts, final=final, reason=reason)

    @staticmethod
    def _still_ours(uow, jobs: list[Job]) -> set[str]:
        """The ids of those renditions still running under these jobs' claims; locks their rows."""
        query = select(renditions.c.id, renditions.c.attempts).where(
            renditions.c.id.in_([job.id for job in jobs]), renditions.c.status == "running"
        )
        if uow.database.is_postgresql:
            query = query.with_for_update()
        attempts = dict(uow.session.execute(query).all())
        return {job.id for job in jobs if attempts.get(job.id) == job.attempts}

    @staticmethod
    def _pdfa_state(uow, job: Job):
        return uow.session.execute(
            select(renditions.c.status, renditions.c.sha256, renditions.c.reason).where(
                renditions.c.document_id == job.document_id,
                renditions.c.version_number == job.version_number,
                renditions.c.kind == "pdfa",
            )
        ).mappings().one_or_none()

    @staticmethod
    def _row(uow, job: Job, kind: str):
        return uow.session.execute(
            select(renditions.c.id, renditions.c.status).where(
                renditions.c.document_id == job.document_id,
                renditions.c.version_number == job.version_number,
                renditions.c.kind == kind,
            )
        ).mappings().one_or_none()

    @staticmethod
    def _set(uow, rendition_id: str, now: datetime, **values) -> None:
        values.setdefault("claimed_until", None)
        uow.session.execute(update(renditions).where(renditions.c.id == rendition_id).values(updated_at=now, **values))

    def _fetch(self, tenant_id: str, sha256: str, path: Path) -> Path:
        with self.blobs.open(tenant_id, sha256) as source, path.open("wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
        return path


def _job_context(job: Job) -> AbstractContextManager[context.MessageContext]:
    """Work on a rendition carries the correlation of the upload that planned it."""
    return context.bound(context.MessageContext(correlation_id=job.correlation_id or context.new_correlation_id()))


def rendition_loop(service, stop: threading.Event) -> None:
    """The docstore's background loop (see akta.service.BackgroundLoop)."""
    service.renditions.run(stop)
