"""Saved searches, pure Python: criteria of the case list kept under a name by their owner, and
who else may run them. Running one always shows the runner's own cases, never the owner's."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime

from akta.aggregate import Aggregate
from akta.errors import Forbidden, InvalidField, NotFound, PreconditionFailed

SHARINGS = ("private", "organisation", "named")
SHARE_KINDS = ("user", "group")
NAME_MAX_LENGTH = 200
MAX_SHARES = 100
ID_MAX_LENGTH = 64


class SavedSearchNotFound(NotFound):
    def __init__(self, search_id: str) -> None:
        super().__init__(f"no saved search {search_id}")


class NotTheOwner(Forbidden):
    def __init__(self) -> None:
        super().__init__("only the owner of a saved search may change or delete it")


class StaleSavedSearch(PreconditionFailed):
    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"the saved search changed since you read it (you had version {expected}, it is now {actual})",
            current_version=actual,
        )


@dataclass(frozen=True, order=True)
class Share:
    """A user or a group of users the search is shared with."""

    kind: str
    id: str


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the caller as saved searches see them, with the groups they are in."""

    tenant_id: str
    actor: str
    user_id: str | None
    groups: frozenset[str] = frozenset()


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidField("name", "must not be empty")
    if len(cleaned) > NAME_MAX_LENGTH:
        raise InvalidField("name", f"must be at most {NAME_MAX_LENGTH} characters")
    if any(unicodedata.category(char) == "Cc" for char in cleaned):
        raise InvalidField("name", "must not contain control characters")
    return cleaned


def clean_sharing(sharing: str, shared_with: tuple[Share, ...]) -> tuple[str, tuple[Share, ...]]:
    if sharing not in SHARINGS:
        raise InvalidField("sharing", f"must be one of {', '.join(SHARINGS)}")
    shares = tuple(sorted(set(shared_with)))
    for share in shares:
        if share.kind not in SHARE_KINDS:
            raise InvalidField("shared_with", f"a share is with a {' or a '.join(SHARE_KINDS)}, not {share.kind!r}")
        if not share.id or len(share.id) > ID_MAX_LENGTH:
            raise InvalidField("shared_with", f"ids are 1 to {ID_MAX_LENGTH} characters")
    if sharing == "named" and not shares:
        raise InvalidField("shared_with", "name at least one user or group to share with")
    if sharing != "named" and shares:
        raise InvalidField("shared_with", "only a search shared with named users or groups lists them")
    if len(shares) > MAX_SHARES:
        raise InvalidField("shared_with", f"at most {MAX_SHARES} users and groups")
    return sharing, shares


class SavedSearch(Aggregate):
    def __init__(
        self,
        id: str,
        tenant_id: str,
        owner: str,
        name: str,
        criteria: dict,
        sharing: str,
        shared_with: tuple[Share, ...],
        created_at: datetime,
        updated_at: datetime,
        version: int,
    ) -> None:
        super().__init__()
        self.id = id
        self.tenant_id = tenant_id
        self.owner = owner
        self.name = name
        self.criteria = criteria
        self.sharing = sharing
        self.shared_with = shared_with
        self.created_at = created_at
        self.updated_at = updated_at
        self.version = version

    @classmethod
    def create(
        cls,
        tenant_id: str,
        owner: str,
        name: str,
        criteria: dict,
        now: datetime,
        sharing: str = "private",
        shared_with: tuple[Share, ...] = (),
    ) -> SavedSearch:
        sharing, shares = clean_sharing(sharing, shared_with)
        return cls(str(uuid.uuid4()), tenant_id, owner, clean_name(name), dict(criteria), sharing, shares, now, now, 1)

    def visible_to(self, viewer: Viewer) -> bool:
        """The owner, everyone in the organisation, or the named users and members of named groups.
        (views.visible is the same rule in SQL.)"""
        if viewer.tenant_id != self.tenant_id:
            return False
        if viewer.actor == self.owner or self.sharing == "organisation":
            return True
        if self.sharing != "named":
            return False
        return any(
            (share.kind == "user" and share.id == viewer.user_id) or (share.kind == "group" and share.id in viewer.groups)
            for share in self.shared_with
        )

    def ensure_owner(self, actor: str) -> None:
        if actor != self.owner:
            raise NotTheOwner()

    def ensure_version(self, expected_version: int | None) -> None:
        """If-Match: the caller changes the version they read, or nothing."""
        if expected_version is not None and expected_version != self.version:
            raise StaleSavedSearch(expected_version, self.version)

    def change(
        self,
        actor: str,
        now: datetime,
        name: str | None = None,
        criteria: dict | None = None,
        sharing: str | None = None,
        shared_with: tuple[Share, ...] | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        """Apply the given changes; returns the names of the fields that changed."""
        self.ensure_owner(actor)
        self.ensure_version(expected_version)
        new_sharing = sharing or self.sharing
        if shared_with is None:
            shared_with = self.shared_with if new_sharing == "named" else ()
        new_sharing, new_shares = clean_sharing(new_sharing, shared_with)
        wanted = {
            "name": clean_name(name) if name is not None else self.name,
            "criteria": dict(criteria) if criteria is not None else self.criteria,
            "sharing": new_sharing,
            "shared_with": new_shares,
        }
        changed = [field for field, value in wanted.items() if getattr(self, field) != value]
        for field in changed:
            setattr(self, field, wanted[field])
        if changed:
            self.updated_at = now
            self.version += 1
        return changed
