import pytest

from akta.contracts.cases import CaseCreated, CaseUpdated
from akta_cases.domain import commands
from akta_cases.domain.model import CaseNotFound
from akta_cases.service_layer import handlers
from tests.support.fakes import FakeCaseRepository, FakeUnitOfWork


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork((CaseCreated, CaseUpdated), cases=FakeCaseRepository())


def test_cases_are_numbered_per_tenant(uow):
    first = handlers.create_case(commands.CreateCase("t-1", "A"), uow)
    second = handlers.create_case(commands.CreateCase("t-1", "B"), uow)
    other = handlers.create_case(commands.CreateCase("t-2", "C"), uow)
    assert first.number.endswith("/000001")
    assert second.number.endswith("/000002")
    assert other.number.endswith("/000001")


def test_updating_publishes_the_change(uow):
    case = handlers.create_case(commands.CreateCase("t-1", "A"), uow)
    handlers.update_case(commands.UpdateCase("t-1", case.id, status="closed"), uow)
    assert [e.type for e in uow.outbox] == ["cases.case.created.v1", "cases.case.updated.v1"]


def test_another_tenants_case_is_not_found(uow):
    case = handlers.create_case(commands.CreateCase("t-1", "A"), uow)
    with pytest.raises(CaseNotFound):
        handlers.update_case(commands.UpdateCase("t-2", case.id, title="Mine now"), uow)
    assert uow.cases.get("t-1", case.id).title == "A"
