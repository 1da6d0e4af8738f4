"""The first flow as a caseworker's client sees it, the same in both modes."""

from __future__ import annotations

import time
import uuid

import httpx


def sign_in(base_url: str, organisation: str, username: str, password: str) -> dict[str, str]:
    response = httpx.post(
        f"{base_url}/api/identity/token",
        json={"organisation": organisation, "username": username, "password": password},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def grant_myself_an_access_group(api: str, administrator: dict[str, str], name: str) -> str:
    """As an administrator: create an access group and give yourself write on it."""
    me = httpx.get(f"{api}/identity/me", headers=administrator).json()
    created = httpx.post(f"{api}/identity/access-groups", json={"name": name}, headers=administrator)
    assert created.status_code == 201, created.text
    access_group_id = created.json()["id"]
    grant = {"grantee_kind": "user", "grantee_id": me["subject_id"], "scope_kind": "access_group", "scope_id": access_group_id, "permission": "write"}
    assert httpx.post(f"{api}/identity/grants", json=grant, headers=administrator).status_code == 201
    return access_group_id


def post_when_granted(url: str, body: dict, headers: dict[str, str], timeout: float = 15.0) -> httpx.Response:
    """POST, retrying while the service has not yet received the caller's organisation (401) or
    new grant (403) from identity over the bus."""
    deadline = time.monotonic() + timeout
    while (response := httpx.post(url, json=body, headers=headers)).status_code in (401, 403) and time.monotonic() < deadline:
        time.sleep(0.1)
    return response


def first_flow(base_url: str, caseworker: dict[str, str], outsider: dict[str, str]) -> str:
    """Create, read, change, list a case; wait for its retention entry. Returns the correlation id.
    The caseworker is also an administrator and grants themself an access group first."""
    api = f"{base_url}/api"
    correlation_id = f"e2e-{uuid.uuid4()}"
    access_group_id = grant_myself_an_access_group(api, caseworker, f"E2E {uuid.uuid4().hex[:6]}")
    template = post_when_granted(
        f"{api}/cases/templates",
        {"name": f"Elevsag {uuid.uuid4().hex[:6]}", "access_group_id": access_group_id,
         "fields": [{"key": "klasse", "label": "Klasse", "type": "text", "required": True}]},
        caseworker,
    )
    assert template.status_code == 201, template.text
    template_id = template.json()["id"]

    created = post_when_granted(
        f"{api}/cases/cases",
        {"template_id": template_id, "title": "Elevsag: Emil Hansen, 3.B", "metadata": {"klasse": "3.B"}},
        {**caseworker, "X-Correlation-ID": correlation_id},
    )
    assert created.status_code == 201, created.text
    case = created.json()
    assert created.headers["X-Correlation-ID"] == correlation_id
    assert created.headers["Location"].endswith(f"/cases/{case['id']}")
    assert case["status"] == "open" and "/" in case["number"]
    assert case["access_group_id"] == access_group_id and case["metadata"] == {"klasse": "3.B"}

    read = httpx.get(f"{api}/cases/cases/{case['id']}", headers=caseworker)
    assert read.status_code == 200 and read.json()["title"] == "Elevsag: Emil Hansen, 3.B"
    etag = read.headers["ETag"]

    changed = httpx.post(f"{api}/cases/cases/{case['id']}/close", json={"reason": "done"}, headers={**caseworker, "If-Match": etag})
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "closed" and changed.headers["ETag"] != etag
    stale = httpx.patch(
        f"{api}/cases/cases/{case['id']}", json={"title": "Lost update"}, headers={**caseworker, "If-Match": etag}
    )
    assert _problem(stale, 412)["current_version"] == 2

    page = httpx.get(f"{api}/cases/cases", params={"page_size": 1, "status": "closed"}, headers=caseworker).json()
    assert page["total"] >= 1 and len(page["items"]) == 1 and page["page_size"] == 1

    entries = _wait_for_entries(api, caseworker, case["id"])
    assert entries[0]["item_reference"] == case["number"]

    # Another organisation sees nothing of it, anywhere.
    _problem(httpx.get(f"{api}/cases/cases/{case['id']}", headers=outsider), 404)
    assert httpx.get(f"{api}/cases/cases", headers=outsider).json()["total"] == 0
    assert httpx.get(f"{api}/retention/entries", params={"item_id": case["id"]}, headers=outsider).json()["total"] == 0
    _problem(httpx.patch(f"{api}/cases/cases/{case['id']}", json={"title": "x"}, headers=outsider), 404)

    # Bad input gets a clear answer and changes nothing.
    body = _problem(httpx.post(f"{api}/cases/cases", json={"template_id": template_id, "title": ""}, headers=caseworker), 422)
    assert body["errors"][0]["field"] == "title"
    body = _problem(httpx.post(f"{api}/cases/cases", json={"template_id": template_id, "title": "x", "metadata": {"klasse": 3}}, headers=caseworker), 422)
    assert body["errors"][0]["field"] == "metadata.klasse"
    body = _problem(httpx.post(f"{api}/cases/cases", json={"template_id": template_id, "title": "x", "metadata": {"shoe_size": "42"}}, headers=caseworker), 422)
    assert body["errors"][0]["field"] == "metadata.shoe_size"
    _problem(httpx.post(f"{api}/cases/cases", content=b"{oops", headers={**caseworker, "Content-Type": "application/json"}), 400)
    _problem(httpx.post(f"{api}/cases/cases", content=b"title=x", headers={**caseworker, "Content-Type": "text/plain"}), 415)
    _problem(httpx.get(f"{api}/cases/cases"), 401)
    _problem(httpx.get(f"{api}/cases/cases", headers={"Authorization": "Bearer forged.token.value"}), 401)
    assert httpx.get(f"{api}/cases/cases/{case['id']}", headers=caseworker).json()["status"] == "closed"

    for service in ("cases", "retention", "identity"):
        document = httpx.get(f"{api}/{service}/openapi.json").json()
        assert document["openapi"].startswith("3.1")
        assert httpx.get(f"{api}/{service}/readyz").status_code == 200
    return correlation_id


def _wait_for_entries(api: str, headers: dict[str, str], case_id: str, timeout: float = 20.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = httpx.get(f"{api}/retention/entries", params={"item_id": case_id}, headers=headers).json()["items"]
        if items:
            return items
        time.sleep(0.1)
    raise AssertionError(f"no retention entry for case {case_id} within {timeout}s")
