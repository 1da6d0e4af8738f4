"""The caller as every service sees it once its credential is verified."""

from __future__ import annotations

from dataclasses import dataclass, field

from akta.errors import Forbidden


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    subject_id: str
    subject_kind: str  # "user" or "service"
    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def actor(self) -> str:
        """How audit rows and events name the caller."""
        return f"{self.subject_kind}:{self.subject_id}"

    @property
    def is_service(self) -> bool:
        return self.subject_kind == "service"

    def require_role(self, *roles: str) -> None:
        """Roles gate functions (administration, archive management) for users."""
        if not self.roles.intersection(roles):
            raise Forbidden(f"this needs the role {' or '.join(roles)}")

    def require_scope(self, scope: str) -> None:
        """Service accounts may only call what their API key is scoped to (e.g. `cases:read`)."""
        if self.is_service and scope not in self.scopes:
            raise Forbidden(f"this API key is not scoped for {scope}")
