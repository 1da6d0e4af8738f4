"""Saved searches in the database, always within one tenant. Plain statements: a search and its
shares are written together, and a change only lands on the version it was read at."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from akta.db.unit_of_work import ConcurrentChange
from akta_cases.saved_searches.model import SavedSearch, Share
from akta_cases.saved_searches.orm import saved_search_shares, saved_searches

_FIELDS = ("tenant_id", "owner", "name", "criteria", "sharing", "created_at", "updated_at", "version")


class SavedSearchRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: list[SavedSearch] = []

    def get(self, tenant_id: str, search_id: str) -> SavedSearch | None:
        row = self.session.execute(
            select(saved_searches).where(saved_searches.c.tenant_id == tenant_id, saved_searches.c.id == search_id)
        ).mappings().one_or_none()
        if row is None:
            return None
        shares = self.session.execute(
            select(saved_search_shares.c.grantee_kind, saved_search_shares.c.grantee_id).where(
                saved_search_shares.c.saved_search_id == search_id
            )
        ).all()
        search = SavedSearch(
            row["id"], row["tenant_id"], row["owner"], row["name"], dict(row["criteria"]), row["sharing"],
            tuple(sorted(Share(kind, grantee) for kind, grantee in shares)), row["created_at"], row["updated_at"], row["version"],
        )
        self.seen.append(search)
        return search

    def name_taken(self, tenant_id: str, owner: str, name: str, other_than: str | None = None) -> bool:
        query = select(saved_searches.c.id).where(
            saved_searches.c.tenant_id == tenant_id, saved_searches.c.owner == owner, saved_searches.c.name == name
        )
        if other_than:
            query = query.where(saved_searches.c.id != other_than)
        return self.session.scalar(query) is not None

    def add(self, search: SavedSearch) -> None:
        self.session.execute(insert(saved_searches).values(id=search.id, **_values(search)))
        self._write_shares(search)
        self.seen.append(search)

    def save(self, search: SavedSearch, read_version: int) -> None:
        """Write a changed search; another writer having changed it since `read_version` fails."""
        written = self.session.execute(
            update(saved_searches)
            .where(saved_searches.c.id == search.id, saved_searches.c.version == read_version)
            .values(**_values(search))
        )
        if written.rowcount != 1:
            raise ConcurrentChange("someone else changed this saved search at the same moment; read it again")
        self.session.execute(delete(saved_search_shares).where(saved_search_shares.c.saved_search_id == search.id))
        self._write_shares(search)

    def delete(self, search: SavedSearch) -> None:
        self.session.execute(delete(saved_search_shares).where(saved_search_shares.c.saved_search_id == search.id))
        self.session.execute(delete(saved_searches).where(saved_searches.c.id == search.id))

    def _write_shares(self, search: SavedSearch) -> None:
        if search.shared_with:
            self.session.execute(
                insert(saved_search_shares),
                [
                    {"saved_search_id": search.id, "grantee_kind": share.kind, "grantee_id": share.id, "tenant_id": search.tenant_id}
                    for share in search.shared_with
                ],
            )


def _values(search: SavedSearch) -> dict:
    return {name: getattr(search, name) for name in _FIELDS}
