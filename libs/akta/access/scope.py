"""What one caller may read and write, and that as a condition inside every query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from akta.access.tables import access_grants, access_group_members
from akta.auth.principal import Principal

READ = "read"
WRITE = "write"


@dataclass(frozen=True)
class AccessScope:
    """The caller's grants in force at one moment. Write implies read."""

    tenant_id: str
    read_groups: frozenset[str] = frozenset()
    write_groups: frozenset[str] = frozenset()
    read_codes: frozenset[str] = frozenset()
    write_codes: frozenset[str] = frozenset()
    read_cases: frozenset[str] = frozenset()
    write_cases: frozenset[str] = frozenset()

    def groups(self, permission: str) -> frozenset[str]:
        return self.write_groups if permission == WRITE else self.read_groups

    def codes(self, permission: str) -> frozenset[str]:
        return self.write_codes if permission == WRITE else self.read_codes

    def cases(self, permission: str) -> frozenset[str]:
        return self.write_cases if permission == WRITE else self.read_cases

    def allows(
        self,
        permission: str,
        tenant_id: str,
        access_group_id: str,
        screening_code: str | None,
        case_id: str | None = None,
    ) -> bool:
        """The same rule as `condition`, for one resource already in hand."""
        if tenant_id != self.tenant_id:
            return False
        reached = access_group_id in self.groups(permission) or (case_id is not None and case_id in self.cases(permission))
        return reached and (screening_code is None or screening_code in self.codes(permission))

    def condition(
        self,
        permission: str,
        tenant_column,
        access_group_column,
        screening_column,
        case_id_column=None,
    ) -> ColumnElement[bool]:
        """SQL for `allows`: lists, counts, search and exports filter with it in the query."""
        reach = [access_group_column.in_(sorted(self.groups(permission)))]
        if case_id_column is not None and self.cases(permission):
            reach.append(case_id_column.in_(sorted(self.cases(permission))))
        screened = or_(screening_column.is_(None), screening_column.in_(sorted(self.codes(permission))))
        if not self.groups(permission) and len(reach) == 1:
            return false()
        return and_(tenant_column == self.tenant_id, or_(*reach), screened)


def load_scope(session: Session, principal: Principal, now: datetime) -> AccessScope:
    """The grants in force now for the caller, directly or through a group, from the local copy."""
    grantee_kind = "service" if principal.subject_kind == "service" else "user"
    my_groups = select(access_group_members.c.group_id).where(
        access_group_members.c.tenant_id == principal.tenant_id,
        access_group_members.c.user_id == principal.subject_id,
        access_group_members.c.is_member.is_(True),
    )
    rows = session.execute(
        select(access_grants.c.scope_kind, access_grants.c.scope_id, access_grants.c.permission).where(
            access_grants.c.tenant_id == principal.tenant_id,
            access_grants.c.revoked.is_(False),
            access_grants.c.valid_from <= now,
            or_(access_grants.c.valid_until.is_(None), access_grants.c.valid_until > now),
            or_(
                and_(access_grants.c.grantee_kind == grantee_kind, access_grants.c.grantee_id == principal.subject_id),
                and_(access_grants.c.grantee_kind == "group", access_grants.c.grantee_id.in_(my_groups)),
            ),
        )
    ).all()
    return scope_from_grants(principal.tenant_id, rows)


def scope_from_grants(tenant_id: str, rows) -> AccessScope:
    """Build a scope from (scope kind, scope id, permission) rows of grants in force."""
    found: dict[tuple[str, str], set[str]] = {}
    for scope_kind, scope_id, permission in rows:
        found.setdefault((scope_kind, READ), set()).add(scope_id)
        if permission == WRITE:
            found.setdefault((scope_kind, WRITE), set()).add(scope_id)

    def of(kind: str, permission: str) -> frozenset[str]:
        return frozenset(found.get((kind, permission), ()))

    return AccessScope(
        tenant_id=tenant_id,
        read_groups=of("access_group", READ),
        write_groups=of("access_group", WRITE),
        read_codes=of("screening_code", READ),
        write_codes=of("screening_code", WRITE),
        read_cases=of("case", READ),
        write_cases=of("case", WRITE),
    )
