import hashlib

import pytest

from akta.storage.errors import InvalidBlobKey
from akta.storage.keys import blob_key, check_sha256, check_tenant_id, parse_blob_key, tenant_prefix

SHA256 = hashlib.sha256(b"content").hexdigest()
TENANT = "3f2c1a9e-7b4d-4e8a-9c61-0d5f2b7e8a14"


def test_a_blob_is_keyed_by_tenant_then_fanned_out_by_its_hash():
    assert blob_key(TENANT, SHA256) == f"{TENANT}/sha256/{SHA256[:2]}/{SHA256[2:4]}/{SHA256}"
    assert blob_key(TENANT, SHA256).startswith(tenant_prefix(TENANT))


@pytest.mark.parametrize(
    "tenant_id",
    ["", ".", "..", "../other", "a/b", "a\\b", "-a", "Org", "a" * 65, "a\n", "a b", "å", "a.b", None],
)
def test_a_tenant_id_that_could_escape_or_collide_is_refused(tenant_id):
    with pytest.raises(InvalidBlobKey) as raised:
        check_tenant_id(tenant_id)
    assert raised.value.field == "tenant_id"


@pytest.mark.parametrize("tenant_id", [TENANT, "t-1", "org-1", "a" * 64])
def test_usual_tenant_ids_are_accepted(tenant_id):
    assert check_tenant_id(tenant_id) == tenant_id


@pytest.mark.parametrize(
    "sha256",
    ["", SHA256[:-1], SHA256 + "0", SHA256.upper(), "g" * 64, f"../../{SHA256[6:]}", SHA256[:-1] + "\n", 42],
)
def test_anything_but_64_lower_case_hex_digits_is_not_a_sha256(sha256):
    with pytest.raises(InvalidBlobKey) as raised:
        check_sha256(sha256)
    assert raised.value.field == "sha256"


def test_a_key_with_a_bad_part_is_refused():
    with pytest.raises(InvalidBlobKey):
        blob_key("../other", SHA256)
    with pytest.raises(InvalidBlobKey):
        blob_key(TENANT, "../../etc/passwd")


def test_a_blob_key_parses_back():
    assert parse_blob_key(blob_key(TENANT, SHA256)) == (TENANT, SHA256)


@pytest.mark.parametrize(
    "key",
    [
        f"{TENANT}/sha256/{SHA256[:2]}/{SHA256[2:4]}/.{SHA256}.x1y2.tmp",
        f"{TENANT}/sha256/00/00/{SHA256}",
        f"{TENANT}/sha256/{SHA256}",
        f"{TENANT}/md5/{SHA256[:2]}/{SHA256[2:4]}/{SHA256}",
        f"Other/sha256/{SHA256[:2]}/{SHA256[2:4]}/{SHA256}",
        f"x/{TENANT}/sha256/{SHA256[:2]}/{SHA256[2:4]}/{SHA256}",
        "README",
    ],
)
def test_other_things_in_a_store_are_not_blobs(key):
    assert parse_blob_key(key) is None
