"""Short-lived bearer tokens: JWT signed with Ed25519 by identity, verified by every service
with the public key alone, however the user signed in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from akta.auth.principal import Principal
from akta.errors import Unauthenticated

ISSUER = "akta-identity"
AUDIENCE = "akta"
ALGORITHM = "EdDSA"


class InvalidToken(Unauthenticated):
    pass


class TokenSigner:
    def __init__(self, private_key_pem: bytes, ttl: timedelta = timedelta(minutes=15)) -> None:
        self._key = serialization.load_pem_private_key(private_key_pem, password=None)
        self.ttl = ttl

    def issue(self, principal: Principal, now: datetime | None = None) -> tuple[str, datetime]:
        """A signed access token and the moment it expires."""
        issued_at = now or datetime.now(UTC)
        expires_at = issued_at + self.ttl
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": principal.subject_id,
            "tid": principal.tenant_id,
            "kind": principal.subject_kind,
            "name": principal.name,
            "roles": sorted(principal.roles),
            "iat": issued_at,
            "exp": expires_at,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM), expires_at


class TokenVerifier:
    """Verifies tokens with the public key, read lazily so a service may start before identity
    has written the key in embedded mode."""

    def __init__(self, public_key_file: Path) -> None:
        self.public_key_file = public_key_file
        self._key = None

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._public_key(),
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "tid", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.InvalidTokenError as error:
            raise InvalidToken(f"the token is not valid: {error}") from None
        return Principal(
            tenant_id=claims["tid"],
            subject_id=claims["sub"],
            subject_kind=claims.get("kind", "user"),
            name=claims.get("name", ""),
            roles=frozenset(claims.get("roles", [])),
        )

    def _public_key(self):
        if self._key is None:
            try:
                pem = self.public_key_file.read_bytes()
            except FileNotFoundError:
                raise InvalidToken("no token signing key is configured yet") from None
            self._key = serialization.load_pem_public_key(pem)
        return self._key


def write_new_keypair(private_key_file: Path, public_key_file: Path) -> None:
    """Create an Ed25519 key pair as PEM files (embedded mode does this on first start)."""
    key = Ed25519PrivateKey.generate()
    private_key_file.parent.mkdir(parents=True, exist_ok=True)
    public_key_file.parent.mkdir(parents=True, exist_ok=True)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    private_key_file.write_bytes(private_pem)
    private_key_file.chmod(0o600)
    public_key_file.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
