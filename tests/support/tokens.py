"""Signed tokens for tests, made with a key pair of the test's own."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from akta.auth.principal import Principal
from akta.auth.tokens import TokenSigner, write_new_keypair


@dataclass
class TestTokens:
    __test__ = False  # a helper, not a test class

    private_key_file: Path
    public_key_file: Path

    @classmethod
    def create(cls, directory: Path) -> TestTokens:
        private_key_file = directory / "token-signing.pem"
        public_key_file = directory / "token-signing.pub.pem"
        write_new_keypair(private_key_file, public_key_file)
        return cls(private_key_file, public_key_file)

    def token(
        self,
        tenant_id: str,
        subject_id: str | None = None,
        roles: tuple[str, ...] = ("caseworker",),
        ttl: timedelta = timedelta(minutes=15),
        now: datetime | None = None,
    ) -> str:
        signer = TokenSigner(self.private_key_file.read_bytes(), ttl=ttl)
        principal = Principal(
            tenant_id=tenant_id,
            subject_id=subject_id or str(uuid.uuid4()),
            subject_kind="user",
            name="Test User",
            roles=frozenset(roles),
        )
        return signer.issue(principal, now=now)[0]

    def headers(self, tenant_id: str, **kwargs) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(tenant_id, **kwargs)}"}
