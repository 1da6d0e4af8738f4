"""The case a party or registration belongs to, as far as the caller may reach it: a case the
caller may not read does not exist for them (404); one they may read but not change is 403."""

from __future__ import annotations

from akta.access.scope import READ, WRITE, AccessScope
from akta.db.unit_of_work import UnitOfWork
from akta.errors import Conflict, Forbidden, NotFound


def case_allows(scope: AccessScope, permission: str, case) -> bool:
    return scope.allows(permission, case.tenant_id, case.access_group_id, case.screening_code, case.id)


def readable_case(uow: UnitOfWork, scope: AccessScope, tenant_id: str, case_id: str):
    case = uow.cases.get(tenant_id, case_id)
    if case is None or not case_allows(scope, READ, case):
        raise NotFound(f"no case {case_id}")
    return case


def writable_case(uow: UnitOfWork, scope: AccessScope, tenant_id: str, case_id: str):
    case = readable_case(uow, scope, tenant_id, case_id)
    if not case_allows(scope, WRITE, case):
        raise Forbidden("you may read this case but not change it")
    return case


def require_open_for_filing(case) -> None:
    """An archived case no longer changes: nothing more is filed in it."""
    if case.status == "archived":
        raise Conflict(f"case {case.number} is archived: nothing more is filed in it", current_status=case.status)
