"""HTTP API of the identity service."""

from __future__ import annotations

from flask import jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from akta.auth.tokens import TokenSigner
from akta.service import Service
from akta.web.app import create_app
from akta.web.auth import current_principal
from akta_identity.access.api import (
    TokenPairOut,
    create_access_blueprint,
    create_token_blueprint,
    token_pair_response,
)
from akta_identity.audit.api import audit_api
from akta_identity.directory_sync.api import create_directory_blueprint
from akta_identity.service_layer import handlers


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation: str = Field(min_length=1, max_length=63, description="The organisation's slug.")
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)


class MeOut(BaseModel):
    tenant_id: str
    subject_id: str
    subject_kind: str
    name: str
    roles: list[str]


def create_api(service: Service, signer: TokenSigner):
    app = create_app("identity", "Akta identity", service.readiness_checks())
    api = APIBlueprint("identity", __name__, abp_tags=[Tag(name="identity")])

    @api.post("/token", responses={200: TokenPairOut})
    def issue_token(body: SignIn):
        """Sign in with a password: a short-lived bearer token for the APIs and a refresh token.
        Repeated failures lock the name for a while (429)."""
        pair = handlers.sign_in(body.organisation, body.username, body.password, service.unit_of_work(), signer)
        return token_pair_response(pair)

    @api.get("/me", responses={200: MeOut}, security=[{"bearer": []}])
    def me():
        """Who the bearer token says you are."""
        principal = current_principal(service.authenticator)
        return jsonify(
            MeOut(
                tenant_id=principal.tenant_id,
                subject_id=principal.subject_id,
                subject_kind=principal.subject_kind,
                name=principal.name,
                roles=sorted(principal.roles),
            ).model_dump()
        )

    app.register_api(api)
    app.register_api(audit_api(service))
    app.register_api(create_token_blueprint(service, signer))
    app.register_api(create_access_blueprint(service))
    app.register_api(create_directory_blueprint(service))
    return app
