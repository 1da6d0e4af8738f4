from __future__ import annotations

from sqlalchemy.orm import Session

from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta_cases.adapters import orm
from akta_cases.adapters.repository import SqlAlchemyCaseRepository


class CasesUnitOfWork(SqlAlchemyUnitOfWork):
    def start(self, session: Session) -> None:
        orm.start_mappers()
        self.cases = SqlAlchemyCaseRepository(session)

    def seen_aggregates(self):
        return self.cases.seen
