"""Web sessions in the gateway's own table: the only data the gateway keeps.

The browser holds nothing but a random session id. The table is keyed by a hash of that id and
the tokens are sealed with a key derived from it, so the table alone (a backup, a leaked dump)
lets nobody act as a user.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, MetaData, String, Table, Text, delete, insert, or_, select, update

from akta.db.database import Database
from akta.db.types import UtcDateTime

metadata = MetaData()

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("csrf_token", String(64), nullable=False),
    Column("organisation", String(63), nullable=False),
    Column("username", String(100), nullable=False),
    Column("sealed_tokens", Text, nullable=False),
    Column("access_expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    Column("last_seen_at", UtcDateTime, nullable=False, index=True),
)


@dataclass(frozen=True)
class WebSession:
    session_id: str = field(repr=False)
    csrf_token: str = field(repr=False)
    organisation: str
    username: str
    access_token: str = field(repr=False)
    access_expires_at: datetime
    refresh_token: str = field(repr=False)
    created_at: datetime
    last_seen_at: datetime


class SessionStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, session: WebSession) -> None:
        with self.database.engine.begin() as connection:
            connection.execute(insert(web_sessions).values(
                id_hash=_lookup_key(session.session_id),
                csrf_token=session.csrf_token,
                organisation=session.organisation,
                username=session.username,
                sealed_tokens=_seal(session),
                access_expires_at=session.access_expires_at,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
            ))

    def find(self, session_id: str) -> WebSession | None:
        with self.database.engine.begin() as connection:
            row = connection.execute(_row_of(session_id)).first()
        return _session(session_id, row)

    def touch(self, session_id: str, at: datetime) -> None:
        with self.database.engine.begin() as connection:
            connection.execute(
                update(web_sessions).where(web_sessions.c.id_hash == _lookup_key(session_id)).values(last_seen_at=at)
            )

    def delete(self, session_id: str) -> None:
        with self.database.engine.begin() as connection:
            connection.execute(delete(web_sessions).where(web_sessions.c.id_hash == _lookup_key(session_id)))

    def purge(self, unused_since: datetime, created_before: datetime) -> int:
        """Delete every session last used before `unused_since` or created before `created_before`."""
        with self.database.engine.begin() as connection:
            result = connection.execute(delete(web_sessions).where(or_(
                web_sessions.c.last_seen_at < unused_since, web_sessions.c.created_at < created_before
            )))
        return result.rowcount

    def change_locked(
        self, session_id: str, change: Callable[[WebSession], WebSession | None]
    ) -> WebSession | None:
        """Apply `change` while holding the session's row, and store its result (None deletes).

        Two requests of one browser may both find the access token about to expire; the lock
        makes the second see the first one's new tokens instead of spending the refresh token
        again, which identity would take for theft and revoke the whole family.
        """
        lookup_key = _lookup_key(session_id)
        with self.database.engine.begin() as connection:
            current = _session(session_id, connection.execute(_row_of(session_id).with_for_update()).first())
            if current is None:
                return None
            changed = change(current)
            if changed is None:
                connection.execute(delete(web_sessions).where(web_sessions.c.id_hash == lookup_key))
            elif changed != current:
                connection.execute(update(web_sessions).where(web_sessions.c.id_hash == lookup_key).values(
                    sealed_tokens=_seal(changed),
                    access_expires_at=changed.access_expires_at,
                    last_seen_at=changed.last_seen_at,
                ))
        return changed


def _row_of(session_id: str):
    return select(web_sessions).where(web_sessions.c.id_hash == _lookup_key(session_id))


def _session(session_id: str, row) -> WebSession | None:
    if row is None:
        return None
    tokens = _unseal(session_id, row.sealed_tokens)
    if tokens is None:
        return None
    return WebSession(
        session_id=session_id,
        csrf_token=row.csrf_token,
        organisation=row.organisation,
        username=row.username,
        access_token=tokens["access_token"],
        access_expires_at=row.access_expires_at,
        refresh_token=tokens["refresh_token"],
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
    )


def _lookup_key(session_id: str) -> str:
    return hashlib.sha256(b"akta-session-lookup\0" + session_id.encode()).hexdigest()


def _sealing_key(session_id: str) -> bytes:
    # The session id is 256 random bits, so one hash with its own label is a sound key.
    return hashlib.sha256(b"akta-session-sealing\0" + session_id.encode()).digest()


def _seal(session: WebSession) -> str:
    nonce = os.urandom(12)
    plain = json.dumps({"access_token": session.access_token, "refresh_token": session.refresh_token}).encode()
    sealed = AESGCM(_sealing_key(session.session_id)).encrypt(
        nonce, plain, _lookup_key(session.session_id).encode()
    )
    return base64.b64encode(nonce + sealed).decode()


def _unseal(session_id: str, sealed_tokens: str) -> dict | None:
    raw = base64.b64decode(sealed_tokens)
    try:
        plain = AESGCM(_sealing_key(session_id)).decrypt(raw[:12], raw[12:], _lookup_key(session_id).encode())
    except InvalidTag:
        return None
    return json.loads(plain)
