"""Demo organisation and user for embedded mode, created once."""

from __future__ import annotations

from akta.service import Service
from akta_identity.service_layer import handlers
from akta_identity.service_layer.unit_of_work import IdentityUnitOfWork

DEMO_ORGANISATION = "demo-skole"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-demo"


def load_demo_data(service: Service) -> dict:
    """Create the demo organisation and its user unless they exist; return how to sign in."""
    with service.unit_of_work() as uow:
        assert isinstance(uow, IdentityUnitOfWork)
        exists = uow.directory.organisation_by_slug(DEMO_ORGANISATION) is not None
    if not exists:
        handlers.create_organisation(DEMO_ORGANISATION, "Demo Skole", service.unit_of_work())
        handlers.create_user(
            DEMO_ORGANISATION,
            DEMO_USERNAME,
            "Demo Sagsbehandler",
            DEMO_PASSWORD,
            ["caseworker", "archivist", "administrator"],
            service.unit_of_work(),
        )
    return {
        "organisation": DEMO_ORGANISATION,
        "username": DEMO_USERNAME,
        "password": DEMO_PASSWORD,
        "created": not exists,
    }
