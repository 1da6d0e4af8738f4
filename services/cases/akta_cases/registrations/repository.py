"""Where registrations are kept. Every lookup names the tenant."""

from __future__ import annotations

import abc

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from akta_cases.registrations import orm
from akta_cases.registrations.model import Registration


class RegistrationRepository(abc.ABC):
    def __init__(self) -> None:
        self.seen: set[Registration] = set()

    def add(self, registration: Registration) -> None:
        self._add(registration)
        self.seen.add(registration)

    def get(self, tenant_id: str, registration_id: str) -> Registration | None:
        return self._seen(self._get(tenant_id, registration_id))

    @abc.abstractmethod
    def next_sequence(self, tenant_id: str, case_id: str) -> int:
        """The next n of `<case number>-<n>`: no gaps, no duplicates, even under concurrency."""

    def _seen(self, registration: Registration | None) -> Registration | None:
        if registration is not None:
            self.seen.add(registration)
        return registration

    @abc.abstractmethod
    def _add(self, registration: Registration) -> None: ...

    @abc.abstractmethod
    def _get(self, tenant_id: str, registration_id: str) -> Registration | None: ...


class SqlAlchemyRegistrationRepository(RegistrationRepository):
    def __init__(self, session: Session) -> None:
        super().__init__()
        orm.start_mappers()
        self.session = session

    def next_sequence(self, tenant_id: str, case_id: str) -> int:
        # As case numbers: one atomic upsert; the row lock serialises concurrent registrations
        # in a case and a rolled-back transaction gives its number back.
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = orm.registration_number_sequences
        statement = (
            insert(table)
            .values(tenant_id=tenant_id, case_id=case_id, last_value=1)
            .on_conflict_do_update(
                index_elements=[table.c.tenant_id, table.c.case_id],
                set_={"last_value": table.c.last_value + 1},
            )
            .returning(table.c.last_value)
        )
        return self.session.execute(statement).scalar_one()

    def _add(self, registration: Registration) -> None:
        self.session.add(registration)

    def _get(self, tenant_id: str, registration_id: str) -> Registration | None:
        return self.session.scalars(
            select(Registration).where(Registration.tenant_id == tenant_id, Registration.id == registration_id)
        ).one_or_none()
