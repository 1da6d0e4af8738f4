"""Use cases of the cases service: load through the unit of work, check access, call the
domain, record the audit entry, commit."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from akta import audit, context
from akta.access.scope import READ, WRITE, AccessScope
from akta.db.unit_of_work import UnitOfWork
from akta.errors import Forbidden
from akta_cases.domain import commands
from akta_cases.domain.model import Case, CaseNotFound

log = structlog.get_logger("akta.cases")


def create_case(
    command: commands.CreateCase, uow: UnitOfWork, scope: AccessScope, now: datetime | None = None
) -> Case:
    now = now or datetime.now(UTC)
    if not scope.allows(WRITE, command.tenant_id, command.access_group_id, command.screening_code):
        raise Forbidden("you may not create cases in that access group with that screening")
    with uow:
        number = uow.cases.next_number(command.tenant_id, now.year)
        case = Case.open(
            command.tenant_id,
            number,
            command.title,
            context.current().actor,
            now,
            command.access_group_id,
            command.screening_code,
        )
        uow.cases.add(case)
        audit.record(uow, case.tenant_id, "create", "case", case.id, number=case.number)
        uow.commit()
    log.info("case created", case_id=case.id, case_number=case.number)
    return case


def update_case(
    command: commands.UpdateCase, uow: UnitOfWork, scope: AccessScope, now: datetime | None = None
) -> Case:
    with uow:
        case = uow.cases.get(command.tenant_id, command.case_id)
        if case is None or not _allows(scope, READ, case):
            raise CaseNotFound(command.case_id)
        if not _allows(scope, WRITE, case):
            raise Forbidden("you may read this case but not change it")
        changed = case.change(
            now or datetime.now(UTC),
            title=command.title,
            status=command.status,
            expected_version=command.expected_version,
            access_group_id=command.access_group_id,
            screening_code=command.screening_code,
        )
        if not _allows(scope, WRITE, case):
            raise Forbidden("you may not move the case where you could not change it")
        if changed:
            audit.record(uow, case.tenant_id, "change", "case", case.id, fields=",".join(changed))
        uow.commit()
    log.info("case updated", case_id=case.id, version=case.version)
    return case


def _allows(scope: AccessScope, permission: str, case: Case) -> bool:
    return scope.allows(permission, case.tenant_id, case.access_group_id, case.screening_code, case.id)
