from __future__ import annotations

from sqlalchemy.orm import Session

from akta.db.unit_of_work import SqlAlchemyUnitOfWork
from akta_identity.access import orm as access_orm
from akta_identity.access.repository import AccessRepository
from akta_identity.adapters import orm
from akta_identity.adapters.repository import SqlAlchemyIdentityRepository
from akta_identity.audit.trail import AuditTrail
from akta_identity.directory_sync.repository import SqlAlchemyPersonRepository


class IdentityUnitOfWork(SqlAlchemyUnitOfWork):
    def start(self, session: Session) -> None:
        orm.start_mappers()
        access_orm.start_mappers()
        self.directory = SqlAlchemyIdentityRepository(session)
        self.access = AccessRepository(session)
        self.audit_trail = AuditTrail(session)
        self.persons = SqlAlchemyPersonRepository(session)

    def seen_aggregates(self):
        yield from self.directory.seen
        yield from self.access.seen
        yield from self.persons.seen
