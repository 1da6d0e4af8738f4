"""HTTP API of access administration (administrators), and the token endpoints."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Literal

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from akta.access.screening import SCREENING_CODES
from akta.service import Service
from akta.web.auth import current_principal
from akta.web.pagination import PageQuery
from akta_identity.access import handlers, review, views
from akta_identity.service_layer import handlers as identity_handlers

ADMIN = "administrator"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NameIn(Strict):
    name: str = Field(min_length=1, max_length=200)


class UnitIn(NameIn):
    parent_id: str | None = None


class AccessGroupIn(NameIn):
    description: str = Field(default="", max_length=1000)


class MemberIn(Strict):
    user_id: str = Field(min_length=1, max_length=36)


class UserIn(Strict):
    username: str = Field(min_length=1, max_length=100)
    display_name: str = Field(default="", max_length=200)
    password: str = Field(min_length=1, max_length=1024)
    roles: list[str] = Field(default_factory=lambda: ["caseworker"])
    unit_id: str | None = None


class UserChange(Strict):
    display_name: str | None = Field(default=None, max_length=200)
    roles: list[str] | None = None
    unit_id: str | None = None


class GrantIn(Strict):
    grantee_kind: Literal["user", "group", "service"]
    grantee_id: str = Field(min_length=1, max_length=64)
    scope_kind: Literal["access_group", "screening_code", "case"]
    scope_id: str = Field(min_length=1, max_length=64)
    permission: Literal["read", "write"]
    valid_from: datetime | None = None
    valid_until: datetime | None = Field(default=None, description="The grant stops working at this moment.")


class ServiceAccountIn(NameIn):
    scopes: list[str] = Field(min_length=1)


class RefreshIn(Strict):
    refresh_token: str = Field(min_length=1, max_length=200)


class TokenPairOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_at: datetime
    refresh_token: str


class ApiKeyOut(BaseModel):
    key_id: str
    api_key: str = Field(description="Shown once. Send as `Authorization: Bearer <api_key>`, or HTTP Basic with key_id and the secret.")


class GrantListQuery(PageQuery):
    grantee_id: str | None = None
    include_revoked: bool = False


class IdPath(BaseModel):
    item_id: str = Field(max_length=64)


class MemberPath(IdPath):
    user_id: str = Field(max_length=64)


class KeyPath(IdPath):
    key_id: str = Field(max_length=64)


class Created(BaseModel):
    id: str


class ReviewQuery(BaseModel):
    within_days: int = Field(default=14, ge=0, le=365, description="Mark grants ending within this many days.")


def _now() -> datetime:
    return datetime.now(UTC)


def token_pair_response(pair) -> dict:
    return TokenPairOut(access_token=pair.access_token, expires_at=pair.expires_at, refresh_token=pair.refresh_token).model_dump(mode="json")


def create_token_blueprint(service: Service, signer) -> APIBlueprint:
    api = APIBlueprint("tokens", __name__, abp_tags=[Tag(name="tokens")])

    @api.post("/token/refresh", responses={200: TokenPairOut})
    def refresh(body: RefreshIn):
        """Swap a refresh token for a new access token and refresh token (one use each)."""
        return token_pair_response(identity_handlers.refresh(body.refresh_token, service.unit_of_work(), signer))

    @api.post("/token/revoke", responses={204: None})
    def revoke(body: RefreshIn):
        """Sign out: the refresh token and its successors stop working."""
        identity_handlers.sign_out(body.refresh_token, service.unit_of_work())
        return Response(status=204)

    return api


def create_access_blueprint(service: Service) -> APIBlueprint:
    api = APIBlueprint("access", __name__, abp_security=[{"bearer": []}], abp_tags=[Tag(name="access administration")])

    def admin():
        principal = current_principal(service.authenticator)
        principal.require_role(ADMIN)
        return principal

    def created(item_id: str):
        return jsonify(id=item_id), 201

    @api.get("/screening-codes")
    def screening_codes():
        """The screening codes resources may carry and grants may name."""
        current_principal(service.authenticator)
        return jsonify(codes=[{"code": code, "description": text} for code, text in SCREENING_CODES.items()])

    @api.post("/units", responses={201: Created})
    def create_unit(body: UnitIn):
        tenant = admin().tenant_id
        return created(handlers.create_unit(service.unit_of_work(), tenant, body.name, body.parent_id).id)

    @api.get("/units")
    def list_units(query: PageQuery):
        items, total = views.list_units(service.database, admin().tenant_id, query.offset, query.page_size)
        return _page(items, total, query)

    @api.post("/access-groups", responses={201: Created})
    def create_access_group(body: AccessGroupIn):
        tenant = admin().tenant_id
        return created(handlers.create_access_group(service.unit_of_work(), tenant, body.name, body.description).id)

    @api.get("/access-groups")
    def list_access_groups(query: PageQuery):
        items, total = views.list_access_groups(service.database, admin().tenant_id, query.offset, query.page_size)
        return _page(items, total, query)

    @api.post("/groups", responses={201: Created})
    def create_group(body: NameIn):
        return created(handlers.create_group(service.unit_of_work(), admin().tenant_id, body.name).id)

    @api.get("/groups")
    def list_groups(query: PageQuery):
        items, total = views.list_groups(service.database, admin().tenant_id, query.offset, query.page_size)
        return _page(items, total, query)

    @api.post("/groups/<item_id>/members", responses={204: None})
    def add_member(path: IdPath, body: MemberIn):
        handlers.add_group_member(service.unit_of_work(), admin().tenant_id, path.item_id, body.user_id)
        return Response(status=204)

    @api.delete("/groups/<item_id>/members/<user_id>", responses={204: None})
    def remove_member(path: MemberPath):
        handlers.remove_group_member(service.unit_of_work(), admin().tenant_id, path.item_id, path.user_id)
        return Response(status=204)

    @api.post("/users", responses={201: Created})
    def create_user(body: UserIn):
        principal = admin()
        slug = identity_handlers.organisation_slug(service.unit_of_work(), principal.tenant_id)
        user = identity_handlers.create_user(slug, body.username, body.display_name, body.password, body.roles, service.unit_of_work())
        if body.unit_id:
            handlers.change_user(service.unit_of_work(), principal.tenant_id, user.id, unit_id=body.unit_id)
        return created(user.id)

    @api.get("/users")
    def list_users(query: PageQuery):
        items, total = views.list_users(service.database, admin().tenant_id, query.offset, query.page_size)
        return _page(items, total, query)

    @api.patch("/users/<item_id>", responses={204: None})
    def change_user(path: IdPath, body: UserChange):
        handlers.change_user(service.unit_of_work(), admin().tenant_id, path.item_id, body.display_name, body.roles, body.unit_id)
        return Response(status=204)

    @api.post("/users/<item_id>/deactivate", responses={204: None})
    def deactivate_user(path: IdPath):
        """Users are never deleted: the audit trail names them. A deactivated user's tokens stop working."""
        handlers.deactivate_user(service.unit_of_work(), admin().tenant_id, path.item_id)
        return Response(status=204)

    @api.post("/grants", responses={201: Created})
    def give_grant(body: GrantIn):
        grant = handlers.give_grant(
            service.unit_of_work(), admin().tenant_id, body.grantee_kind, body.grantee_id,
            body.scope_kind, body.scope_id, body.permission, body.valid_from, body.valid_until,
        )
        return created(grant.id)

    @api.get("/grants")
    def list_grants(query: GrantListQuery):
        items, total = views.list_grants(service.database, admin().tenant_id, query.offset, query.page_size, query.grantee_id, query.include_revoked)
        return _page(items, total, query)

    @api.post("/grants/<item_id>/revoke", responses={204: None})
    def revoke_grant(path: IdPath):
        handlers.revoke_grant(service.unit_of_work(), admin().tenant_id, path.item_id)
        return Response(status=204)

    @api.post("/service-accounts", responses={201: Created})
    def create_service_account(body: ServiceAccountIn):
        return created(handlers.create_service_account(service.unit_of_work(), admin().tenant_id, body.name, body.scopes).id)

    @api.get("/service-accounts")
    def list_service_accounts(query: PageQuery):
        items, total = views.list_service_accounts(service.database, admin().tenant_id, query.offset, query.page_size)
        return _page(items, total, query)

    @api.post("/service-accounts/<item_id>/keys", responses={201: ApiKeyOut})
    def issue_key(path: IdPath):
        """A new API key; rotate by issuing a new one, switching the client, then revoking the old."""
        key, full_key = handlers.issue_api_key(service.unit_of_work(), admin().tenant_id, path.item_id)
        return jsonify(key_id=key.id, api_key=full_key), 201

    @api.post("/service-accounts/<item_id>/keys/<key_id>/revoke", responses={204: None})
    def revoke_key(path: KeyPath):
        handlers.revoke_api_key(service.unit_of_work(), admin().tenant_id, path.item_id, path.key_id)
        return Response(status=204)

    def reviewer():
        principal = current_principal(service.authenticator)
        principal.require_role(ADMIN, "archivist")
        return principal

    @api.get("/access-review")
    def access_review_report(query: ReviewQuery):
        """Who holds which roles and grants; administrators and archivists flagged, grants near their end marked."""
        report = review.access_review(service.database, reviewer().tenant_id, _now(), timedelta(days=query.within_days))
        return jsonify(users=[asdict(user) for user in report])

    @api.get("/access-review.csv")
    def access_review_csv(query: ReviewQuery):
        report = review.access_review(service.database, reviewer().tenant_id, _now(), timedelta(days=query.within_days))
        return Response(
            review.review_csv(report),
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="access-review.csv"'},
        )

    @api.get("/access-review/unit-changes")
    def access_review_unit_changes():
        """Grants to users who moved to another unit after the grant was given."""
        return jsonify(grants=review.unit_changes(service.database, reviewer().tenant_id, _now()))

    @api.post("/service-accounts/<item_id>/deactivate", responses={204: None})
    def deactivate_service_account(path: IdPath):
        handlers.deactivate_service_account(service.unit_of_work(), admin().tenant_id, path.item_id)
        return Response(status=204)

    return api


def _page(items: list[dict], total: int, query: PageQuery):
    return jsonify(items=items, total=total, page=query.page, page_size=query.page_size)


