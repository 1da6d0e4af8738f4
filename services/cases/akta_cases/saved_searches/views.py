"""Reads of saved searches: only those the caller may see, filtered inside the query."""

from __future__ import annotations

from sqlalchemy import and_, exists, false, or_, select

from akta.access.tables import access_group_members
from akta.auth.principal import Principal
from akta.db.database import Database
from akta.db.paging import fetch_page
from akta_cases.saved_searches.model import Viewer
from akta_cases.saved_searches.orm import saved_search_shares, saved_searches


def viewer_for(database: Database, principal: Principal) -> Viewer:
    """The caller with the groups they are in now (from the local copy of identity's state)."""
    if principal.is_service:
        return Viewer(principal.tenant_id, principal.actor, None)
    with database.read_session() as session:
        groups = session.scalars(
            select(access_group_members.c.group_id).where(
                access_group_members.c.tenant_id == principal.tenant_id,
                access_group_members.c.user_id == principal.subject_id,
                access_group_members.c.is_member.is_(True),
            )
        ).all()
    return Viewer(principal.tenant_id, principal.actor, principal.subject_id, frozenset(groups))


def visible(viewer: Viewer):
    """SQL for SavedSearch.visible_to."""
    shares = saved_search_shares.c
    named_user = and_(shares.grantee_kind == "user", shares.grantee_id == viewer.user_id) if viewer.user_id else false()
    named_group = (
        and_(shares.grantee_kind == "group", shares.grantee_id.in_(sorted(viewer.groups))) if viewer.groups else false()
    )
    shared_by_name = and_(
        saved_searches.c.sharing == "named",
        exists().where(shares.saved_search_id == saved_searches.c.id, or_(named_user, named_group)),
    )
    return and_(
        saved_searches.c.tenant_id == viewer.tenant_id,
        or_(saved_searches.c.owner == viewer.actor, saved_searches.c.sharing == "organisation", shared_by_name),
    )


def list_saved_searches(
    database: Database, viewer: Viewer, offset: int, limit: int, owned: bool | None = None
) -> tuple[list[dict], int]:
    """The caller's own saved searches and those shared with them, by name."""
    query = select(saved_searches).where(visible(viewer))
    if owned is True:
        query = query.where(saved_searches.c.owner == viewer.actor)
    elif owned is False:
        query = query.where(saved_searches.c.owner != viewer.actor)
    with database.read_session() as session:
        rows, total = fetch_page(session, query.order_by(saved_searches.c.name, saved_searches.c.id), offset, limit)
        shares = _shares(session, [row["id"] for row in rows])
    return [_search_row(row, shares.get(row["id"], []), viewer) for row in rows], total


def get_saved_search(database: Database, viewer: Viewer, search_id: str) -> dict | None:
    """The saved search if the caller may see it; None alike when it is missing or hidden."""
    with database.read_session() as session:
        row = session.execute(
            select(saved_searches).where(visible(viewer), saved_searches.c.id == search_id)
        ).mappings().one_or_none()
        if row is None:
            return None
        shares = _shares(session, [search_id])
    return _search_row(row, shares.get(search_id, []), viewer)


def _shares(session, search_ids: list[str]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    if not search_ids:
        return found
    rows = session.execute(
        select(saved_search_shares)
        .where(saved_search_shares.c.saved_search_id.in_(search_ids))
        .order_by(saved_search_shares.c.grantee_kind, saved_search_shares.c.grantee_id)
    ).mappings()
    for row in rows:
        found.setdefault(row["saved_search_id"], []).append({"kind": row["grantee_kind"], "id": row["grantee_id"]})
    return found


def _search_row(row, shares: list[dict], viewer: Viewer) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "owner": row["owner"],
        "owned": row["owner"] == viewer.actor,
        "criteria": row["criteria"],
        "sharing": row["sharing"],
        "shared_with": shares,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "version": row["version"],
    }
