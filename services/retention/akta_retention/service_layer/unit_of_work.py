from __future__ import annotations

from sqlalchemy.orm import Session

from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta_retention.adapters.repository import SqlAlchemyRetentionEntryRepository


class RetentionUnitOfWork(SqlAlchemyUnitOfWork):
    def start(self, session: Session) -> None:
        self.entries = SqlAlchemyRetentionEntryRepository(session)

    def seen_aggregates(self):
        return self.entries.seen

    def _commit(self) -> None:
        self.entries.save()
        super()._commit()
