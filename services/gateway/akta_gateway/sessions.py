"""Signing in and out of the web UI, and keeping each session's access token fresh."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import structlog

from akta.db.types import utcnow
from akta_gateway.identity_client import IdentityClient, IdentityUnavailable, RefreshRejected
from akta_gateway.session_store import SessionStore, WebSession

log = structlog.get_logger("akta.gateway.sessions")

# A token this close to its end may expire on the way to the service; refresh it first.
REFRESH_BEFORE_EXPIRY = timedelta(seconds=60)
# Recording every request's time would be a write per API call; the idle timeout is hours.
TOUCH_AT_MOST_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionPolicy:
    idle_timeout: timedelta = timedelta(hours=8)
    lifetime: timedelta = timedelta(hours=24)

    def expired(self, session: WebSession, now: datetime) -> bool:
        return now - session.last_seen_at >= self.idle_timeout or now - session.created_at >= self.lifetime


class Sessions:
    def __init__(
        self,
        store: SessionStore,
        identity: IdentityClient,
        policy: SessionPolicy,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.identity = identity
        self.policy = policy
        self.clock = clock

    def sign_in(
        self,
        organisation: str,
        username: str,
        password: str,
        headers: dict[str, str] | None = None,
        replacing: str | None = None,
    ) -> WebSession:
        """A new session for a correct password; identity's SignInRejected or SignInLocked otherwise.
        The browser's previous session, `replacing`, ends: one browser, one session."""
        pair = self.identity.sign_in(organisation, username, password, headers)
        previous = self.store.find(replacing) if replacing else None
        if previous is not None:
            self._end(previous, headers)
        now = self.clock()
        self.store.purge(unused_since=now - self.policy.idle_timeout, created_before=now - self.policy.lifetime)
        session = WebSession(
            session_id=secrets.token_urlsafe(32),
            csrf_token=secrets.token_urlsafe(32),
            organisation=organisation,
            username=username,
            access_token=pair.access_token,
            access_expires_at=pair.expires_at,
            refresh_token=pair.refresh_token,
            created_at=now,
            last_seen_at=now,
        )
        self.store.add(session)
        return session

    def current(self, session_id: str | None) -> WebSession | None:
        """The live session with an access token good for a while yet, or None.
        Raises IdentityUnavailable when a needed refresh cannot reach identity."""
        if not session_id:
            return None
        session = self.store.find(session_id)
        if session is None:
            return None
        now = self.clock()
        if self.policy.expired(session, now):
            self.store.delete(session_id)
            return None
        if session.access_expires_at - now <= REFRESH_BEFORE_EXPIRY:
            return self.store.change_locked(session_id, self._refreshed)
        if now - session.last_seen_at >= TOUCH_AT_MOST_EVERY:
            self.store.touch(session_id, now)
        return session

    def sign_out(self, session_id: str | None, csrf_token: str, headers: dict[str, str] | None = None) -> bool:
        """Revoke the session's refresh token at identity and forget the session. False, and
        nothing done, when `csrf_token` is not the session's (a forged sign-out form)."""
        session = self.store.find(session_id) if session_id else None
        if session is None:
            return True
        if not hmac.compare_digest(csrf_token.encode(), session.csrf_token.encode()):
            return False
        self._end(session, headers)
        return True

    def _end(self, session: WebSession, headers: dict[str, str] | None) -> None:
        try:
            self.identity.revoke(session.refresh_token, headers)
        except IdentityUnavailable as error:
            # The user still leaves: the token is gone with the row, and nobody else held it.
            log.warning("refresh token not revoked at sign-out", reason=str(error))
        self.store.delete(session.session_id)

    def _refreshed(self, session: WebSession) -> WebSession | None:
        now = self.clock()
        if session.access_expires_at - now > REFRESH_BEFORE_EXPIRY:
            return session  # another request refreshed it while this one waited for the lock
        try:
            pair = self.identity.refresh(session.refresh_token)
        except RefreshRejected:
            return None
        return replace(
            session,
            access_token=pair.access_token,
            access_expires_at=pair.expires_at,
            refresh_token=pair.refresh_token,
            last_seen_at=now,
        )
