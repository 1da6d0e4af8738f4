"""The composition root of the identity service."""

from __future__ import annotations

from pathlib import Path

from akta.auth.tokens import TokenSigner, write_new_keypair
from akta.contracts.access import ACCESS_EVENTS
from akta.contracts.audit import IdentityAuditRecorded
from akta.contracts.identity import (
    OrganisationCreated,
    PersonCreated,
    PersonDeactivated,
    PersonUpdated,
    UserCreated,
)
from akta.service import Service
from akta_identity.access.store import IdentityAccessStore
from akta_identity.entrypoints.api import create_api
from akta_identity.service_layer.handlers import EVENT_HANDLERS
from akta_identity.service_layer.unit_of_work import IdentityUnitOfWork
from akta_identity.settings import IdentitySettings

PUBLISHED_EVENTS = (
    *ACCESS_EVENTS, OrganisationCreated, UserCreated, IdentityAuditRecorded,
    PersonCreated, PersonUpdated, PersonDeactivated,
)
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def bootstrap(settings: IdentitySettings | None = None) -> Service:
    settings = settings or IdentitySettings()

    def build_api(service: Service):
        # Only the HTTP app signs tokens; migrate, relay and the admin commands need no key.
        return create_api(service, TokenSigner(_signing_key(settings), ttl=settings.access_token_ttl))

    return Service(
        settings,
        MIGRATIONS_DIR,
        PUBLISHED_EVENTS,
        IdentityUnitOfWork,
        build_api=build_api,
        event_handlers=EVENT_HANDLERS,
        access_store_class=IdentityAccessStore,
    )


def _signing_key(settings: IdentitySettings) -> bytes:
    private_key_file = settings.effective_private_key_file
    if not private_key_file.exists():
        if settings.mode != "embedded":
            raise SystemExit(
                f"no token signing key at {private_key_file}; create one with "
                "'akta-identity generate-keys' and set AKTA_IDENTITY_TOKEN_PRIVATE_KEY_FILE"
            )
        public_key_file = settings.token_public_key_file or settings.data_dir / "keys" / "token-signing.pub.pem"
        write_new_keypair(private_key_file, public_key_file)
    return private_key_file.read_bytes()
