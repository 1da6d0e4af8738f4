from __future__ import annotations

from sqlalchemy.orm import Session

from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta_retention.adapters import orm
from akta_retention.adapters.repository import SqlAlchemyRetentionEntryRepository


class RetentionUnitOfWork(SqlAlchemyUnitOfWork):
    def start(self, session: Session) -> None:
        orm.start_mappers()
        self.entries = SqlAlchemyRetentionEntryRepository(session)

    def seen_aggregates(self):
        return self.entries.seen
