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
        scheme, _, credential = authorization.partition(" ")
        credential = credential.strip()
        if scheme.lower() == "bearer" and credential:
            if looks_like_api_key(credential):
                return self._api_key(credential)
            principal = self.verifier.verify(credential)
            if self.store is not None:
                if not self.store.tenant_exists(principal.tenant_id):
                    raise Unauthenticated("the token names an organisation this installation does not know")
                if self.store.is_deactivated(principal.subject_id):
                    raise Unauthenticated("this account is deactivated")
            return principal
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
    principal = current_principal(authenticator)
    scope = getattr(g, "access_scope", None)
    if scope is None:
        scope = authenticator.store.scope(principal, datetime.now(UTC))
        g.access_scope = scope
    return principal, scope


def _basic_credentials(credential: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(credential, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated("malformed Basic credentials") from None
    key_id, _, secret = decoded.partition(":")
    if not key_id or not secret:
        raise Unauthenticated("Basic credentials need the key id as user name and the secret as password")
    return key_id, secret
