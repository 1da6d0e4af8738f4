"""Authenticating the caller of an HTTP request, and the caller's access scope.

Accepted credentials: `Authorization: Bearer <JWT from identity>`, `Authorization: Bearer
<API key>` and HTTP Basic with an API key (key id as user name, secret as password) for simple
integration clients. Everything is checked locally: the token's signature with identity's public
key, API keys and deactivations against the service's copy of identity's access state.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from flask import g, request

from akta import context
from akta.access.api_keys import looks_like_api_key, parse_api_key, secret_matches
from akta.access.scope import AccessScope
from akta.access.store import AccessStore
from akta.auth.principal import Principal
from akta.auth.tokens import TokenVerifier
from akta.errors import Unauthenticated


class Authenticator:
    def __init__(self, verifier: TokenVerifier, store: AccessStore | None) -> None:
        self.verifier = verifier
        self.store = store

    def authenticate(self, authorization: str) -> Principal:
        token = _bearer_token(authorization)
        if token is not None:
            principal = self.verifier.verify(token)
            if self.store is not None:
                refusal = self.store.refuses(principal.tenant_id, principal.subject_id)
                if refusal is not None:
                    raise Unauthenticated(refusal)
            return principal
        return self._other_credentials(authorization)

    def authenticate_with_scope(self, authorization: str, now: datetime) -> tuple[Principal, AccessScope]:
        """`authenticate`, and the caller's grants in force, in one read of the store where it can."""
        token = _bearer_token(authorization)
        if token is None:
            principal = self._other_credentials(authorization)
            return principal, self.store.scope(principal, now)
        principal = self.verifier.verify(token)
        refusal, scope = self.store.refusal_or_scope(principal, now)
        if refusal is not None:
            raise Unauthenticated(refusal)
        return principal, scope

    def _other_credentials(self, authorization: str) -> Principal:
        scheme, _, credential = authorization.partition(" ")
        credential = credential.strip()
        if scheme.lower() == "bearer" and credential:
            return self._api_key(credential)
        if scheme.lower() == "basic" and credential:
            key_id, secret = _basic_credentials(credential)
            return self._api_key(f"akta_{key_id}_{secret}")
        raise Unauthenticated("send a bearer token or an API key (Authorization: Bearer …)")

    def _api_key(self, api_key: str) -> Principal:
        parsed = parse_api_key(api_key)
        record = self.store.api_key(parsed[0]) if parsed and self.store is not None else None
        if record is None or record.revoked or not secret_matches(parsed[1], record.secret_sha256):
            raise Unauthenticated("unknown or revoked API key")
        if self.store.is_deactivated(record.account_id):
            raise Unauthenticated("this service account is deactivated")
        return Principal(
            tenant_id=record.tenant_id,
            subject_id=record.account_id,
            subject_kind="service",
            name=record.account_name,
            scopes=record.scopes,
        )


def current_principal(authenticator: Authenticator | TokenVerifier) -> Principal:
    """The verified caller of this request, or 401."""
    principal = getattr(g, "principal", None)
    if principal is not None:
        return principal
    if isinstance(authenticator, TokenVerifier):
        authenticator = Authenticator(authenticator, None)
    principal = authenticator.authenticate(request.headers.get("Authorization", ""))
    g.principal = principal
    context.set_actor(principal.actor)
    return principal


def current_scope(authenticator: Authenticator) -> tuple[Principal, AccessScope]:
    """The caller and the grants in force for them at this moment."""
    scope = getattr(g, "access_scope", None)
    if scope is not None:
        return g.principal, scope
    principal = getattr(g, "principal", None)
    if principal is None:
        principal, scope = authenticator.authenticate_with_scope(request.headers.get("Authorization", ""), datetime.now(UTC))
        g.principal = principal
        context.set_actor(principal.actor)
    else:
        scope = authenticator.store.scope(principal, datetime.now(UTC))
    g.access_scope = scope
    return principal, scope


def _bearer_token(authorization: str) -> str | None:
    """The JWT of `Bearer <token>`; None for anything else (API keys, Basic, nothing)."""
    scheme, _, credential = authorization.partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer" and credential and not looks_like_api_key(credential):
        return credential
    return None


def _basic_credentials(credential: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(credential, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated("malformed Basic credentials") from None
    key_id, _, secret = decoded.partition(":")
    if not key_id or not secret:
        raise Unauthenticated("Basic credentials need the key id as user name and the secret as password")
    return key_id, secret
