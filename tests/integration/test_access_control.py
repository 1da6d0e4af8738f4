"""Issue 3's access rules through every endpoint that exists, on both engines and buses:
no grant, no sight; other tenants invisible; expiry and revocation take effect at once;
credentials that are forged, expired, unknown or revoked are refused."""

import base64
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from akta.auth.tokens import ALGORITHM, AUDIENCE, ISSUER
from tests.support.stack import PASSWORD


@pytest.fixture
def school(stack):
    """An organisation with an administrator, an access group and a caseworker who may write in it."""
    stack.organisation("skolen")
    admin = stack.sign_in("skolen", "admin")
    access_group = stack.admin_post(admin, "/access-groups", {"name": "Elevsager"})["id"]
    anna = stack.user(admin, "anna")
    stack.grant(admin, anna, "access_group", access_group)
    stack.grant(admin, anna, "screening_code", "pupil")
    stack.settled()
    template = stack.client.post("/api/cases/templates", json={"name": "Elevsag", "access_group_id": access_group}, headers=admin)
    assert template.status_code == 201, template.get_data(as_text=True)
    school = {"admin": admin, "access_group": access_group, "anna": anna, "anna_headers": stack.sign_in("skolen", "anna")}
    _templates[access_group] = template.json["id"]
    return school


_templates: dict[str, str] = {}


def _create_case(stack, headers, access_group, title="Elevsag", screening_code=None) -> dict:
    response = stack.client.post(
        "/api/cases/cases",
        json={"template_id": _templates[access_group], "title": title, "access_group_id": access_group, "screening_code": screening_code},
        headers=headers,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def _sees(stack, headers, case) -> dict:
    """What `headers` can learn of `case` through every endpoint."""
    client = stack.client
    listed = client.get("/api/cases/cases", headers=headers).json
    entries = client.get("/api/retention/entries", query_string={"item_id": case["id"]}, headers=headers).json
    return {
        "get": client.get(f"/api/cases/cases/{case['id']}", headers=headers).status_code,
        "listed": any(item["id"] == case["id"] for item in listed["items"]),
        "counted": listed["total"],
        "retention": entries["total"],
    }


HIDDEN = {"get": 404, "listed": False, "counted": 0, "retention": 0}
VISIBLE = {"get": 200, "listed": True, "counted": 1, "retention": 1}


def test_without_a_grant_nothing_is_visible_or_changeable(stack, school):
    case = _create_case(stack, school["anna_headers"], school["access_group"])
    stack.user(school["admin"], "bo")
    stack.settled()
    bo = stack.sign_in("skolen", "bo")
    assert _sees(stack, school["anna_headers"], case) == VISIBLE
    assert _sees(stack, bo, case) == HIDDEN
    assert stack.client.patch(f"/api/cases/cases/{case['id']}", json={"title": "x"}, headers=bo).status_code == 404
    denied = stack.client.post("/api/cases/cases", json={"template_id": _templates[school["access_group"]], "title": "x"}, headers=bo)
    assert denied.status_code == 403 and denied.mimetype == "application/problem+json"


def test_another_tenants_data_is_never_visible(stack, school):
    case = _create_case(stack, school["anna_headers"], school["access_group"])
    stack.organisation("andenskole")
    other_admin = stack.sign_in("andenskole", "admin")
    # Even a grant naming the first school's access group gives nothing across tenants.
    other_user = stack.user(other_admin, "eve")
    stack.admin_post(other_admin, "/grants", {
        "grantee_kind": "user", "grantee_id": other_user, "scope_kind": "case", "scope_id": case["id"], "permission": "write",
    })
    stack.settled()
    eve = stack.sign_in("andenskole", "eve")
    assert _sees(stack, eve, case) == HIDDEN
    assert stack.client.get("/api/identity/grants", headers=other_admin).json["total"] == 1
    assert stack.client.get("/api/identity/users", headers=other_admin).json["total"] == 2


def test_read_grants_read_and_do_not_write(stack, school):
    case = _create_case(stack, school["anna_headers"], school["access_group"])
    carl = stack.user(school["admin"], "carl")
    stack.grant(school["admin"], carl, "access_group", school["access_group"], "read")
    stack.settled()
    carl_headers = stack.sign_in("skolen", "carl")
    assert _sees(stack, carl_headers, case) == VISIBLE
    refused = stack.client.patch(f"/api/cases/cases/{case['id']}", json={"title": "x"}, headers=carl_headers)
    assert refused.status_code == 403


def test_a_screened_case_needs_its_screening_code_too(stack, school):
    screened = _create_case(stack, school["anna_headers"], school["access_group"], "Elevsag: helbred", "pupil")
    dan = stack.user(school["admin"], "dan")
    stack.grant(school["admin"], dan, "access_group", school["access_group"], "read")
    stack.settled()
    dan_headers = stack.sign_in("skolen", "dan")
    assert _sees(stack, dan_headers, screened) == HIDDEN
    stack.grant(school["admin"], dan, "screening_code", "pupil", "read")
    stack.settled()
    assert _sees(stack, dan_headers, screened) == VISIBLE


def test_a_grant_on_one_case_and_a_grant_through_a_group(stack, school):
    first = _create_case(stack, school["anna_headers"], school["access_group"], "A")
    second = _create_case(stack, school["anna_headers"], school["access_group"], "B")
    emma = stack.user(school["admin"], "emma")
    stack.grant(school["admin"], emma, "case", first["id"], "read")
    stack.settled()
    emma_headers = stack.sign_in("skolen", "emma")
    assert _sees(stack, emma_headers, first)["get"] == 200
    assert _sees(stack, emma_headers, second) == {**HIDDEN, "counted": 1}

    group = stack.admin_post(school["admin"], "/groups", {"name": "Lærere"})["id"]
    stack.grant(school["admin"], group, "access_group", school["access_group"], "read", grantee_kind="group")
    stack.admin_post(school["admin"], f"/groups/{group}/members", {"user_id": emma})
    stack.settled()
    assert _sees(stack, emma_headers, second)["get"] == 200
    assert stack.client.delete(f"/api/identity/groups/{group}/members/{emma}", headers=school["admin"]).status_code == 204
    stack.settled()
    assert _sees(stack, emma_headers, second)["get"] == 404


def test_an_expired_grant_stops_working_at_its_end_without_a_restart(stack, school):
    case = _create_case(stack, school["anna_headers"], school["access_group"])
    consultant = stack.user(school["admin"], "konsulent", roles=("external",))
    ends = datetime.now(UTC) + timedelta(seconds=4)  # room for settling and signing in on a busy machine
    stack.grant(school["admin"], consultant, "access_group", school["access_group"], "read", valid_until=ends.isoformat())
    stack.settled()
    headers = stack.sign_in("skolen", "konsulent")
    assert _sees(stack, headers, case)["get"] == 200
    time.sleep(max(0.0, (ends - datetime.now(UTC)).total_seconds()) + 0.05)
    assert _sees(stack, headers, case) == HIDDEN


def test_a_revoked_grant_and_a_deactivated_user(stack, school):
    case = _create_case(stack, school["anna_headers"], school["access_group"])
    frida = stack.user(school["admin"], "frida")
    grant = stack.grant(school["admin"], frida, "access_group", school["access_group"], "read")
    stack.settled()
    headers = stack.sign_in("skolen", "frida")
    assert _sees(stack, headers, case)["get"] == 200
    stack.admin_post(school["admin"], f"/grants/{grant}/revoke")
    stack.settled()
    assert _sees(stack, headers, case) == HIDDEN
    stack.admin_post(school["admin"], f"/users/{frida}/deactivate")
    stack.settled()
    assert stack.client.get("/api/cases/cases", headers=headers).status_code == 401
    assert stack.client.post("/api/identity/token", json={"organisation": "skolen", "username": "frida", "password": PASSWORD}).status_code == 401


def test_api_keys_are_scoped_and_a_revoked_key_is_refused(stack, school):
    case = _create_case(stack, school["anna_headers"], school["access_group"])
    account = stack.admin_post(school["admin"], "/service-accounts", {"name": "Elevadministration", "scopes": ["cases:read", "retention:read"]})["id"]
    stack.grant(school["admin"], account, "access_group", school["access_group"], "read", grantee_kind="service")
    issued = stack.admin_post(school["admin"], f"/service-accounts/{account}/keys")
    stack.settled()
    bearer = {"Authorization": f"Bearer {issued['api_key']}"}
    secret = issued["api_key"][len(f"akta_{issued['key_id']}_"):]
    basic = {"Authorization": "Basic " + base64.b64encode(f"{issued['key_id']}:{secret}".encode()).decode()}
    assert _sees(stack, bearer, case) == VISIBLE
    assert stack.client.get(f"/api/cases/cases/{case['id']}", headers=basic).status_code == 200
    not_scoped = stack.client.post("/api/cases/cases", json={"template_id": _templates[school["access_group"]], "title": "x"}, headers=bearer)
    assert not_scoped.status_code == 403 and "cases:write" in not_scoped.json["detail"]
    wrong_secret = {"Authorization": f"Bearer {issued['api_key'][:-4]}AAAA"}
    assert stack.client.get("/api/cases/cases", headers=wrong_secret).status_code == 401

    stack.admin_post(school["admin"], f"/service-accounts/{account}/keys/{issued['key_id']}/revoke")
    stack.settled()
    for headers in (bearer, basic):
        assert stack.client.get("/api/cases/cases", headers=headers).status_code == 401
        assert stack.client.get("/api/retention/entries", headers=headers).status_code == 401


def test_forged_expired_and_wrong_tenant_tokens_are_refused(stack, school, tokens):
    anna = school["anna"]
    now = datetime.now(UTC)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": anna, "kind": "user", "name": "Anna", "roles": [], "iat": now, "exp": now + timedelta(minutes=5)}
    tenant_id = stack.client.get("/api/identity/me", headers=school["anna_headers"]).json["tenant_id"]
    real_key = tokens.private_key_file.read_bytes()
    from cryptography.hazmat.primitives import serialization

    signing_key = serialization.load_pem_private_key(real_key, password=None)
    forged = jwt.encode({**claims, "tid": tenant_id}, Ed25519PrivateKey.generate(), algorithm=ALGORITHM)
    expired = jwt.encode({**claims, "tid": tenant_id, "iat": now - timedelta(hours=1), "exp": now - timedelta(minutes=1)}, signing_key, algorithm=ALGORITHM)
    unknown_tenant = jwt.encode({**claims, "tid": "no-such-organisation"}, signing_key, algorithm=ALGORITHM)
    unsigned = jwt.encode({**claims, "tid": tenant_id}, None, algorithm="none")
    for token in (forged, expired, unknown_tenant, unsigned, "not-a-token"):
        for path in ("/api/cases/cases", "/api/retention/entries", "/api/identity/me"):
            response = stack.client.get(path, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, (path, token[:20])
            assert response.mimetype == "application/problem+json"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
