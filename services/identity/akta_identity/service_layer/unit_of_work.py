from __future__ import annotations

from sqlalchemy.orm import Session

from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta_identity.adapters import orm
from akta_identity.adapters.repository import SqlAlchemyIdentityRepository


class IdentityUnitOfWork(SqlAlchemyUnitOfWork):
    def start(self, session: Session) -> None:
        orm.start_mappers()
        self.directory = SqlAlchemyIdentityRepository(session)

    def seen_aggregates(self):
        return self.directory.seen
