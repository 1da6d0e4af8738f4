"""The caller as every service sees it once the token is verified."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    subject_id: str
    subject_kind: str  # "user" or "service"
    name: str
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def actor(self) -> str:
        """How audit rows and events name the caller."""
        return f"{self.subject_kind}:{self.subject_id}"
