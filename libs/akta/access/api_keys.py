"""API keys of service accounts: `akta_<key id>_<secret>`; only the secret's SHA-256 is kept.

The secret is 256 random bits, so a plain SHA-256 is enough to store it safely and cheap
enough to check on every request (a password hash like argon2 is for guessable secrets)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid

PREFIX = "akta_"
_KEY = re.compile(r"^akta_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$")


def new_api_key() -> tuple[str, str, str]:
    """A new key: (key id, the full key to hand out once, SHA-256 of its secret)."""
    key_id = uuid.uuid4().hex
    secret = secrets.token_urlsafe(32)
    return key_id, f"{PREFIX}{key_id}_{secret}", secret_sha256(secret)


def parse_api_key(api_key: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed key, else None."""
    match = _KEY.match(api_key)
    return (match.group(1), match.group(2)) if match else None


def secret_sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, expected_sha256: str | None) -> bool:
    return expected_sha256 is not None and hmac.compare_digest(secret_sha256(secret), expected_sha256)


def looks_like_api_key(credential: str) -> bool:
    return credential.startswith(PREFIX)
