"""Where cases are kept. Every lookup names the tenant; no query crosses tenants."""

from __future__ import annotations

import abc

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from akta_cases.adapters.orm import case_number_sequences
from akta_cases.domain.model import Case, CaseNumber


class CaseRepository(abc.ABC):
    def __init__(self) -> None:
        self.seen: set[Case] = set()

    def add(self, case: Case) -> None:
        self._add(case)
        self.seen.add(case)

    def get(self, tenant_id: str, case_id: str) -> Case | None:
        case = self._get(tenant_id, case_id)
        if case is not None:
            self.seen.add(case)
        return case

    @abc.abstractmethod
    def next_number(self, tenant_id: str, year: int) -> CaseNumber: ...

    @abc.abstractmethod
    def _add(self, case: Case) -> None: ...

    @abc.abstractmethod
    def _get(self, tenant_id: str, case_id: str) -> Case | None: ...


class SqlAlchemyCaseRepository(CaseRepository):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def next_number(self, tenant_id: str, year: int) -> CaseNumber:
        # One atomic upsert: the row lock serialises concurrent creators and a rolled-back
        # transaction gives its number back, so numbers have no gaps.
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = case_number_sequences
        statement = (
            insert(table)
            .values(tenant_id=tenant_id, year=year, last_value=1)
            .on_conflict_do_update(
                index_elements=[table.c.tenant_id, table.c.year],
                set_={"last_value": table.c.last_value + 1},
            )
            .returning(table.c.last_value)
        )
        return CaseNumber(year, self.session.execute(statement).scalar_one())

    def _add(self, case: Case) -> None:
        self.session.add(case)

    def _get(self, tenant_id: str, case_id: str) -> Case | None:
        return self.session.scalars(
            select(Case).where(Case.tenant_id == tenant_id, Case.id == case_id)
        ).one_or_none()
