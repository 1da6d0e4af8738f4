"""Use cases of case parties: access follows the case."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from akta import audit, context
from akta.access.scope import AccessScope
from akta.db.unit_of_work import UnitOfWork
from akta.errors import InvalidField
from akta_cases.contacts.handlers import file_contact
from akta_cases.domain.case_ref import CaseRef
from akta_cases.parties import commands
from akta_cases.parties.model import CaseParty, PartyNotFound, check_role
from akta_cases.service_layer.case_access import require_open_for_filing, writable_case
from akta_cases.service_layer.retries import once_more_on_duplicate

log = structlog.get_logger("akta.cases.parties")


def add_party(
    command: commands.AddParty, uow: UnitOfWork, scope: AccessScope, now: datetime | None = None
) -> tuple[CaseParty, bool]:
    """The party and whether it is new (False: the contact already had this role on the case)."""
    now = now or datetime.now(UTC)
    if (command.contact_id is None) == (command.contact is None):
        raise InvalidField("contact_id", "give either contact_id or contact (a new or known contact), not both")

    def work() -> tuple[CaseParty, bool]:
        with uow:
            case = writable_case(uow, scope, command.tenant_id, command.case_id)
            require_open_for_filing(case)
            role = check_role(command.role)
            if command.contact is not None:
                contact, _ = file_contact(uow, scope, command.tenant_id, command.contact, now, prefix="contact.")
            else:
                contact = uow.contacts.get(command.tenant_id, command.contact_id)
                if contact is None:
                    raise InvalidField("contact_id", f"no contact {command.contact_id}")
            existing = uow.parties.find(command.tenant_id, case.id, contact.id, role)
            if existing is not None:
                uow.commit()  # what an inline contact said about itself is kept all the same
                return existing, False
            party = CaseParty.add(CaseRef.of(case), contact.id, role, context.current().actor, now, contact.name)
            uow.parties.add(party)
            audit.record(
                uow, command.tenant_id, "create", "case_party", party.id, case_id=case.id, contact_id=contact.id, role=role
            )
            uow.commit()
        return party, True

    party, created = once_more_on_duplicate(work)
    log.info("party added" if created else "party already there", party_id=party.id, case_id=party.case_id)
    return party, created


def remove_party(command: commands.RemoveParty, uow: UnitOfWork, scope: AccessScope) -> None:
    with uow:
        case = writable_case(uow, scope, command.tenant_id, command.case_id)
        require_open_for_filing(case)
        party = uow.parties.get(command.tenant_id, command.party_id)
        if party is None or party.case_id != case.id:
            raise PartyNotFound(command.party_id)
        party.remove(CaseRef.of(case))
        uow.parties.remove(party)
        audit.record(
            uow, command.tenant_id, "delete", "case_party", party.id,
            case_id=case.id, contact_id=party.contact_id, role=party.role,
        )
        uow.commit()
    log.info("party removed", party_id=command.party_id, case_id=command.case_id)
