from __future__ import annotations

from sqlalchemy.orm import Session

from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta_cases.adapters import orm
from akta_cases.adapters.repository import SqlAlchemyCaseRepository
from akta_cases.archive_plan import orm as archive_plan_orm
from akta_cases.archive_plan.repository import ArchivePlanRepository
from akta_cases.contacts.repository import SqlAlchemyContactRepository
from akta_cases.parties.repository import SqlAlchemyPartyRepository
from akta_cases.registrations.repository import SqlAlchemyRegistrationRepository
from akta_cases.tasks import orm as tasks_orm
from akta_cases.tasks.repository import SqlAlchemyTaskRepository


class CasesUnitOfWork(SqlAlchemyUnitOfWork):
    def start(self, session: Session) -> None:
        orm.start_mappers()
        archive_plan_orm.start_mappers()
        self.cases = SqlAlchemyCaseRepository(session)
        self.archive_plan = ArchivePlanRepository(session)
        self.contacts = SqlAlchemyContactRepository(session)
        self.parties = SqlAlchemyPartyRepository(session)
        self.registrations = SqlAlchemyRegistrationRepository(session)
        tasks_orm.start_mappers()
        self.tasks = SqlAlchemyTaskRepository(session)

    def seen_aggregates(self):
        yield from self.cases.seen
        yield from self.archive_plan.seen
        yield from self.contacts.seen
        yield from self.parties.seen
        yield from self.registrations.seen
        yield from self.tasks.seen
