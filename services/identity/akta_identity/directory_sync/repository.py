"""Where persons and classes are kept. Every query names the tenant."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from akta_identity.adapters.orm import organisations
from akta_identity.directory_sync import orm
from akta_identity.directory_sync.model import Person, SchoolClass


class SqlAlchemyPersonRepository:
    def __init__(self, session: Session) -> None:
        orm.start_mappers()
        self.session = session
        self.seen: set[Person] = set()

    def add(self, person: Person) -> None:
        self.session.add(person)
        self.seen.add(person)

    def add_class(self, school_class: SchoolClass) -> None:
        self.session.add(school_class)

    def lock_directory(self, tenant_id: str) -> None:
        """Imports into one organisation take turns: two at once would create the same persons.
        (SQLite needs no lock: its write transactions run one at a time.)"""
        self.session.execute(select(organisations.c.id).where(organisations.c.id == tenant_id).with_for_update())

    def persons(self, tenant_id: str) -> list[Person]:
        found = list(self.session.scalars(select(Person).where(Person.tenant_id == tenant_id)))
        self.seen.update(found)
        return found

    def classes(self, tenant_id: str) -> list[SchoolClass]:
        return list(self.session.scalars(select(SchoolClass).where(SchoolClass.tenant_id == tenant_id)))

    def holder_of_user(self, tenant_id: str, user_id: str) -> Person | None:
        return self.session.scalars(
            select(Person).where(Person.tenant_id == tenant_id, Person.user_id == user_id)
        ).one_or_none()
