"""Identity's token endpoints in memory, served to the gateway's real HTTP client through
httpx.MockTransport: one-use refresh tokens, a lock, and an outage on demand."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

ORGANISATION, USERNAME, PASSWORD = "demo-skole", "demo", "demo-demo"
ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)


@dataclass
class Clock:
    now: datetime = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **duration) -> None:
        self.now += timedelta(**duration)


@dataclass
class FakeIdentity:
    clock: Clock
    locked_for_seconds: int | None = None
    unavailable: bool = False
    refresh_delay_seconds: float = 0.0
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # token -> live, used, revoked
    access_tokens: dict[str, datetime] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def http(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle), base_url="http://identity.test")

    def paths(self) -> list[str]:
        return [request.url.path for request in self.requests]

    def live_refresh_tokens(self) -> list[str]:
        return [token for token, state in self.refresh_tokens.items() if state == "live"]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.unavailable:
            return _problem(503, "Service Unavailable")
        body = json.loads(request.content) if request.content else {}
        match request.method, request.url.path:
            case "POST", "/token":
                return self._sign_in(body)
            case "POST", "/token/refresh":
                return self._refresh(body["refresh_token"])
            case "POST", "/token/revoke":
                with self._lock:
                    if body["refresh_token"] in self.refresh_tokens:
                        self.refresh_tokens[body["refresh_token"]] = "revoked"
                return httpx.Response(204)
            case "GET", "/me":
                token = request.headers.get("Authorization", "").removeprefix("Bearer ")
                if self.access_tokens.get(token, self.clock()) <= self.clock():
                    return _problem(401, "Unauthorized")
                return httpx.Response(200, json={"name": "Demo Sagsbehandler", "roles": ["caseworker"]})
        return _problem(404, "Not Found")

    def _sign_in(self, body: dict) -> httpx.Response:
        if self.locked_for_seconds is not None:
            return _problem(429, "Too Many Requests", retry_after_seconds=self.locked_for_seconds)
        if (body["organisation"], body["username"], body["password"]) != (ORGANISATION, USERNAME, PASSWORD):
            return _problem(401, "Unauthorized", detail="wrong organisation, user name or password")
        return self._token_pair()

    def _refresh(self, refresh_token: str) -> httpx.Response:
        time.sleep(self.refresh_delay_seconds)
        with self._lock:
            if self.refresh_tokens.get(refresh_token) != "live":
                return _problem(401, "Unauthorized", detail="this refresh token was already used")
            self.refresh_tokens[refresh_token] = "used"
        return self._token_pair()

    def _token_pair(self) -> httpx.Response:
        with self._lock:
            number = next(self._numbers)
            access_token, refresh_token = f"at-{number}", f"rt-{number}"
            expires_at = self.clock() + ACCESS_TOKEN_LIFETIME
            self.access_tokens[access_token] = expires_at
            self.refresh_tokens[refresh_token] = "live"
        return httpx.Response(200, json={
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_at": expires_at.isoformat().replace("+00:00", "Z"),
            "refresh_token": refresh_token,
        })


def _problem(status: int, title: str, **extra) -> httpx.Response:
    return httpx.Response(
        status, json={"type": "about:blank", "title": title, "status": status, **extra},
        headers={"Content-Type": "application/problem+json"},
    )
