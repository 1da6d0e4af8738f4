"""Authenticating the caller of an HTTP request from its bearer token."""

from __future__ import annotations

from flask import g, request

from akta import context
from akta.auth.principal import Principal
from akta.auth.tokens import TokenVerifier
from akta.errors import Unauthenticated


def current_principal(verifier: TokenVerifier) -> Principal:
    """The verified caller of this request, or 401."""
    principal = getattr(g, "principal", None)
    if principal is not None:
        return principal
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("a bearer token is required (Authorization: Bearer …)")
    principal = verifier.verify(token.strip())
    g.principal = principal
    context.set_actor(principal.actor)
    return principal
