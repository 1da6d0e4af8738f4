"""The `idempotency_keys` table every service with idempotent endpoints has in its own schema,
and the steps a keyed request goes through (see `akta.web.idempotency` for the HTTP side).

A key belongs to (tenant, caller, key) and moves through three states:

    in_progress  reserved in a transaction of its own before the request runs; `attempt_id`
                 names the attempt that holds it, `locked_until` ends its lease
    applied      written INSIDE the transaction of the request's effect, with the resources it
                 touched: once the effect commits, the key can never run the request again
    completed    the response is stored; every retry gets it back

A crash before the effect commits leaves `in_progress`: its lease runs out and a retry runs the
request afresh (nothing had happened). A crash between the effect and storing the response
leaves `applied`: a retry never repeats the effect, it gets the response rebuilt from the
resources. The effect's transaction only commits while its attempt still holds the key, so an
attempt that outlived its lease cannot add a second effect after a retry took over.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import (
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    select,
    update,
)
from sqlalchemy.orm import Session

from akta.db.database import Database
from akta.db.types import UtcDateTime, utcnow

KEY_LIFETIME = timedelta(days=7)
IN_PROGRESS_LEASE = timedelta(minutes=5)  # well over gunicorn's 60-second request timeout

IN_PROGRESS = "in_progress"
APPLIED = "applied"
COMPLETED = "completed"

idempotency_metadata = MetaData()


def _columns() -> list:
    return [
        Column("tenant_id", String(64), primary_key=True),
        Column("principal", String(200), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("request_method", String(10), nullable=False),
        Column("request_path", String(2000), nullable=False),
        Column("request_sha256", String(64), nullable=False),
        Column("status", String(20), nullable=False),
        Column("attempt_id", String(36), nullable=False),
        Column("locked_until", UtcDateTime, nullable=True),
        Column("resources", Text, nullable=True),
        Column("response_status", Integer, nullable=True),
        Column("response_headers", Text, nullable=True),
        Column("response_body", LargeBinary, nullable=True),
        Column("created_at", UtcDateTime, nullable=False),
        Column("completed_at", UtcDateTime, nullable=True),
    ]


idempotency_keys = Table("idempotency_keys", idempotency_metadata, *_columns())
Index("ix_idempotency_keys_created", idempotency_keys.c.created_at)


def create_idempotency_table(op) -> None:
    """For a service's Alembic migration: create its idempotency keys."""
    op.create_table("idempotency_keys", *_columns())
    op.create_index("ix_idempotency_keys_created", "idempotency_keys", ["created_at"])


@dataclass(frozen=True)
class KeyId:
    tenant_id: str
    principal: str
    key: str

    def where(self):
        return and_(
            idempotency_keys.c.tenant_id == self.tenant_id,
            idempotency_keys.c.principal == self.principal,
            idempotency_keys.c.key == self.key,
        )


@dataclass(frozen=True)
class Fingerprint:
    """What makes a retry the same request: method, path and the SHA-256 of the body."""

    method: str
    path: str
    body_sha256: str


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class KeyRecord:
    key_id: KeyId
    fingerprint: Fingerprint
    status: str
    attempt_id: str
    locked_until: datetime | None
    created_at: datetime
    resources: list[dict[str, str]] = field(default_factory=list)
    response: StoredResponse | None = None

    def lease_running(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def claim(
    session: Session,
    key_id: KeyId,
    fingerprint: Fingerprint,
    now: datetime | None = None,
    lease: timedelta = IN_PROGRESS_LEASE,
    lifetime: timedelta = KEY_LIFETIME,
) -> tuple[str | None, KeyRecord]:
    """Reserve the key for a new attempt. Returns the attempt id when this caller holds the key
    now (a new key, an expired one, or an in-progress one whose lease ran out), else None with
    the record as it stands. Call in a transaction of its own and commit before the request runs."""
    now = now or utcnow()
    attempt_id = str(uuid.uuid4())
    session.execute(
        delete(idempotency_keys).where(key_id.where(), idempotency_keys.c.created_at <= now - lifetime)
    )
    record = None
    while record is None:  # again only if the holder released the key between our two statements
        session.execute(
            _insert_if_absent(session.get_bind()).values(
                tenant_id=key_id.tenant_id,
                principal=key_id.principal,
                key=key_id.key,
                request_method=fingerprint.method,
                request_path=fingerprint.path,
                request_sha256=fingerprint.body_sha256,
                status=IN_PROGRESS,
                attempt_id=attempt_id,
                locked_until=now + lease,
                created_at=now,
            )
        )
        record = _load(session, key_id)  # (an INSERT's rowcount is not reliable on every driver)
        if record is not None and record.attempt_id == attempt_id:
            return attempt_id, record
    if record.status == IN_PROGRESS and record.fingerprint == fingerprint and not record.lease_running(now):
        taken = session.execute(
            update(idempotency_keys)
            .where(
                key_id.where(),
                idempotency_keys.c.attempt_id == record.attempt_id,
                idempotency_keys.c.status == IN_PROGRESS,
            )
            .values(attempt_id=attempt_id, locked_until=now + lease)
        )
        if taken.rowcount == 1:
            return attempt_id, _load(session, key_id)
        record = _load(session, key_id)
        if record is None:
            return claim(session, key_id, fingerprint, now, lease, lifetime)
    return None, record


def mark_applied(session: Session, key_id: KeyId, attempt_id: str, resources: list[dict[str, str]]) -> bool:
    """Inside the effect's transaction: the request took effect. False when the attempt no longer
    holds the key (its lease ran out and a retry took over): the caller must roll back. The lease
    keeps running, so a retry meanwhile is told the request is in flight, not handed a rebuilt answer."""
    result = session.execute(
        update(idempotency_keys)
        .where(
            key_id.where(),
            idempotency_keys.c.attempt_id == attempt_id,
            idempotency_keys.c.status.in_((IN_PROGRESS, APPLIED)),
        )
        .values(status=APPLIED, resources=json.dumps(resources))
    )
    return result.rowcount == 1


def complete(
    session: Session, key_id: KeyId, attempt_id: str, response: StoredResponse, now: datetime | None = None
) -> bool:
    """Store the response every retry will get."""
    result = session.execute(
        update(idempotency_keys)
        .where(
            key_id.where(),
            idempotency_keys.c.attempt_id == attempt_id,
            idempotency_keys.c.status.in_((IN_PROGRESS, APPLIED)),
        )
        .values(
            status=COMPLETED,
            locked_until=None,
            response_status=response.status,
            response_headers=json.dumps(response.headers),
            response_body=response.body,
            completed_at=now or utcnow(),
        )
    )
    return result.rowcount == 1


def release(session: Session, key_id: KeyId, attempt_id: str) -> None:
    """Forget a reservation whose request took no effect, so the key can be used again."""
    session.execute(
        delete(idempotency_keys).where(
            key_id.where(),
            idempotency_keys.c.attempt_id == attempt_id,
            idempotency_keys.c.status == IN_PROGRESS,
        )
    )


def purge_idempotency_keys(database: Database, now: datetime | None = None, lifetime: timedelta = KEY_LIFETIME) -> int:
    """Purge a service's expired keys; 0 when its schema has no such table (the relay calls this
    for every service, now and then)."""
    with database.engine.begin() as connection:
        if not sa.inspect(connection).has_table("idempotency_keys", schema=database.schema):
            return 0
        cutoff = (now or utcnow()) - lifetime
        return connection.execute(delete(idempotency_keys).where(idempotency_keys.c.created_at <= cutoff)).rowcount


def _insert_if_absent(bind):
    if bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(idempotency_keys).on_conflict_do_nothing(
        index_elements=[idempotency_keys.c.tenant_id, idempotency_keys.c.principal, idempotency_keys.c.key]
    )


def _load(session: Session, key_id: KeyId) -> KeyRecord | None:
    row = session.execute(select(idempotency_keys).where(key_id.where())).mappings().one_or_none()
    if row is None:
        return None
    response = None
    if row["response_status"] is not None:
        response = StoredResponse(row["response_status"], json.loads(row["response_headers"]), bytes(row["response_body"]))
    return KeyRecord(
        key_id=key_id,
        fingerprint=Fingerprint(row["request_method"], row["request_path"], row["request_sha256"]),
        status=row["status"],
        attempt_id=row["attempt_id"],
        locked_until=row["locked_until"],
        created_at=row["created_at"],
        resources=json.loads(row["resources"]) if row["resources"] else [],
        response=response,
    )
