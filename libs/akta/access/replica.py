"""Keeping the local copy of access state current from identity's events.

Events may arrive out of order: a revocation can overtake its grant, a removal its addition.
Revocations leave a tombstone the late grant cannot undo; memberships keep the newest change.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from akta.access.tables import (
    access_api_keys,
    access_deactivated_subjects,
    access_grants,
    access_group_members,
    access_tenants,
)
from akta.contracts import Envelope
from akta.contracts.access import (
    ACCESS_EVENTS,
    ApiKeyIssued,
    ApiKeyRevoked,
    GrantGiven,
    GrantRevoked,
    GroupMemberAdded,
    GroupMemberRemoved,
    SubjectDeactivated,
)
from akta.contracts.base import Event
from akta.contracts.identity import OrganisationCreated

HANDLER_NAME = "replicate_access"


def replicate_access(event: Event, envelope: Envelope, uow) -> None:
    """Event handler every service that enforces access subscribes under `replicate_access`."""
    session: Session = uow.session
    tenant_id = envelope.tenant
    if isinstance(event, GrantGiven):
        _grant_given(session, tenant_id, event)
    elif isinstance(event, GrantRevoked):
        _revoke(session, access_grants, access_grants.c.grant_id, event.grant_id, tenant_id, grant_id=event.grant_id)
    elif isinstance(event, GroupMemberAdded | GroupMemberRemoved):
        _membership(session, tenant_id, event, envelope)
    elif isinstance(event, ApiKeyIssued):
        _api_key_issued(session, tenant_id, event)
    elif isinstance(event, ApiKeyRevoked):
        _revoke(session, access_api_keys, access_api_keys.c.key_id, event.key_id, tenant_id, key_id=event.key_id)
    elif isinstance(event, OrganisationCreated):
        exists = session.scalar(select(access_tenants.c.tenant_id).where(access_tenants.c.tenant_id == event.organisation_id))
        if exists is None:
            session.execute(access_tenants.insert().values(tenant_id=event.organisation_id, slug=event.slug))
    elif isinstance(event, SubjectDeactivated):
        exists = session.scalar(
            select(access_deactivated_subjects.c.subject_id).where(
                access_deactivated_subjects.c.subject_id == event.subject_id
            )
        )
        if exists is None:
            session.execute(
                access_deactivated_subjects.insert().values(
                    subject_id=event.subject_id, tenant_id=tenant_id, subject_kind=event.subject_kind
                )
            )
    else:
        raise TypeError(f"{type(event).__name__} is not an access event")


HANDLERS = {HANDLER_NAME: replicate_access}
EVENTS = ACCESS_EVENTS


def _grant_given(session: Session, tenant_id: str, event: GrantGiven) -> None:
    values = {
        "tenant_id": tenant_id,
        "grantee_kind": event.grantee_kind,
        "grantee_id": event.grantee_id,
        "scope_kind": event.scope_kind,
        "scope_id": event.scope_id,
        "permission": event.permission,
        "valid_from": event.valid_from,
        "valid_until": event.valid_until,
    }
    exists = session.scalar(select(access_grants.c.grant_id).where(access_grants.c.grant_id == event.grant_id))
    if exists is None:
        session.execute(access_grants.insert().values(grant_id=event.grant_id, revoked=False, **values))
    else:
        session.execute(update(access_grants).where(access_grants.c.grant_id == event.grant_id).values(**values))


def _revoke(session: Session, table, key_column, key: str, tenant_id: str, **key_values) -> None:
    exists = session.scalar(select(key_column).where(key_column == key))
    if exists is None:
        session.execute(table.insert().values(tenant_id=tenant_id, revoked=True, **key_values))
    else:
        session.execute(update(table).where(key_column == key).values(revoked=True))


def _membership(session: Session, tenant_id: str, event, envelope: Envelope) -> None:
    is_member = isinstance(event, GroupMemberAdded)
    key = (access_group_members.c.group_id == event.group_id) & (access_group_members.c.user_id == event.user_id)
    changed_at = session.scalar(select(access_group_members.c.changed_at).where(key))
    if changed_at is None:
        session.execute(
            access_group_members.insert().values(
                group_id=event.group_id,
                user_id=event.user_id,
                tenant_id=tenant_id,
                is_member=is_member,
                changed_at=envelope.time,
            )
        )
    elif envelope.time >= changed_at:
        session.execute(update(access_group_members).where(key).values(is_member=is_member, changed_at=envelope.time))


def _api_key_issued(session: Session, tenant_id: str, event: ApiKeyIssued) -> None:
    values = {
        "tenant_id": tenant_id,
        "account_id": event.account_id,
        "account_name": event.account_name,
        "secret_sha256": event.secret_sha256,
        "scopes": sorted(event.scopes),
    }
    exists = session.scalar(select(access_api_keys.c.key_id).where(access_api_keys.c.key_id == event.key_id))
    if exists is None:
        session.execute(access_api_keys.insert().values(key_id=event.key_id, revoked=False, **values))
    else:
        session.execute(update(access_api_keys).where(access_api_keys.c.key_id == event.key_id).values(**values))
