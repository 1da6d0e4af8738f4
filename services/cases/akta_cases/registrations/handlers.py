"""Use cases of registrations. Reading one needs its case readable and its own screening code;
changing one needs write on both."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from akta import audit, context
from akta.access.scope import READ, WRITE, AccessScope
from akta.db.unit_of_work import UnitOfWork
from akta.errors import Forbidden, InvalidField
from akta_cases.contacts.model import Keep
from akta_cases.domain.case_ref import CaseRef
from akta_cases.registrations import commands
from akta_cases.registrations.model import Registration, RegistrationNotFound
from akta_cases.service_layer.case_access import case_allows, require_open_for_filing, writable_case

log = structlog.get_logger("akta.cases.registrations")


def registration_allows(scope: AccessScope, permission: str, case, screening_code: str | None) -> bool:
    """The case's access and the registration's own screening code (it may be stricter)."""
    return case_allows(scope, permission, case) and (screening_code is None or screening_code in scope.codes(permission))


def create_registration(
    command: commands.CreateRegistration, uow: UnitOfWork, scope: AccessScope, now: datetime | None = None
) -> Registration:
    now = now or datetime.now(UTC)
    with uow:
        case = writable_case(uow, scope, command.tenant_id, command.case_id)
        require_open_for_filing(case)
        reply_to = _reply_target(uow, scope, command.tenant_id, command.reply_to_registration_id)
        sequence = uow.registrations.next_sequence(command.tenant_id, case.id)
        registration = Registration.register(
            CaseRef.of(case), sequence, command.draft, _contact_finder(uow, command.tenant_id),
            context.current().actor, now, reply_to,
        )
        if not registration_allows(scope, WRITE, case, registration.screening_code):
            raise Forbidden(f"you may not file registrations screened {registration.screening_code}")
        uow.registrations.add(registration)
        audit.record(
            uow, command.tenant_id, "create", "registration", registration.id,
            case_id=case.id, number=registration.number, kind=registration.kind,
        )
        uow.commit()
    log.info("registration created", registration_id=registration.id, registration_number=registration.number)
    return registration


def change_registration(
    command: commands.ChangeRegistration, uow: UnitOfWork, scope: AccessScope, now: datetime | None = None
) -> Registration:
    now = now or datetime.now(UTC)
    with uow:
        registration, case = _writable_registration(uow, scope, command.tenant_id, command.registration_id)
        reply_to = command.reply_to_registration_id
        if not isinstance(reply_to, Keep):
            reply_to = _reply_target(uow, scope, command.tenant_id, reply_to)
        changed = registration.change(
            now,
            CaseRef.of(case),
            _contact_finder(uow, command.tenant_id),
            expected_version=command.expected_version,
            title=command.title,
            document_date=command.document_date,
            received_date=command.received_date,
            sent_date=command.sent_date,
            correspondents_given=command.correspondents,
            documents_given=command.documents,
            screening_code=command.screening_code,
            reply_to=reply_to,
        )
        if not registration_allows(scope, WRITE, case, registration.screening_code):
            raise Forbidden(f"you may not screen a registration {registration.screening_code}: you could not change it then")
        if changed:
            audit.record(uow, command.tenant_id, "change", "registration", registration.id, fields=",".join(changed))
        uow.commit()
    log.info("registration changed", registration_id=registration.id, version=registration.version)
    return registration


def change_status(
    command: commands.ChangeRegistrationStatus, uow: UnitOfWork, scope: AccessScope, now: datetime | None = None
) -> Registration:
    now = now or datetime.now(UTC)
    with uow:
        registration, case = _writable_registration(uow, scope, command.tenant_id, command.registration_id)
        previous = registration.status
        if registration.move_to(command.status, now, CaseRef.of(case), command.expected_version):
            audit.record(
                uow, command.tenant_id, "change", "registration", registration.id,
                fields="status", status=registration.status, previous_status=previous,
            )
        uow.commit()
    log.info("registration status", registration_id=registration.id, status=registration.status)
    return registration


def _writable_registration(uow: UnitOfWork, scope: AccessScope, tenant_id: str, registration_id: str):
    registration = uow.registrations.get(tenant_id, registration_id)
    case = uow.cases.get(tenant_id, registration.case_id) if registration is not None else None
    if case is None or not registration_allows(scope, READ, case, registration.screening_code):
        raise RegistrationNotFound(registration_id)
    if not registration_allows(scope, WRITE, case, registration.screening_code):
        raise Forbidden("you may read this registration but not change it")
    return registration, case


def _reply_target(uow: UnitOfWork, scope: AccessScope, tenant_id: str, registration_id: str | None) -> Registration | None:
    """The registration answered, if the caller may read it: it may be in another case of the tenant."""
    if registration_id is None:
        return None
    target = uow.registrations.get(tenant_id, registration_id)
    case = uow.cases.get(tenant_id, target.case_id) if target is not None else None
    if case is None or not registration_allows(scope, READ, case, target.screening_code):
        raise InvalidField("reply_to_registration_id", f"no registration {registration_id}")
    return target


def _contact_finder(uow: UnitOfWork, tenant_id: str):
    return lambda contact_id: uow.contacts.get(tenant_id, contact_id)
