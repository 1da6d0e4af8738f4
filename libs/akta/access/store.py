"""Where a service reads credentials and grants: its local copy of identity's access state."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from akta.access.scope import AccessScope, load_scope
from akta.access.tables import access_api_keys, access_deactivated_subjects, access_tenants
from akta.auth.principal import Principal
from akta.db.database import Database

UNKNOWN_TENANT = "the token names an organisation this installation does not know"
DEACTIVATED = "this account is deactivated"


@dataclass(frozen=True)
class ApiKeyRecord:
    key_id: str
    tenant_id: str
    account_id: str
    account_name: str
    secret_sha256: str
    scopes: frozenset[str]
    revoked: bool


class AccessStore(abc.ABC):
    @abc.abstractmethod
    def api_key(self, key_id: str) -> ApiKeyRecord | None: ...

    @abc.abstractmethod
    def is_deactivated(self, subject_id: str) -> bool: ...

    @abc.abstractmethod
    def tenant_exists(self, tenant_id: str) -> bool: ...

    @abc.abstractmethod
    def scope(self, principal: Principal, now: datetime) -> AccessScope: ...

    def refuses(self, tenant_id: str, subject_id: str) -> str | None:
        """Why a caller with a valid token is refused (its organisation unknown here, or the
        account deactivated), or None."""
        if not self.tenant_exists(tenant_id):
            return UNKNOWN_TENANT
        if self.is_deactivated(subject_id):
            return DEACTIVATED
        return None

    def refusal_or_scope(self, principal: Principal, now: datetime) -> tuple[str | None, AccessScope | None]:
        """`refuses`, and when the caller is not refused, their `scope`."""
        refusal = self.refuses(principal.tenant_id, principal.subject_id)
        return (refusal, None) if refusal is not None else (None, self.scope(principal, now))


class ReplicaAccessStore(AccessStore):
    """Reads the `access_*` tables the service keeps from identity's events."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def api_key(self, key_id: str) -> ApiKeyRecord | None:
        with self.database.read_session() as session:
            row = session.execute(select(access_api_keys).where(access_api_keys.c.key_id == key_id)).mappings().one_or_none()
        if row is None or row["secret_sha256"] is None:
            return None
        return ApiKeyRecord(
            key_id=row["key_id"],
            tenant_id=row["tenant_id"],
            account_id=row["account_id"],
            account_name=row["account_name"],
            secret_sha256=row["secret_sha256"],
            scopes=frozenset(row["scopes"] or ()),
            revoked=row["revoked"],
        )

    def is_deactivated(self, subject_id: str) -> bool:
        with self.database.read_session() as session:
            return session.scalar(
                select(access_deactivated_subjects.c.subject_id).where(
                    access_deactivated_subjects.c.subject_id == subject_id
                )
            ) is not None

    def tenant_exists(self, tenant_id: str) -> bool:
        with self.database.read_session() as session:
            return session.scalar(select(access_tenants.c.tenant_id).where(access_tenants.c.tenant_id == tenant_id)) is not None

    def scope(self, principal: Principal, now: datetime) -> AccessScope:
        with self.database.read_session() as session:
            return load_scope(session, principal, now)

    def refuses(self, tenant_id: str, subject_id: str) -> str | None:
        """Both checks in one statement: every request makes them."""
        with self.database.read_session() as session:
            return _refusal(session, tenant_id, subject_id)

    def refusal_or_scope(self, principal: Principal, now: datetime) -> tuple[str | None, AccessScope | None]:
        """In one session: most requests need both."""
        with self.database.read_session() as session:
            refusal = _refusal(session, principal.tenant_id, principal.subject_id)
            return (refusal, None) if refusal is not None else (None, load_scope(session, principal, now))


def _refusal(session, tenant_id: str, subject_id: str) -> str | None:
    tenant_known = select(access_tenants.c.tenant_id).where(access_tenants.c.tenant_id == tenant_id).exists()
    deactivated = select(access_deactivated_subjects.c.subject_id).where(
        access_deactivated_subjects.c.subject_id == subject_id
    ).exists()
    known, inactive = session.execute(select(tenant_known, deactivated)).one()
    if not known:
        return UNKNOWN_TENANT
    return DEACTIVATED if inactive else None
