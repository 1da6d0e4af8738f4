"""Access scopes for tests of handlers that check grants."""

from akta.access.scope import AccessScope


def writer(tenant_id: str, *access_groups: str, codes: tuple[str, ...] = ()) -> AccessScope:
    """May read and write in `access_groups`, and see the screening `codes`."""
    groups, screening = frozenset(access_groups), frozenset(codes)
    return AccessScope(tenant_id, groups, groups, screening, screening)


def reader(tenant_id: str, *access_groups: str, codes: tuple[str, ...] = ()) -> AccessScope:
    return AccessScope(tenant_id, read_groups=frozenset(access_groups), read_codes=frozenset(codes))
