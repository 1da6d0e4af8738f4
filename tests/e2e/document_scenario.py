"""The document flow as a caseworker's client sees it, the same in both modes: a case, a text PDF
uploaded to it, downloaded unchanged, found by search once its text is extracted and indexed;
hidden from another organisation; bad uploads refused."""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.e2e.scenario import grant_myself_an_access_group, post_when_granted
from tests.support.samples import image, pdf

PAGES = (
    "Ansøgning om skoleskift for Søren Ærø fra 3.B på Søndervangskolen til Nordskolen fra 1. august.",
    "Forældrene begrunder ønsket med den lange skolevej. Skolelederen anbefaler skoleskiftet.",
)
SEARCH_WORD = "skolevejen"  # stemmed like "skolevej", only in the PDF's text (not in its title)


@dataclass(frozen=True)
class Uploaded:
    correlation_id: str  # sent with the upload
    sha256: str  # of the uploaded PDF


def _problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def _upload(api: str, headers: dict[str, str], path: Path, name: str, fields: dict[str, str]) -> httpx.Response:
    with path.open("rb") as stream:
        return httpx.post(f"{api}/docstore/documents", data=fields, files={"file": (name, stream)}, headers=headers, timeout=30)


def _upload_when_granted(api: str, headers: dict[str, str], path: Path, fields: dict[str, str], timeout: float = 15.0) -> httpx.Response:
    """Upload, retrying while docstore has not yet received the caller's organisation (401) or
    grant (403) from identity over the bus."""
    deadline = time.monotonic() + timeout
    while (response := _upload(api, headers, path, path.name, fields)).status_code in (401, 403) and time.monotonic() < deadline:
        time.sleep(0.1)
    return response


def _get_when_known(url: str, headers: dict[str, str], timeout: float = 15.0, **params) -> httpx.Response:
    """GET, retrying while docstore does not know the caller's organisation yet (401)."""
    deadline = time.monotonic() + timeout
    while (response := httpx.get(url, params=params, headers=headers)).status_code == 401 and time.monotonic() < deadline:
        time.sleep(0.1)
    return response


def _wait_until_found(api: str, headers: dict[str, str], document_id: str, timeout: float = 30.0) -> dict:
    """Search until the document is a hit (its text extracted and indexed); that hit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = httpx.get(f"{api}/docstore/search", params={"q": SEARCH_WORD, "kind": "document"}, headers=headers)
        assert found.status_code == 200, found.text
        hits = [hit for hit in found.json()["hits"] if hit["id"] == document_id]
        if hits:
            return hits[0]
        time.sleep(0.2)
    document = httpx.get(f"{api}/docstore/documents/{document_id}", headers=headers).json()
    raise AssertionError(f"{document_id} not found by {SEARCH_WORD!r} within {timeout}s; renditions: {document.get('renditions')}")


def document_flow(base_url: str, caseworker: dict[str, str], outsider: dict[str, str], work_dir: Path) -> Uploaded:
    """Upload, download, search, isolation and bad input.
    The caseworker is also an administrator and grants themself an access group first."""
    api = f"{base_url}/api"
    correlation_id = f"e2e-doc-{uuid.uuid4()}"
    access_group_id = grant_myself_an_access_group(api, caseworker, f"Dokumenter {uuid.uuid4().hex[:6]}")
    template = post_when_granted(
        f"{api}/cases/templates", {"name": f"Elevsag {uuid.uuid4().hex[:6]}", "access_group_id": access_group_id}, caseworker
    )
    assert template.status_code == 201, template.text
    created_case = post_when_granted(
        f"{api}/cases/cases", {"template_id": template.json()["id"], "title": "Skoleskift for Søren Ærø"}, caseworker
    )
    assert created_case.status_code == 201, created_case.text
    case = created_case.json()

    source = pdf(work_dir / "ansøgning.pdf", *PAGES)
    content = source.read_bytes()
    fields = {"title": "Ansøgning om skoleskift", "document_type": "application", "case_id": case["id"]}
    uploaded = _upload_when_granted(api, {**caseworker, "X-Correlation-ID": correlation_id}, source, fields)
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.headers["X-Correlation-ID"] == correlation_id
    document = uploaded.json()
    assert uploaded.headers["Location"].endswith(f"/documents/{document['id']}")
    assert (document["case_id"], document["case_number"], document["access_group_id"]) == (case["id"], case["number"], access_group_id)
    [version] = document["versions"]
    assert (version["number"], version["format"], version["filename"]) == (1, "pdf", "ansøgning.pdf")
    assert (version["size"], version["sha256"]) == (len(content), hashlib.sha256(content).hexdigest())

    download = httpx.get(f"{api}/docstore/documents/{document['id']}/content", headers=caseworker)
    assert download.status_code == 200, download.text
    assert download.content == content
    assert download.headers["Content-Type"] == "application/pdf"

    hit = _wait_until_found(api, caseworker, document["id"])
    assert "<mark>" in hit["snippet"], hit
    assert (hit["kind"], hit["title"], hit["case_number"]) == ("document", "Ansøgning om skoleskift", case["number"])
    read = httpx.get(f"{api}/docstore/documents/{document['id']}", headers=caseworker).json()
    [text] = [r for r in read["renditions"] if r["kind"] == "text"]
    assert (text["status"], text["source"]) == ("done", "text_layer")
    extracted = httpx.get(f"{api}/docstore/documents/{document['id']}/renditions/text", headers=caseworker)
    assert extracted.status_code == 200 and "lange skolevej" in extracted.text

    # Another organisation sees nothing of it, anywhere.
    nothing = _get_when_known(f"{api}/docstore/search", outsider, q=SEARCH_WORD)
    assert nothing.status_code == 200, nothing.text
    assert (nothing.json()["total"], nothing.json()["hits"]) == (0, [])
    _problem(httpx.get(f"{api}/docstore/documents/{document['id']}", headers=outsider), 404)
    _problem(httpx.get(f"{api}/docstore/documents/{document['id']}/content", headers=outsider), 404)
    assert httpx.get(f"{api}/docstore/documents", headers=outsider).json()["total"] == 0

    # Bad uploads get a clear answer naming the field, and store nothing.
    empty = work_dir / "tom.pdf"
    empty.write_bytes(b"")
    png = image(work_dir / "billede.png", "PNG")
    for path, name, code in ((empty, "tom.pdf", "empty_file"), (png, "rapport.pdf", "extension_mismatch")):
        problem = _problem(_upload(api, caseworker, path, name, fields), 422)
        assert (problem["code"], problem["errors"][0]["field"]) == (code, "file"), problem
    listed = httpx.get(f"{api}/docstore/documents", params={"case_id": case["id"]}, headers=caseworker).json()
    assert [item["id"] for item in listed["items"]] == [document["id"]]
    assert httpx.get(f"{api}/docstore/readyz").status_code == 200
    return Uploaded(correlation_id, version["sha256"])
