"""Web sessions: sign-in, expiry by idle and absolute time, refresh of the access token with the
one-use refresh token, sign-out; the tokens at rest only usable with the browser's session id."""

import threading

import pytest
from sqlalchemy import select

from akta_gateway.identity_client import IdentityUnavailable, SignInLocked, SignInRejected
from akta_gateway.session_store import web_sessions
from tests.unit.gateway.fake_identity import ORGANISATION, PASSWORD, USERNAME


def _sign_in(sessions):
    return sessions.sign_in(ORGANISATION, USERNAME, PASSWORD)


def test_a_correct_password_opens_a_session_with_random_ids(sessions, identity):
    first, second = _sign_in(sessions), _sign_in(sessions)
    assert first.session_id != second.session_id and len(first.session_id) >= 43
    assert first.csrf_token != second.csrf_token and first.csrf_token != first.session_id
    assert sessions.current(first.session_id) == first
    assert (first.organisation, first.username, first.access_token) == (ORGANISATION, USERNAME, "at-1")


def test_wrong_credentials_and_a_lock_open_nothing(sessions, identity, gateway):
    with pytest.raises(SignInRejected):
        sessions.sign_in(ORGANISATION, USERNAME, "wrong")
    identity.locked_for_seconds = 290
    with pytest.raises(SignInLocked) as locked:
        _sign_in(sessions)
    assert locked.value.retry_after_seconds == 290
    with gateway.database.engine.connect() as connection:
        assert connection.execute(select(web_sessions)).all() == []


def test_unknown_or_missing_session_ids_find_nothing(sessions):
    _sign_in(sessions)
    assert sessions.current("not-a-session") is None
    assert sessions.current("") is None
    assert sessions.current(None) is None


def test_a_session_ends_after_the_idle_time(sessions, clock, settings):
    session = _sign_in(sessions)
    clock.advance(minutes=settings.session_idle_minutes - 1)
    assert sessions.current(session.session_id) is not None
    clock.advance(minutes=settings.session_idle_minutes - 1)
    assert sessions.current(session.session_id) is not None, "each use restarts the idle time"
    clock.advance(minutes=settings.session_idle_minutes)
    assert sessions.current(session.session_id) is None
    assert sessions.store.find(session.session_id) is None, "an expired session is deleted when met"


def test_a_session_ends_after_its_lifetime_however_busy(sessions, clock, settings):
    session = _sign_in(sessions)
    for _ in range(settings.session_absolute_hours - 1):
        clock.advance(hours=1)
        assert sessions.current(session.session_id) is not None
    clock.advance(hours=1)
    assert sessions.current(session.session_id) is None


def test_last_use_is_written_at_most_once_a_minute(sessions, clock):
    session = _sign_in(sessions)
    clock.advance(seconds=30)
    sessions.current(session.session_id)
    assert sessions.store.find(session.session_id).last_seen_at == session.last_seen_at
    clock.advance(seconds=31)
    sessions.current(session.session_id)
    assert sessions.store.find(session.session_id).last_seen_at == clock()


def test_expired_sessions_are_purged_at_each_sign_in(sessions, clock, gateway, settings):
    old = _sign_in(sessions)
    clock.advance(minutes=settings.session_idle_minutes + 1)
    new = _sign_in(sessions)
    with gateway.database.engine.connect() as connection:
        assert len(connection.execute(select(web_sessions)).all()) == 1
    assert sessions.store.find(old.session_id) is None and sessions.store.find(new.session_id) is not None


def test_an_access_token_about_to_expire_is_refreshed_and_the_refresh_token_replaced(sessions, clock, identity):
    session = _sign_in(sessions)
    clock.advance(minutes=13)
    assert sessions.current(session.session_id).access_token == "at-1", "still good for two minutes"
    clock.advance(minutes=1, seconds=30)
    refreshed = sessions.current(session.session_id)
    assert refreshed.access_token == "at-2" and refreshed.access_expires_at > clock()
    assert refreshed.refresh_token == "rt-2" and identity.refresh_tokens["rt-1"] == "used"
    assert sessions.store.find(session.session_id) == refreshed
    assert identity.paths().count("/token/refresh") == 1


def test_a_refused_refresh_ends_the_session(sessions, clock, identity):
    session = _sign_in(sessions)
    identity.refresh_tokens["rt-1"] = "revoked"
    clock.advance(minutes=15)
    assert sessions.current(session.session_id) is None
    assert sessions.store.find(session.session_id) is None


def test_identity_out_of_reach_during_a_refresh_keeps_the_session(sessions, clock, identity):
    session = _sign_in(sessions)
    clock.advance(minutes=15)
    identity.unavailable = True
    with pytest.raises(IdentityUnavailable):
        sessions.current(session.session_id)
    identity.unavailable = False
    assert sessions.current(session.session_id).access_token == "at-2"


def test_concurrent_requests_spend_the_refresh_token_once(sessions, clock, identity):
    session = _sign_in(sessions)
    clock.advance(minutes=15)
    identity.refresh_delay_seconds = 0.2
    found = []

    def request() -> None:
        found.append(sessions.current(session.session_id))

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [item.access_token for item in found] == ["at-2"] * 4
    assert identity.paths().count("/token/refresh") == 1


def test_sign_out_revokes_the_refresh_token_and_forgets_the_session(sessions, identity):
    session = _sign_in(sessions)
    assert sessions.sign_out(session.session_id, session.csrf_token)
    assert identity.refresh_tokens["rt-1"] == "revoked"
    assert sessions.current(session.session_id) is None


def test_sign_out_needs_the_sessions_csrf_token(sessions, identity):
    session = _sign_in(sessions)
    assert not sessions.sign_out(session.session_id, "forged")
    assert identity.refresh_tokens["rt-1"] == "live" and sessions.current(session.session_id) is not None


def test_sign_out_while_identity_is_down_still_forgets_the_session(sessions, identity):
    session = _sign_in(sessions)
    identity.unavailable = True
    assert sessions.sign_out(session.session_id, session.csrf_token)
    assert sessions.store.find(session.session_id) is None


def test_the_table_alone_holds_no_usable_token_or_session_id(sessions, gateway):
    session = _sign_in(sessions)
    with gateway.database.engine.connect() as connection:
        (row,) = connection.execute(select(web_sessions)).all()
    stored = " ".join(str(value) for value in row)
    for secret in (session.session_id, session.access_token, session.refresh_token):
        assert secret not in stored
    assert "at-1" not in repr(session) and session.session_id not in repr(session)


def test_signing_in_again_ends_the_browsers_previous_session(sessions, identity):
    previous = _sign_in(sessions)
    current = sessions.sign_in(ORGANISATION, USERNAME, PASSWORD, replacing=previous.session_id)
    assert sessions.current(previous.session_id) is None and sessions.current(current.session_id) is not None
    assert identity.live_refresh_tokens() == [current.refresh_token]
