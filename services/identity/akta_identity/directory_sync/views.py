"""Reads of persons for the API: straight queries, always within one tenant."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from akta.db.database import Database
from akta.db.paging import fetch_page
from akta_identity.directory_sync.orm import guardian_links, persons, school_classes, search_key

_COLUMNS = (
    persons.c.id, persons.c.kind, persons.c.external_id, persons.c.national_id, persons.c.given_name,
    persons.c.family_name, persons.c.class_code, school_classes.c.name.label("class_name"), persons.c.username,
    persons.c.user_id, persons.c.active, persons.c.created_at, persons.c.updated_at,
)


def _query(tenant_id: str):
    return (
        select(*_COLUMNS)
        .select_from(persons)
        .outerjoin(
            school_classes,
            and_(school_classes.c.tenant_id == persons.c.tenant_id, school_classes.c.code == persons.c.class_code),
        )
        .where(persons.c.tenant_id == tenant_id)
        .order_by(persons.c.family_name, persons.c.given_name, persons.c.id)
    )


def list_persons(
    database: Database,
    tenant_id: str,
    offset: int,
    limit: int,
    kind: str | None = None,
    class_code: str | None = None,
    q: str | None = None,
    active: bool | None = None,
) -> tuple[list[dict], int]:
    query = _query(tenant_id)
    if kind:
        query = query.where(persons.c.kind == kind)
    if class_code:
        query = query.where(persons.c.class_code == class_code)
    if active is not None:
        query = query.where(persons.c.active == active)
    for word in (q or "").split():
        # Every word must match a name or the external id; a whole national id matches too.
        pattern = "%" + search_key(word).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(persons.c.search_text.like(pattern, escape="\\"), persons.c.national_id == word.replace("-", ""))
        )
    with database.read_session() as session:
        rows, total = fetch_page(session, query, offset, limit)
        return _with_guardians(session, tenant_id, rows), total


def get_person(database: Database, tenant_id: str, person_id: str) -> dict | None:
    with database.read_session() as session:
        row = session.execute(_query(tenant_id).where(persons.c.id == person_id)).mappings().one_or_none()
        return _with_guardians(session, tenant_id, [row])[0] if row else None


def guardians_of(database: Database, tenant_id: str, person_id: str) -> list[dict]:
    guardian_ids = (
        select(guardian_links.c.guardian_id)
        .where(guardian_links.c.tenant_id == tenant_id, guardian_links.c.pupil_id == person_id)
        .scalar_subquery()
    )
    with database.read_session() as session:
        rows = session.execute(_query(tenant_id).where(persons.c.id.in_(guardian_ids))).mappings().all()
        return _with_guardians(session, tenant_id, rows)


def _with_guardians(session, tenant_id: str, rows) -> list[dict]:
    ids = [row["id"] for row in rows]
    links: dict[str, list[str]] = {person_id: [] for person_id in ids}
    if ids:
        found = session.execute(
            select(guardian_links.c.pupil_id, guardian_links.c.guardian_id)
            .where(guardian_links.c.tenant_id == tenant_id, guardian_links.c.pupil_id.in_(ids))
            .order_by(guardian_links.c.guardian_id)
        )
        for pupil_id, guardian_id in found:
            links[pupil_id].append(guardian_id)
    return [{**row, "guardian_ids": links[row["id"]]} for row in rows]
