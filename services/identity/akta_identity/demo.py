"""Demo organisation for embedded mode, created once: a unit, two access groups, a user who
administers and works in both, with grants to see pupil-screened cases."""

from __future__ import annotations

from akta.service import Service
from akta_identity.access import handlers as access
from akta_identity.service_layer import handlers

DEMO_ORGANISATION = "demo-skole"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-demo"
DEMO_ACCESS_GROUPS = ("Elevsager", "Administration")


def load_demo_data(service: Service) -> dict:
    """Create the demo data unless it exists; return how to sign in and where to file cases."""
    with service.unit_of_work() as uow:
        organisation = uow.directory.organisation_by_slug(DEMO_ORGANISATION)
        created = organisation is None
    if created:
        organisation = handlers.create_organisation(DEMO_ORGANISATION, "Demo Skole", service.unit_of_work())
        tenant_id = organisation.id
        unit = access.create_unit(service.unit_of_work(), tenant_id, "Skolekontoret")
        user = handlers.create_user(
            DEMO_ORGANISATION, DEMO_USERNAME, "Demo Sagsbehandler", DEMO_PASSWORD,
            ["caseworker", "archivist", "administrator"], service.unit_of_work(),
        )
        access.change_user(service.unit_of_work(), tenant_id, user.id, unit_id=unit.id)
        for name in DEMO_ACCESS_GROUPS:
            group = access.create_access_group(service.unit_of_work(), tenant_id, name)
            access.give_grant(service.unit_of_work(), tenant_id, "user", user.id, "access_group", group.id, "write")
        access.give_grant(service.unit_of_work(), tenant_id, "user", user.id, "screening_code", "pupil", "write")
    with service.unit_of_work() as uow:
        tenant_id = uow.directory.organisation_by_slug(DEMO_ORGANISATION).id
        access_group = uow.access.access_group_by_name(tenant_id, DEMO_ACCESS_GROUPS[0])
        access_group_id = access_group.id
    return {
        "organisation": DEMO_ORGANISATION,
        "username": DEMO_USERNAME,
        "password": DEMO_PASSWORD,
        "access_group_id": access_group_id,
        "created": created,
    }
