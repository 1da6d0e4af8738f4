"""Where a blob lives: `<tenant_id>/sha256/<first 2>/<next 2>/<sha256>`, the same for S3 keys and
local paths. Both parts are checked, so no value from a caller reaches outside its tenant's prefix,
and disposing of a tenant is removing one prefix."""

from __future__ import annotations

import re

from akta.storage.errors import InvalidBlobKey

# Lower case only: on a case-insensitive filesystem "Org" and "org" would share a directory.
_TENANT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def check_tenant_id(tenant_id: str) -> str:
    """The tenant id unchanged, or InvalidBlobKey unless it is 1-64 lower-case letters, digits and dashes."""
    if not isinstance(tenant_id, str) or not _TENANT_ID.fullmatch(tenant_id):
        raise InvalidBlobKey(
            "tenant_id", "must be 1-64 lower-case letters, digits and dashes, not starting with a dash"
        )
    return tenant_id


def check_sha256(sha256: str) -> str:
    """The hash unchanged, or InvalidBlobKey unless it is 64 lower-case hexadecimal digits."""
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise InvalidBlobKey("sha256", "must be 64 lower-case hexadecimal digits")
    return sha256


def tenant_prefix(tenant_id: str) -> str:
    """The prefix under which all of a tenant's blobs are, ending in a slash."""
    return f"{check_tenant_id(tenant_id)}/sha256/"


def blob_key(tenant_id: str, sha256: str) -> str:
    check_sha256(sha256)
    return f"{tenant_prefix(tenant_id)}{sha256[:2]}/{sha256[2:4]}/{sha256}"


def parse_blob_key(key: str) -> tuple[str, str] | None:
    """(tenant_id, sha256) of a well-formed blob key; None for anything else found in the store."""
    parts = key.split("/")
    if len(parts) != 5 or parts[1] != "sha256":
        return None
    tenant_id, _, first, second, sha256 = parts
    if not _TENANT_ID.fullmatch(tenant_id) or not _SHA256.fullmatch(sha256):
        return None
    if (first, second) != (sha256[:2], sha256[2:4]):
        return None
    return tenant_id, sha256
