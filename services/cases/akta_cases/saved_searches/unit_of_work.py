from __future__ import annotations

from sqlalchemy.orm import Session

from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta_cases.saved_searches.repository import SavedSearchRepository


class SavedSearchesUnitOfWork(SqlAlchemyUnitOfWork):
    def start(self, session: Session) -> None:
        self.saved_searches = SavedSearchRepository(session)

    def seen_aggregates(self):
        return self.saved_searches.seen
