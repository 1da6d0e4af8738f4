"""Who may use the contacts registry, and who sees national ids in it.

A contact belongs to no access group. Reading the registry needs a read grant on at least one
access group or case, or the archivist or administrator role; changing it needs a write grant
likewise. A person's national id (CPR, fødselsnummer, D-number) is shown only to archivists and
to callers who can read a case the person is a party of (and echoed to whoever sent it);
organisation numbers are public and always shown.
"""

from __future__ import annotations

from akta.access.scope import AccessScope
from akta.auth.principal import Principal
from akta.errors import Forbidden

REGISTRY_ROLES = frozenset({"archivist", "administrator"})
NATIONAL_ID_ROLES = frozenset({"archivist"})


def require_reader(principal: Principal, scope: AccessScope) -> None:
    principal.require_scope("cases:read")
    if not (scope.read_groups or scope.read_cases or principal.roles & REGISTRY_ROLES):
        raise Forbidden("reading contacts needs a read grant on an access group or a case")


def require_writer(principal: Principal, scope: AccessScope) -> None:
    principal.require_scope("cases:write")
    if not (scope.write_groups or scope.write_cases or principal.roles & REGISTRY_ROLES):
        raise Forbidden("changing contacts needs a write grant on an access group or a case")


def keeps_registry(principal: Principal) -> bool:
    """May change any contact, also one who is a party only of cases they cannot change."""
    return bool(principal.roles & REGISTRY_ROLES)


def sees_every_national_id(principal: Principal) -> bool:
    return bool(principal.roles & NATIONAL_ID_ROLES)
