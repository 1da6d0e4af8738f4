"""The access review: who holds which roles and grants in one organisation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from akta.db.database import Database
from akta.web.csv_export import csv_line
from akta_identity.access.orm import access_groups, grants, group_members, groups, units
from akta_identity.adapters.orm import users

PRIVILEGED_ROLES = ("administrator", "archivist")


@dataclass
class ReviewedGrant:
    grant_id: str
    via_group: str | None
    scope_kind: str
    scope: str
    permission: str
    valid_until: datetime | None
    expires_soon: bool


@dataclass
class ReviewedUser:
    user_id: str
    username: str
    display_name: str
    unit: str | None
    active: bool
    last_sign_in_at: datetime | None
    roles: list[str]
    privileged: bool
    grants: list[ReviewedGrant] = field(default_factory=list)


def access_review(database: Database, tenant_id: str, now: datetime, expiry_warning: timedelta) -> list[ReviewedUser]:
    """Every user of the tenant with roles and grants in force (direct or through a group)."""
    with database.read_session() as session:
        unit_names = dict(session.execute(select(units.c.id, units.c.name).where(units.c.tenant_id == tenant_id)).all())
        group_names = dict(session.execute(select(groups.c.id, groups.c.name).where(groups.c.tenant_id == tenant_id)).all())
        access_group_names = dict(
            session.execute(select(access_groups.c.id, access_groups.c.name).where(access_groups.c.tenant_id == tenant_id)).all()
        )
        memberships: dict[str, list[str]] = {}
        for group_id, user_id in session.execute(
            select(group_members.c.group_id, group_members.c.user_id).where(group_members.c.tenant_id == tenant_id)
        ):
            memberships.setdefault(user_id, []).append(group_id)
        in_force = session.execute(
            select(grants).where(
                grants.c.tenant_id == tenant_id,
                grants.c.revoked_at.is_(None),
                (grants.c.valid_until.is_(None)) | (grants.c.valid_until > now),
            )
        ).mappings().all()
        user_rows = session.execute(select(users).where(users.c.tenant_id == tenant_id).order_by(users.c.username)).mappings().all()

    by_grantee: dict[tuple[str, str], list] = {}
    for grant in in_force:
        by_grantee.setdefault((grant["grantee_kind"], grant["grantee_id"]), []).append(grant)

    def reviewed(grant, via_group: str | None) -> ReviewedGrant:
        scope = access_group_names.get(grant["scope_id"], grant["scope_id"]) if grant["scope_kind"] == "access_group" else grant["scope_id"]
        until = grant["valid_until"]
        return ReviewedGrant(
            grant["id"], via_group, grant["scope_kind"], scope, grant["permission"], until,
            until is not None and until - now <= expiry_warning,
        )

    report = []
    for row in user_rows:
        user = ReviewedUser(
            user_id=row["id"],
            username=row["username"],
            display_name=row["display_name"],
            unit=unit_names.get(row["unit_id"]),
            active=row["active"],
            last_sign_in_at=row["last_sign_in_at"],
            roles=sorted(row["roles"]),
            privileged=bool(set(row["roles"]) & set(PRIVILEGED_ROLES)),
        )
        user.grants = [reviewed(g, None) for g in by_grantee.get(("user", row["id"]), [])]
        for group_id in memberships.get(row["id"], []):
            user.grants += [reviewed(g, group_names.get(group_id, group_id)) for g in by_grantee.get(("group", group_id), [])]
        report.append(user)
    return report


def unit_changes(database: Database, tenant_id: str, now: datetime) -> list[dict]:
    """Grants in force given to a user whose unit has changed since: often a grant to withdraw."""
    with database.read_session() as session:
        rows = session.execute(
            select(
                grants.c.id.label("grant_id"), users.c.id.label("user_id"), users.c.username,
                grants.c.grantee_unit_id.label("unit_when_granted"), users.c.unit_id.label("unit_now"),
                grants.c.scope_kind, grants.c.scope_id, grants.c.permission, grants.c.granted_at,
            )
            .join(users, users.c.id == grants.c.grantee_id)
            .where(
                grants.c.tenant_id == tenant_id,
                grants.c.grantee_kind == "user",
                grants.c.revoked_at.is_(None),
                (grants.c.valid_until.is_(None)) | (grants.c.valid_until > now),
                grants.c.grantee_unit_id.is_distinct_from(users.c.unit_id),
            )
            .order_by(users.c.username, grants.c.granted_at)
        ).mappings().all()
    return [dict(row) for row in rows]


CSV_COLUMNS = (
    "username", "display_name", "unit", "active", "last_sign_in_at", "roles", "privileged",
    "grant_id", "via_group", "scope_kind", "scope", "permission", "valid_until", "expires_soon",
)


def review_csv(report: list[ReviewedUser]) -> Iterator[str]:
    """One line per user and grant (a user without grants gets one line), for spreadsheets; names
    come from the student administrative system, so formula-like cells are neutralised."""
    yield csv_line(CSV_COLUMNS)
    for user in report:
        person = (
            user.username, user.display_name, user.unit or "", user.active,
            user.last_sign_in_at.isoformat() if user.last_sign_in_at else "", " ".join(user.roles), user.privileged,
        )
        if not user.grants:
            yield csv_line((*person, "", "", "", "", "", "", ""))
        for grant in user.grants:
            yield csv_line((
                *person, grant.grant_id, grant.via_group or "", grant.scope_kind, grant.scope, grant.permission,
                grant.valid_until.isoformat() if grant.valid_until else "", grant.expires_soon,
            ))
