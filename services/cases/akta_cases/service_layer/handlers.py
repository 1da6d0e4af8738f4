"""Use cases of the cases service: load through the unit of work, call the domain, commit."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from akta import context
from akta.db.unit_of_work import UnitOfWork
from akta_cases.domain import commands
from akta_cases.domain.model import Case, CaseNotFound

log = structlog.get_logger("akta.cases")


def create_case(command: commands.CreateCase, uow: UnitOfWork, now: datetime | None = None) -> Case:
    now = now or datetime.now(UTC)
    with uow:
        number = uow.cases.next_number(command.tenant_id, now.year)
        case = Case.open(command.tenant_id, number, command.title, context.current().actor, now)
        uow.cases.add(case)
        uow.commit()
    log.info("case created", case_id=case.id, case_number=case.number)
    return case


def update_case(command: commands.UpdateCase, uow: UnitOfWork, now: datetime | None = None) -> Case:
    with uow:
        case = uow.cases.get(command.tenant_id, command.case_id)
        if case is None:
            raise CaseNotFound(command.case_id)
        case.change(
            now or datetime.now(UTC),
            title=command.title,
            status=command.status,
            expected_version=command.expected_version,
        )
        uow.commit()
    log.info("case updated", case_id=case.id, version=case.version)
    return case
