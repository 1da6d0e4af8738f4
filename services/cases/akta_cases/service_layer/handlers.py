"""Use cases of the cases service: load through the unit of work, check access, call the
domain, record the audit entry, commit."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from akta import audit, context
from akta.access.scope import READ, WRITE, AccessScope
from akta.contracts.cases import CaseLinked, CaseNoteAdded
from akta.db.unit_of_work import UnitOfWork
from akta.errors import Conflict, Forbidden, InvalidField
from akta.identifiers import InvalidCompanyId, InvalidNationalId, parse_company_id, parse_national_id
from akta_cases.adapters.duplicates import DuplicateKey
from akta_cases.adapters.orm import case_links, case_notes, person_cases
from akta_cases.archive_plan.model import effective_defaults
from akta_cases.contacts.handlers import file_contact
from akta_cases.contacts.model import ContactDetails, parse_identifier
from akta_cases.domain import commands
from akta_cases.domain.case_ref import CaseRef
from akta_cases.domain.model import UNCHANGED, Case, CaseHasOpenTasks, CaseNotFound, CaseSettings
from akta_cases.parties.model import CaseParty, check_role
from akta_cases.tasks import handlers as task_handlers

log = structlog.get_logger("akta.cases")

LINK_KINDS = ("related", "follows", "replaces")
NOTE_MAX_LENGTH = 10_000


def _now() -> datetime:
    return datetime.now(UTC)


def create_case(
    command: commands.CreateCase, uow: UnitOfWork, scope: AccessScope, now: datetime | None = None
) -> Case:
    with uow:
        case = _open_case(uow, command, scope, now or _now())
        uow.commit()
    log.info("case created", case_id=case.id, case_number=case.number)
    return case


def _open_case(uow, command: commands.CreateCase, scope: AccessScope, now: datetime) -> Case:
    """Create the case inside the caller's transaction."""
    settings = _settings_from_template(uow, command)
    screening_code = _screening(command, uow)
    if not scope.allows(WRITE, command.tenant_id, settings.access_group_id, screening_code):
        raise Forbidden("you may not create cases in that access group with that screening")
    number = uow.cases.next_number(command.tenant_id, now.year)
    case = Case.open(
        command.tenant_id, number, command.title, context.current().actor, now,
        settings.access_group_id, screening_code, settings,
    )
    uow.cases.add(case)
    audit.record(uow, case.tenant_id, "create", "case", case.id, number=case.number)
    task_handlers.create_default_tasks(uow, case)
    return case


def _settings_from_template(uow, command: commands.CreateCase) -> CaseSettings:
    if not command.template_id:
        raise InvalidField("template_id", "every case is created from a template")
    template = uow.archive_plan.template(command.tenant_id, command.template_id)
    if template is None:
        raise InvalidField("template_id", f"no template {command.template_id}")
    template.ensure_usable()
    class_id = command.class_id or template.class_id
    lineage = uow.archive_plan.lineage(command.tenant_id, class_id) if class_id else []
    if class_id and not lineage:
        raise InvalidField("class_id", f"no class {class_id} in the archive plan")
    inherited = effective_defaults(lineage)
    access_group_id = command.access_group_id or template.access_group_id or inherited.access_group_id
    if not access_group_id:
        raise InvalidField("access_group_id", "neither the template nor its class gives an access group; choose one")
    return CaseSettings(
        template_id=template.id,
        class_id=class_id,
        class_code=lineage[0].code if lineage else None,
        access_group_id=access_group_id,
        screening_code=template.screening_code,
        retention_rule=template.retention_rule or inherited.retention_rule,
        owner_id=command.owner_id,
        unit_id=command.unit_id,
        metadata=template.clean_metadata(command.metadata),
    )


def _screening(command: commands.CreateCase, uow) -> str | None:
    if command.screening_code is not UNCHANGED:
        return command.screening_code
    return uow.archive_plan.template(command.tenant_id, command.template_id).screening_code


def update_case(
    command: commands.UpdateCase, uow: UnitOfWork, scope: AccessScope, now: datetime | None = None
) -> Case:
    with uow:
        case = _changeable_case(uow, scope, command.tenant_id, command.case_id)
        metadata = None
        if command.metadata is not None:
            template = uow.archive_plan.template(case.tenant_id, case.template_id) if case.template_id else None
            if template is None:
                raise InvalidField("metadata", "this case has no template, so it has no custom fields")
            metadata = template.clean_metadata(command.metadata, partial=True)
        new_class = uow.archive_plan.archive_class(case.tenant_id, command.class_id) if command.class_id else None
        if command.class_id and new_class is None:
            raise InvalidField("class_id", f"no class {command.class_id} in the archive plan")
        if command.status == "closed" and case.status == "open" and (open_tasks := _open_tasks(uow, case)):
            raise CaseHasOpenTasks(case.number, open_tasks)
        changed = case.change(
            now or _now(),
            title=command.title,
            status=command.status,
            expected_version=command.expected_version,
            access_group_id=command.access_group_id,
            screening_code=command.screening_code,
            owner_id=command.owner_id,
            unit_id=command.unit_id,
            class_id=command.class_id,
            class_code=new_class.code if new_class else None,
            metadata=metadata,
        )
        if not _allows(scope, WRITE, case):
            raise Forbidden("you may not move the case where you could not change it")
        if changed or command.status:
            audit.record(uow, case.tenant_id, "change", "case", case.id, fields=",".join(changed + ([f"status:{case.status}"] if command.status else [])))
        uow.commit()
    log.info("case updated", case_id=case.id, version=case.version)
    return case


def close_case(uow, scope: AccessScope, tenant_id: str, case_id: str, reason: str | None = None,
               expected_version: int | None = None) -> Case:
    with uow:
        case = _changeable_case(uow, scope, tenant_id, case_id)
        case._check_version(expected_version)
        case.close(_now(), reason, open_tasks=_open_tasks(uow, case))
        audit.record(uow, tenant_id, "close", "case", case.id, reason=reason)
        uow.commit()
    return case


def reopen_case(uow, scope: AccessScope, tenant_id: str, case_id: str, reason: str, expected_version: int | None = None) -> Case:
    with uow:
        case = _changeable_case(uow, scope, tenant_id, case_id)
        case._check_version(expected_version)
        case.reopen(_now(), reason)
        audit.record(uow, tenant_id, "reopen", "case", case.id, reason=reason)
        uow.commit()
    return case


def archive_case(uow, scope: AccessScope, tenant_id: str, case_id: str) -> Case:
    with uow:
        case = _changeable_case(uow, scope, tenant_id, case_id)
        case.archive(_now())
        audit.record(uow, tenant_id, "archive", "case", case.id)
        uow.commit()
    return case


def link_cases(uow, scope: AccessScope, tenant_id: str, case_id: str, linked_case_id: str, kind: str) -> None:
    if kind not in LINK_KINDS:
        raise InvalidField("kind", f"must be one of {', '.join(LINK_KINDS)}")
    if case_id == linked_case_id:
        raise InvalidField("case_id", "a case cannot be linked to itself")
    with uow:
        case = _writable_case(uow, scope, tenant_id, case_id)
        other = uow.cases.get(tenant_id, linked_case_id)
        if other is None or not _allows(scope, READ, other):
            raise InvalidField("case_id", f"no case {linked_case_id} you may read")
        exists = uow.session.scalar(
            select(case_links.c.kind).where(case_links.c.case_id == case.id, case_links.c.linked_case_id == other.id)
        )
        if exists is not None:
            raise Conflict(f"the cases are linked already ({exists})")
        uow.session.execute(case_links.insert().values(
            tenant_id=tenant_id, case_id=case.id, linked_case_id=other.id, kind=kind,
            created_at=_now(), created_by=context.current().actor,
        ))
        case.record(CaseLinked(case_id=case.id, linked_case_id=other.id, kind=kind))
        audit.record(uow, tenant_id, "change", "case", case.id, linked_case=other.id, link=kind)
        uow.commit()


def add_note(uow, scope: AccessScope, tenant_id: str, case_id: str, text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidField("text", "must not be empty")
    if len(text) > NOTE_MAX_LENGTH:
        raise InvalidField("text", f"must be at most {NOTE_MAX_LENGTH} characters")
    with uow:
        case = _writable_case(uow, scope, tenant_id, case_id)
        note_id = str(uuid.uuid4())
        uow.session.execute(case_notes.insert().values(
            id=note_id, tenant_id=tenant_id, case_id=case.id, text=text, author=context.current().actor, created_at=_now(),
        ))
        case.record(CaseNoteAdded(case_id=case.id, note_id=note_id))
        audit.record(uow, tenant_id, "create", "case_note", note_id, case_id=case.id)
        uow.commit()
    return note_id


def file_for_person(command: commands.FileForPerson, uow, scope: AccessScope) -> tuple[str, bool]:
    """The open case of this person (CPR, fødselsnummer, D-number, CVR, organisasjonsnummer) under
    the template, created when missing, with the person (found in the contacts registry by the
    identifier, or filed there) a party of it in `command.party_role`, in the same transaction.
    Returns the case's id and whether it was created."""
    identifier = _normalised_identifier(command.identifier)
    check_role(command.party_role, "party_role")
    key = hashlib.sha256(f"{command.tenant_id}:{identifier}".encode()).hexdigest()
    for attempt in (1, 2):
        try:
            return _find_or_open_person_case(command, key, uow, scope)
        except (IntegrityError, DuplicateKey):
            # Another caller created this person's case at the same moment; theirs is found now.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _find_or_open_person_case(command: commands.FileForPerson, key: str, uow, scope: AccessScope) -> tuple[str, bool]:
    where = (
        (person_cases.c.tenant_id == command.tenant_id)
        & (person_cases.c.template_id == command.template_id)
        & (person_cases.c.identifier_hash == key)
    )
    now = _now()
    with uow:
        case_id = uow.session.scalar(select(person_cases.c.case_id).where(where))
        existing = uow.cases.get(command.tenant_id, case_id) if case_id else None
        if existing is not None and existing.status == "open":
            if not _allows(scope, WRITE, existing):
                raise Forbidden("the person's case exists but you may not file into it")
            if _ensure_person_party(uow, scope, existing, command, now):
                uow.commit()
            return existing.id, False
        case = _open_case(
            uow, commands.CreateCase(command.tenant_id, command.title, command.access_group_id, template_id=command.template_id),
            scope, now,
        )
        _ensure_person_party(uow, scope, case, command, now)
        if case_id is None:
            uow.session.execute(person_cases.insert().values(
                tenant_id=command.tenant_id, template_id=command.template_id, identifier_hash=key, case_id=case.id,
            ))
        else:
            # The person's closed case stays as it was; their new open case is theirs from now on.
            moved = uow.session.execute(person_cases.update().where(where, person_cases.c.case_id == case_id).values(case_id=case.id))
            if moved.rowcount != 1:
                raise IntegrityError("person case moved meanwhile", None, Exception("raced"))
        uow.commit()
    return case.id, True


UNNAMED_CONTACT = "(name not given)"
_SCHEMES_BY_LENGTH = {8: "cvr", 9: "organisasjonsnummer", 10: "cpr", 11: "fodselsnummer"}


def _ensure_person_party(uow, scope: AccessScope, case: Case, command: commands.FileForPerson, now: datetime) -> bool:
    """Make the person a party of their case unless they are one already (in any role): the
    contact with their identifier, or a new one named UNNAMED_CONTACT until someone names it.
    True when a party was added."""
    digits = _normalised_identifier(command.identifier)
    scheme = _SCHEMES_BY_LENGTH[len(digits)]
    contact = uow.contacts.by_identifier(command.tenant_id, parse_identifier(scheme, digits, ""))
    if contact is None:
        details = ContactDetails(name=UNNAMED_CONTACT, identifier_scheme=scheme, identifier=digits)
        contact, _ = file_contact(uow, scope, command.tenant_id, details, now)
    elif case.id in uow.parties.case_ids_of(command.tenant_id, contact.id):
        return False
    name = None if contact.name == UNNAMED_CONTACT else contact.name  # the placeholder is nothing to search by
    party = CaseParty.add(CaseRef.of(case), contact.id, command.party_role, context.current().actor, now, name)
    uow.parties.add(party)
    audit.record(
        uow, command.tenant_id, "create", "case_party", party.id, case_id=case.id, contact_id=contact.id, role=party.role
    )
    return True


def _normalised_identifier(text: str) -> str:
    digits = "".join(text.split()).replace("-", "")
    kinds = {8: "cvr", 9: "organisasjonsnummer"}
    try:
        if len(digits) in kinds:
            return parse_company_id(digits, kinds[len(digits)]).number
        return parse_national_id(text).number
    except (InvalidNationalId, InvalidCompanyId) as error:
        raise InvalidField("identifier", str(error)) from None


def _open_tasks(uow, case: Case) -> list[dict]:
    return uow.tasks.open_on_case(case.tenant_id, case.id)


def _writable_case(uow, scope: AccessScope, tenant_id: str, case_id: str) -> Case:
    case = uow.cases.get(tenant_id, case_id)
    if case is None or not _allows(scope, READ, case):
        raise CaseNotFound(case_id)
    if not _allows(scope, WRITE, case):
        raise Forbidden("you may read this case but not change it")
    return case


def _changeable_case(uow, scope: AccessScope, tenant_id: str, case_id: str) -> Case:
    """A writable case about to change: with its class's code, which its events carry."""
    case = _writable_case(uow, scope, tenant_id, case_id)
    archive_class = uow.archive_plan.archive_class(tenant_id, case.class_id) if case.class_id else None
    case.class_code = archive_class.code if archive_class else None
    return case


def _allows(scope: AccessScope, permission: str, case: Case) -> bool:
    return scope.allows(permission, case.tenant_id, case.access_group_id, case.screening_code, case.id)
