"""Use cases of saved searches: only the owner changes or deletes one; every change is audited."""

from __future__ import annotations

from datetime import UTC, datetime

from akta import audit
from akta.errors import Conflict
from akta_cases.saved_searches.model import SavedSearch, SavedSearchNotFound, Share, Viewer


def _now() -> datetime:
    return datetime.now(UTC)


def create_saved_search(
    uow,
    viewer: Viewer,
    name: str,
    criteria: dict,
    sharing: str = "private",
    shared_with: tuple[Share, ...] = (),
    now: datetime | None = None,
) -> SavedSearch:
    with uow:
        search = SavedSearch.create(viewer.tenant_id, viewer.actor, name, criteria, now or _now(), sharing, shared_with)
        _ensure_unique_name(uow, search)
        uow.saved_searches.add(search)
        audit.record(uow, search.tenant_id, "create", "saved_search", search.id, name=search.name, sharing=search.sharing)
        uow.commit()
    return search


def change_saved_search(
    uow,
    viewer: Viewer,
    search_id: str,
    name: str | None = None,
    criteria: dict | None = None,
    sharing: str | None = None,
    shared_with: tuple[Share, ...] | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> SavedSearch:
    with uow:
        search = _visible(uow, viewer, search_id)
        read_version = search.version
        changed = search.change(viewer.actor, now or _now(), name, criteria, sharing, shared_with, expected_version)
        if changed:
            if "name" in changed:
                _ensure_unique_name(uow, search)
            uow.saved_searches.save(search, read_version)
            audit.record(uow, search.tenant_id, "change", "saved_search", search.id, fields=",".join(changed))
            uow.commit()
    return search


def delete_saved_search(uow, viewer: Viewer, search_id: str, expected_version: int | None = None) -> None:
    with uow:
        search = _visible(uow, viewer, search_id)
        search.ensure_owner(viewer.actor)
        search.ensure_version(expected_version)
        uow.saved_searches.delete(search)
        audit.record(uow, search.tenant_id, "delete", "saved_search", search.id, name=search.name)
        uow.commit()


def _visible(uow, viewer: Viewer, search_id: str) -> SavedSearch:
    search = uow.saved_searches.get(viewer.tenant_id, search_id)
    if search is None or not search.visible_to(viewer):
        raise SavedSearchNotFound(search_id)
    return search


def _ensure_unique_name(uow, search: SavedSearch) -> None:
    if uow.saved_searches.name_taken(search.tenant_id, search.owner, search.name, other_than=search.id):
        raise Conflict(f"you have a saved search named {search.name!r} already")
