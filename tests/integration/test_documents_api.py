"""Documents over HTTP with identity, cases and docstore running together, on SQLite and
PostgreSQL: uploads streamed and sniffed, versions, downloads audited, renditions made by the
worker, search filtered by grants, and every kind of bad input answered with a clear 4xx."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from akta.bus.tables import outbox_table
from akta.contracts import Envelope
from akta.contracts.docstore import DocumentTextExtracted, DocumentVersionStored
from akta_docstore.adapters.orm import renditions
from akta_docstore.service_layer import event_handlers
from tests.support.samples import DANISH, docx_file, encrypted_pdf, image, pdf, png_claiming_size, scanned_pdf
from tests.support.stack import Stack

API = "/api/docstore"
LIMIT = 2 * 1024 * 1024


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request, tmp_path, bus_namespace, tokens):
    database_url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    built = Stack.build(
        tmp_path, database_url, "memory://", bus_namespace, tokens,
        docstore={"max_upload_bytes": LIMIT, "rendition_idle_seconds": 0.05, "rendition_retry_seconds": 0.1},
    )
    yield built
    built.shutdown()


class School:
    """An organisation with a pupil case Anna may write in; Bob may only read it."""

    def __init__(self, stack: Stack, slug: str = "skolen") -> None:
        self.stack, self.slug = stack, slug
        self.tenant_id = stack.organisation(slug)
        self.admin = stack.sign_in(slug, "admin")
        self.group = stack.admin_post(self.admin, "/access-groups", {"name": "Elevsager"})["id"]
        anna = stack.user(self.admin, "anna")
        stack.grant(self.admin, anna, "access_group", self.group)
        stack.grant(self.admin, anna, "screening_code", "pupil")
        bob = stack.user(self.admin, "bob")
        stack.grant(self.admin, bob, "access_group", self.group, "read")
        stack.user(self.admin, "eve")
        stack.settled()
        self.anna, self.bob, self.eve = (stack.sign_in(slug, name) for name in ("anna", "bob", "eve"))
        template = stack.client.post("/api/cases/templates", json={"name": "Elevsag", "access_group_id": self.group}, headers=self.admin)
        assert template.status_code == 201, template.get_data(as_text=True)
        case = stack.client.post(
            "/api/cases/cases", json={"template_id": template.json["id"], "title": "Skoleskift for Søren"}, headers=self.anna
        )
        assert case.status_code == 201, case.get_data(as_text=True)
        self.case_id, self.case_number = case.json["id"], case.json["number"]
        stack.settled()

    def upload(self, path: Path, name: str | None = None, headers=None, **fields):
        form = {"title": "Ansøgning", "document_type": "application", "case_id": self.case_id, **fields}
        with path.open("rb") as stream:
            form["file"] = (stream, name or path.name)
            return self.stack.client.post(f"{API}/documents", data=form, headers=headers or self.anna, content_type="multipart/form-data")

    def text_of(self, document_id: str, timeout: float = 90.0) -> dict:
        """Wait until the current version's text rendition is done or failed; the document."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.stack.settled()
            document = self.stack.client.get(f"{API}/documents/{document_id}", headers=self.anna).json
            text = [r for r in document["renditions"] if r["kind"] == "text" and r["version_number"] == document["current_version"]]
            if text and text[0]["status"] in ("done", "failed"):
                self.stack.settled()
                return document
            time.sleep(0.1)
        raise AssertionError(f"no text rendition for {document_id}: {document['renditions']}")

    def search(self, headers=None, **params):
        response = self.stack.client.get(f"{API}/search", query_string=params, headers=headers or self.anna)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json


def test_an_uploaded_pdf_is_stored_versioned_downloadable_and_found(stack, tmp_path):
    school = School(stack)
    source = pdf(tmp_path / "ansøgning.pdf", "Ansøgning om skoleskift til Nordskolen fra august")
    created = school.upload(source)
    assert created.status_code == 201, created.get_data(as_text=True)
    document = created.json
    assert created.headers["Location"].endswith(f"/documents/{document['id']}")
    assert (document["case_id"], document["case_number"], document["access_group_id"]) == (school.case_id, school.case_number, school.group)
    [version] = document["versions"]
    assert (version["number"], version["format"], version["filename"], version["size"]) == (1, "pdf", "ansøgning.pdf", source.stat().st_size)

    download = stack.client.get(f"{API}/documents/{document['id']}/content", headers=school.bob)
    assert download.status_code == 200 and download.data == source.read_bytes()
    assert download.headers["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''ans%C3%B8gning.pdf" in download.headers["Content-Disposition"]
    assert download.headers["ETag"].strip('"') == version["sha256"]

    document = school.text_of(document["id"])
    # A new version, sent as the raw body with its name in Content-Disposition.
    second = docx_file(tmp_path / "svar.docx")
    uploaded = stack.client.post(
        f"{API}/documents/{document['id']}/versions", data=second.read_bytes(),
        headers={**school.anna, "Content-Type": "application/octet-stream",
                 "Content-Disposition": f"attachment; filename*=UTF-8''{quote('søknad.docx')}", "If-Match": f'"{document["version"]}"'},
    )
    assert uploaded.status_code == 201, uploaded.get_data(as_text=True)
    assert [(v["number"], v["format"], v["filename"]) for v in uploaded.json["versions"]] == [(1, "pdf", "ansøgning.pdf"), (2, "docx", "søknad.docx")]
    assert stack.client.get(f"{API}/documents/{document['id']}/versions/1/content", headers=school.anna).data == source.read_bytes()
    assert stack.client.get(f"{API}/documents/{document['id']}/content", headers=school.anna).data == second.read_bytes()
    # The same upload retried with the ETag it was sent with makes no third version.
    retried = stack.client.post(
        f"{API}/documents/{document['id']}/versions?filename=svar.docx", data=second.read_bytes(),
        headers={**school.anna, "Content-Type": "application/octet-stream", "If-Match": f'"{document["version"]}"'},
    )
    assert retried.status_code == 412

    done = school.text_of(document["id"])
    kinds = {(r["version_number"], r["kind"]): r["status"] for r in done["renditions"]}
    assert kinds[(2, "text")] == "done"
    text = stack.client.get(f"{API}/documents/{document['id']}/renditions/text", headers=school.anna)
    assert text.status_code == 200 and text.data.decode().strip()
    first_text = stack.client.get(f"{API}/documents/{document['id']}/versions/1/renditions/text", headers=school.anna)
    assert "skoleskift" in first_text.data.decode()

    with stack.services["docstore"].database.session() as session:
        audited = [row.event_type for row in session.execute(select(outbox_table.c.event_type))]
    assert "docstore.audit.recorded.v1" in audited and "docstore.document.version.stored.v1" in audited


def test_text_pdfs_become_searchable_with_highlights_filtered_by_grants(stack, tmp_path):
    school = School(stack)
    created = school.upload(pdf(tmp_path / "a.pdf", "Ansøgning om skoleskift for Søren Ærø fra 3. klasse"), title="Skoleskift")
    other = school.upload(pdf(tmp_path / "b.pdf", "Referat fra forældremøde om lejrskole"), title="Referat", document_type="minutes")
    for response in (created, other):
        assert response.status_code == 201, response.get_data(as_text=True)
        school.text_of(response.json["id"])

    found = school.search(q="skoleskiftet", kind="document")
    assert [hit["id"] for hit in found["hits"]] == [created.json["id"]]
    assert "<mark>" in found["hits"][0]["snippet"]
    assert found["hits"][0]["case_number"] == school.case_number
    assert dict((f["value"], f["count"]) for f in school.search(q="", kind="document")["facets"]["document_type"]) == {
        "application": 1, "minutes": 1,
    }
    assert school.search(q="lejrskole", document_type="application")["total"] == 0
    assert school.search(headers=school.bob, q="skoleskift", kind="document")["total"] == 1
    nothing = school.search(headers=school.eve, q="skoleskift")
    assert (nothing["total"], nothing["hits"]) == (0, [])
    assert all(facet["count"] == 0 for values in nothing["facets"].values() for facet in values)

    other_school = School(stack, "andenskole")
    # The other school has a case of the same name, and none of our documents.
    assert [hit["kind"] for hit in school.search(headers=other_school.anna, q="skoleskift")["hits"]] == ["case"]

    export = stack.client.get(f"{API}/search.csv", query_string={"q": "skoleskift"}, headers=school.anna)
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert {row["id"] for row in rows} >= {created.json["id"]}

    saved = stack.client.post(
        f"{API}/saved-searches", json={"name": "Skoleskift", "criteria": {"q": "skoleskift", "kind": ["document"]}, "shared": True},
        headers=school.anna,
    )
    assert saved.status_code == 201, saved.get_data(as_text=True)
    run = stack.client.get(f"{API}/saved-searches/{saved.json['id']}/results", headers=school.bob)
    assert [hit["id"] for hit in run.json["hits"]] == [created.json["id"]]
    assert stack.client.put(f"{API}/saved-searches/{saved.json['id']}", json={"name": "x", "criteria": {}}, headers=school.bob).status_code == 403


def test_scanned_pdfs_get_their_text_from_ocr(stack, tmp_path):
    school = School(stack)
    created = school.upload(scanned_pdf(tmp_path / "scan.pdf", lines=DANISH), title="Indscannet brev")
    assert created.status_code == 201, created.get_data(as_text=True)
    document = school.text_of(created.json["id"], timeout=180)
    states = {r["kind"]: (r["status"], r["source"]) for r in document["renditions"]}
    assert states["text"] == ("done", "ocr") and states["ocr"][0] == "done"
    searchable = stack.client.get(f"{API}/documents/{document['id']}/renditions/ocr", headers=school.anna)
    assert searchable.status_code == 200 and searchable.data.startswith(b"%PDF")
    text = stack.client.get(f"{API}/documents/{document['id']}/renditions/text", headers=school.anna).get_data(as_text=True)
    assert "skoleskift" in text.lower()
    assert [hit["id"] for hit in school.search(q="skoleskift", kind="document")["hits"]] == [document["id"]]


def test_access_is_the_cases_and_writes_need_write(stack, tmp_path):
    school = School(stack)
    created = school.upload(pdf(tmp_path / "a.pdf", "Hemmeligt"))
    document_id = created.json["id"]
    assert stack.client.get(f"{API}/documents/{document_id}", headers=school.eve).status_code == 404
    assert stack.client.get(f"{API}/documents/{document_id}/content", headers=school.eve).status_code == 404
    assert stack.client.get(f"{API}/documents", headers=school.eve).json["total"] == 0
    assert stack.client.get(f"{API}/documents", headers=school.bob).json["total"] == 1
    assert school.upload(pdf(tmp_path / "b.pdf", "x"), headers=school.bob).status_code == 403
    assert stack.client.patch(f"{API}/documents/{document_id}", json={"title": "Nyt"}, headers=school.bob).status_code == 403
    assert school.upload(pdf(tmp_path / "c.pdf", "x"), headers=school.eve).status_code == 422  # no such case for Eve
    commented = stack.client.post(f"{API}/documents/{document_id}/comments", json={"text": "Set"}, headers=school.bob)
    assert commented.status_code == 201
    assert stack.client.get(f"{API}/documents/{document_id}/comments", headers=school.anna).json["items"][0]["text"] == "Set"


def test_final_documents_keep_their_content(stack, tmp_path):
    school = School(stack)
    document = school.upload(pdf(tmp_path / "a.pdf", "Afgørelse")).json
    final = stack.client.patch(
        f"{API}/documents/{document['id']}", json={"status": "final"}, headers={**school.anna, "If-Match": f'"{document["version"]}"'}
    )
    assert final.status_code == 200 and final.json["status"] == "final"
    again = stack.client.post(
        f"{API}/documents/{document['id']}/versions?filename=a.pdf", data=b"%PDF-1.4 whatever",
        headers={**school.anna, "Content-Type": "application/octet-stream"},
    )
    assert again.status_code in (409, 422)
    stale = stack.client.patch(f"{API}/documents/{document['id']}", json={"title": "x"}, headers={**school.anna, "If-Match": '"1"'})
    assert stale.status_code == 412


def test_bad_uploads_are_refused_clearly_and_nothing_is_stored(stack, tmp_path):
    school = School(stack)
    empty = tmp_path / "tom.pdf"
    empty.write_bytes(b"")
    png = image(tmp_path / "billede.png", "PNG")
    corrupt = tmp_path / "ødelagt.pdf"
    corrupt.write_bytes(pdf(tmp_path / "x.pdf", "Hej").read_bytes()[:200])
    gif = tmp_path / "anim.gif"
    gif.write_bytes(b"GIF89a" + b"\x00" * 100)
    cases = [
        (school.upload(empty), "file", "empty_file"),
        (school.upload(png, name="rapport.pdf"), "file", "extension_mismatch"),
        (school.upload(corrupt), "file", "corrupt_file"),
        (school.upload(encrypted_pdf(tmp_path / "låst.pdf", "hemmelig")), "file", "encrypted_file"),
        (school.upload(gif), "file", "unsupported_format"),
        (school.upload(png_claiming_size(tmp_path / "bomb.png", 100_000, 100_000)), "file", "decompression_bomb"),
        (school.upload(png, name="../../etc/passwd.png"), "filename", "invalid_filename"),
        (school.upload(png, name="brev\x07.png"), "filename", "invalid_filename"),
        (school.upload(png, name="a" * 296 + ".png"), "filename", "invalid_filename"),
    ]
    for response, field, code in cases:
        assert response.status_code == 422, (code, response.status_code, response.get_data(as_text=True))
        assert response.headers["Content-Type"].startswith("application/problem+json")
        problem = response.json
        assert problem["code"] == code and problem["errors"][0]["field"] == field, problem

    big = tmp_path / "stor.txt"
    big.write_bytes(b"a" * (LIMIT + 1))
    too_large = school.upload(big)
    assert too_large.status_code == 413 and too_large.headers["Content-Type"].startswith("application/problem+json")
    raw_too_large = stack.client.post(
        f"{API}/documents", data=b"x", headers={**school.anna, "Content-Type": "text/plain"},
    )
    assert raw_too_large.status_code == 422  # metadata must come as JSON or form fields

    chosen = stack.client.put(f"{API}/settings/formats", json={"allowed_formats": ["pdf"]}, headers=school.admin)
    assert chosen.status_code == 200, chosen.get_data(as_text=True)
    refused = school.upload(png)
    assert refused.status_code == 422 and refused.json["code"] == "format_not_allowed"
    assert stack.client.put(f"{API}/settings/formats", json={"allowed_formats": ["exe"]}, headers=school.admin).status_code == 422
    assert stack.client.put(f"{API}/settings/formats", json={"allowed_formats": ["png"]}, headers=school.anna).status_code == 403

    assert stack.client.get(f"{API}/documents", headers=school.anna).json["total"] == 0
    assert list(stack.services["docstore"].blobs.iter_blobs(school.tenant_id)) == []


@pytest.fixture
def stack_without_converters(tmp_path, bus_namespace, tokens):
    """Docstore finding no conversion programs (as when LibreOffice is not installed)."""
    empty = tmp_path / "no-programs"
    empty.mkdir()
    built = Stack.build(
        tmp_path, None, "memory://", bus_namespace, tokens,
        docstore={
            "converter_path": str(empty), "rendition_idle_seconds": 0.05, "rendition_retry_seconds": 0.05,
            "rendition_max_attempts": 2,
        },
    )
    yield built
    built.shutdown()


def test_a_failed_rendition_is_retried_then_marked_failed_and_the_original_stays(stack_without_converters, tmp_path):
    stack = stack_without_converters
    school = School(stack)
    source = docx_file(tmp_path / "referat.docx")
    document_id = school.upload(source).json["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        renditions = {r["kind"]: r for r in stack.client.get(f"{API}/documents/{document_id}", headers=school.anna).json["renditions"]}
        if renditions.get("pdfa", {}).get("status") == "failed" and renditions.get("preview", {}).get("status") == "failed":
            break
        time.sleep(0.1)
    assert renditions["pdfa"]["attempts"] == 2 and "LibreOffice is not installed" in renditions["pdfa"]["reason"]
    assert "no PDF/A rendition" in renditions["preview"]["reason"]
    assert renditions["text"]["status"] == "done"  # text comes from the file itself, not a program
    missing = stack.client.get(f"{API}/documents/{document_id}/renditions/pdfa", headers=school.anna)
    assert missing.status_code == 404 and "LibreOffice" in missing.json["detail"]
    assert stack.client.get(f"{API}/documents/{document_id}/content", headers=school.anna).data == source.read_bytes()
    stack.settled()
    with stack.services["docstore"].database.session() as session:
        failures = [
            json.loads(row.body)["data"] for row in session.execute(select(outbox_table.c.body).where(
                outbox_table.c.event_type == "docstore.rendition.failed.v1"))
        ]
    pdfa_failures = [(f["attempts"], f["final"]) for f in failures if f["kind"] == "pdfa"]
    assert pdfa_failures == [(1, False), (2, True)]
    from prometheus_client import REGISTRY

    assert REGISTRY.get_sample_value("akta_docstore_renditions_total", {"kind": "pdfa", "outcome": "failed"}) >= 2


def test_reindex_rebuilds_the_index_and_fixity_finds_changed_bytes(stack, tmp_path):
    from akta_docstore.service_layer import maintenance

    school = School(stack)
    document_id = school.upload(pdf(tmp_path / "a.pdf", "Bevilling af befordring til Nordskolen")).json["id"]
    school.text_of(document_id)
    docstore = stack.services["docstore"]
    assert school.search(q="befordring")["total"] == 1
    docstore.search.clear(school.tenant_id)
    assert school.search(q="befordring")["total"] == 0
    cases, documents = maintenance.reindex(docstore, school.tenant_id)
    assert (cases, documents) == (1, 1)
    found = school.search(q="befordring")
    assert [hit["id"] for hit in found["hits"]] == [document_id] and "<mark>" in found["hits"][0]["snippet"]

    report = maintenance.check_fixity(docstore, school.tenant_id)
    assert report.checked >= 2 and not report.mismatched and not report.missing  # the PDF and its renditions
    version = stack.client.get(f"{API}/documents/{document_id}", headers=school.anna).json["versions"][0]
    [stored] = [path for path in (tmp_path / "blobs").rglob(version["sha256"])]
    stored.chmod(0o600)
    stored.write_bytes(b"tampered")
    report = maintenance.check_fixity(docstore, school.tenant_id)
    assert [problem.expected.sha256 for problem in report.mismatched] == [version["sha256"]]


def _envelope(event, tenant_id: str) -> tuple:
    return event, Envelope.wrap(event, tenant=tenant_id, actor="system", correlation_id="batch-test")


def test_the_worker_indexes_a_batch_of_events_one_entry_per_document(stack, tmp_path):
    school = School(stack)
    docstore = stack.services["docstore"]
    uploaded = [school.upload(pdf(tmp_path / f"{n}.pdf", f"Referat nummer {n} fra forældremødet om lejrskolen i Svendborg"), title=f"Referat {n}") for n in range(3)]
    ids = [response.json["id"] for response in uploaded]
    for document_id in ids:
        school.text_of(document_id)
    stack.settled()
    assert school.search(q="lejrskolen", kind="document")["total"] == 3
    with docstore.unit_of_work() as uow:
        docstore.search.delete(school.tenant_id, "document", ids, session=uow.session)
        uow.commit()
    assert school.search(q="lejrskolen", kind="document")["total"] == 0

    text_of_first = DocumentTextExtracted(document_id=ids[0], version_number=1, source="text_layer", characters=40)
    batch = [
        _envelope(text_of_first, school.tenant_id),
        _envelope(DocumentTextExtracted(document_id=ids[1], version_number=1, source="text_layer", characters=40), school.tenant_id),
        _envelope(text_of_first, school.tenant_id),
        _envelope(DocumentTextExtracted(document_id="no-such-document", version_number=1, source="text_layer", characters=1), school.tenant_id),
        _envelope(DocumentTextExtracted(document_id=ids[2], version_number=1, source="text_layer", characters=40), "another-tenant"),
    ]
    with docstore.unit_of_work() as uow:
        event_handlers.index_documents(batch, uow)
        uow.commit()

    found = school.search(q="lejrskolen", kind="document")
    assert sorted(hit["id"] for hit in found["hits"]) == sorted(ids[:2]), "the third belongs to its own tenant only"
    assert all("<mark>" in hit["snippet"] for hit in found["hits"]), "entries carry the text rendition"
    assert {hit["case_number"] for hit in found["hits"]} == {school.case_number}


def test_the_worker_plans_a_batch_of_versions_each_rendition_once(stack, tmp_path):
    school = School(stack)
    docstore = stack.services["docstore"]
    document_id = school.upload(pdf(tmp_path / "a.pdf", "Ansøgning om skoleskift for Søren Ærø fra 3. klasse")).json["id"]
    stack.settled()

    def stored(version_number: int, format_name: str):
        return _envelope(
            DocumentVersionStored(document_id=document_id, version_number=version_number, sha256="0" * 64, size=1,
                                  format=format_name, mime_type="application/octet-stream", filename="x"),
            school.tenant_id,
        )

    with docstore.unit_of_work() as uow:
        event_handlers.plan_renditions([stored(1, "pdf"), stored(2, "docx"), stored(2, "docx"), stored(3, "txt")], uow)
        uow.commit()
    with docstore.database.session() as session:
        planned = sorted(
            (number, kind) for number, kind in session.execute(
                select(renditions.c.version_number, renditions.c.kind).where(renditions.c.document_id == document_id)
            )
        )
    assert planned == [(1, "preview"), (1, "text"), (2, "pdfa"), (2, "preview"), (2, "text"), (3, "text")]


def test_the_answer_to_a_create_is_what_reading_the_document_shows(stack, tmp_path):
    """The 201 is built from the unit of work's rows, not read back: it must match a read."""
    school = School(stack)
    created = school.upload(pdf(tmp_path / "svar.pdf", "Svar på ansøgning om skoleskift for Søren Ærø"), category="incoming")
    empty = stack.client.post(
        f"{API}/documents", json={"title": "Notat", "document_type": "note", "case_id": school.case_id}, headers=school.anna
    )
    for response in (created, empty):
        assert response.status_code == 201, response.get_data(as_text=True)
        read = stack.client.get(f"{API}/documents/{response.json['id']}", headers=school.anna)
        assert read.headers["ETag"] == response.headers["ETag"]
        answered, shown = dict(response.json), dict(read.json)
        assert answered.pop("renditions") == []
        shown.pop("renditions")  # the worker may have planned them meanwhile
        assert answered == shown
    assert len(created.json["versions"]) == 1 and created.json["case_number"] == school.case_number


def test_the_installations_content_limits_are_the_ones_uploads_meet(tmp_path, bus_namespace, tokens):
    strict = Stack.build(
        tmp_path, None, "memory://", bus_namespace, tokens,
        docstore={"content_max_image_pixels": 1_000_000, "content_max_image_frames": 2, "rendition_idle_seconds": 0.05},
    )
    try:
        school = School(strict)
        assert school.upload(image(tmp_path / "small.png", "PNG", size=(900, 1000))).status_code == 201
        too_many_pixels = school.upload(png_claiming_size(tmp_path / "big.png", 1001, 1000))
        too_many_pages = school.upload(image(tmp_path / "scan.tiff", "TIFF", pages=3))
        for refused in (too_many_pixels, too_many_pages):
            assert refused.status_code == 422, refused.get_data(as_text=True)
            assert refused.json["code"] == "decompression_bomb"
        assert "1 million" in too_many_pixels.json["detail"] and "2" in too_many_pages.json["detail"]
    finally:
        strict.shutdown()
