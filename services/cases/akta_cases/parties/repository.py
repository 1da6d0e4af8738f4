"""Where case parties are kept. Every lookup names the tenant."""

from __future__ import annotations

import abc

from sqlalchemy import select
from sqlalchemy.orm import Session

from akta_cases.adapters.duplicates import flush_or_duplicate
from akta_cases.parties import orm
from akta_cases.parties.model import CaseParty


class PartyRepository(abc.ABC):
    def __init__(self) -> None:
        self.seen: set[CaseParty] = set()

    def add(self, party: CaseParty) -> None:
        """Stage a new party; raises DuplicateKey when the same one was added at this moment."""
        self._add(party)
        self.seen.add(party)

    def get(self, tenant_id: str, party_id: str) -> CaseParty | None:
        return self._seen(self._get(tenant_id, party_id))

    def find(self, tenant_id: str, case_id: str, contact_id: str, role: str) -> CaseParty | None:
        return self._seen(self._find(tenant_id, case_id, contact_id, role))

    def remove(self, party: CaseParty) -> None:
        self.seen.add(party)
        self._remove(party)

    @abc.abstractmethod
    def case_ids_of(self, tenant_id: str, contact_id: str) -> list[str]:
        """The cases the contact is a party of."""

    def _seen(self, party: CaseParty | None) -> CaseParty | None:
        if party is not None:
            self.seen.add(party)
        return party

    @abc.abstractmethod
    def _add(self, party: CaseParty) -> None: ...

    @abc.abstractmethod
    def _get(self, tenant_id: str, party_id: str) -> CaseParty | None: ...

    @abc.abstractmethod
    def _find(self, tenant_id: str, case_id: str, contact_id: str, role: str) -> CaseParty | None: ...

    @abc.abstractmethod
    def _remove(self, party: CaseParty) -> None: ...


class SqlAlchemyPartyRepository(PartyRepository):
    def __init__(self, session: Session) -> None:
        super().__init__()
        orm.start_mappers()
        self.session = session

    def _add(self, party: CaseParty) -> None:
        self.session.add(party)
        flush_or_duplicate(self.session)

    def _get(self, tenant_id: str, party_id: str) -> CaseParty | None:
        return self.session.scalars(
            select(CaseParty).where(CaseParty.tenant_id == tenant_id, CaseParty.id == party_id)
        ).one_or_none()

    def _find(self, tenant_id: str, case_id: str, contact_id: str, role: str) -> CaseParty | None:
        return self.session.scalars(
            select(CaseParty).where(
                CaseParty.tenant_id == tenant_id,
                CaseParty.case_id == case_id,
                CaseParty.contact_id == contact_id,
                CaseParty.role == role,
            )
        ).one_or_none()

    def _remove(self, party: CaseParty) -> None:
        self.session.delete(party)

    def case_ids_of(self, tenant_id: str, contact_id: str) -> list[str]:
        return list(self.session.scalars(
            select(orm.case_parties.c.case_id)
            .where(orm.case_parties.c.tenant_id == tenant_id, orm.case_parties.c.contact_id == contact_id)
            .distinct()
        ))
