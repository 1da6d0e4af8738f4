"""The identity service's token endpoints, as the gateway calls them over HTTP.

Real mode sends the requests to identity's URL; embedded mode hands the same client an
`httpx.WSGITransport` around identity's in-process app, so both modes run this code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_at: datetime
    refresh_token: str


class SignInRejected(Exception):
    """Wrong organisation, user name or password; identity does not say which."""


class SignInLocked(Exception):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"sign-in locked for {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class RefreshRejected(Exception):
    """The refresh token is unknown, expired, used or revoked: the user must sign in again."""


class IdentityUnavailable(Exception):
    """Identity could not be reached or failed; nothing about the credentials is known."""


class IdentityClient:
    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def sign_in(
        self, organisation: str, username: str, password: str, headers: dict[str, str] | None = None
    ) -> TokenPair:
        response = self._post(
            "/token", {"organisation": organisation, "username": username, "password": password}, headers
        )
        if response.status_code == 429:
            raise SignInLocked(int(response.json().get("retry_after_seconds", 60)))
        if response.status_code in (400, 401, 422):
            # 422: a field too long or empty; for the user that is a wrong credential too.
            raise SignInRejected()
        return _token_pair(response)

    def refresh(self, refresh_token: str) -> TokenPair:
        response = self._post("/token/refresh", {"refresh_token": refresh_token})
        if response.status_code in (400, 401, 422):
            raise RefreshRejected()
        return _token_pair(response)

    def revoke(self, refresh_token: str, headers: dict[str, str] | None = None) -> None:
        response = self._post("/token/revoke", {"refresh_token": refresh_token}, headers)
        if response.status_code not in (204, 401, 422):
            raise IdentityUnavailable(f"identity answered {response.status_code} to a revocation")

    def me(self, access_token: str) -> dict:
        try:
            response = self.http.get("/me", headers={"Authorization": f"Bearer {access_token}"})
        except httpx.HTTPError as error:
            raise IdentityUnavailable(type(error).__name__) from error
        if response.status_code != 200:
            raise IdentityUnavailable(f"identity answered {response.status_code} to /me")
        return response.json()

    def _post(self, path: str, body: dict, headers: dict[str, str] | None = None) -> httpx.Response:
        try:
            response = self.http.post(path, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise IdentityUnavailable(type(error).__name__) from error
        if response.status_code >= 500:
            raise IdentityUnavailable(f"identity answered {response.status_code}")
        return response


def _token_pair(response: httpx.Response) -> TokenPair:
    if response.status_code != 200:
        raise IdentityUnavailable(f"identity answered {response.status_code}")
    body = response.json()
    return TokenPair(
        access_token=body["access_token"],
        expires_at=datetime.fromisoformat(body["expires_at"]),
        refresh_token=body["refresh_token"],
    )
