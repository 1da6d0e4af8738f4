"""The cases service's repository, unit of work, outbox and migrations on SQLite and PostgreSQL."""

import json
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from akta import context
from akta.bus.tables import outbox_table
from akta.db.migrations import current_revisions, head_revisions
from akta.db.unit_of_work import ConcurrentChange
from akta_cases.bootstrap import bootstrap
from akta_cases.domain.model import Case, CaseNumber
from akta_cases.settings import CasesSettings
from tests.support.cases import create_case, template


def _migrated_cases(database_url, data_dir):
    service = bootstrap(CasesSettings(database_url=database_url, data_dir=data_dir))
    service.migrate()
    return service


@pytest.fixture
def cases(database_url, tmp_path):
    service = _migrated_cases(database_url, tmp_path)
    yield service
    service.database.dispose()


@pytest.fixture
def cases_on_postgresql(postgres_url, tmp_path):
    """Races need a database that lets writers overlap; SQLite serialises every writer."""
    service = _migrated_cases(postgres_url, tmp_path)
    yield service
    service.database.dispose()


def _outbox_count(service) -> int:
    with service.database.session() as session:
        return session.scalar(select(func.count()).select_from(outbox_table))


def test_migrations_are_idempotent_and_land_in_the_service_schema(cases):
    cases.migrate()
    assert current_revisions(cases.database) == head_revisions(cases.migrations_dir)
    if cases.database.is_postgresql:
        with cases.database.session() as session:
            schema = session.scalar(select(func.current_schema()))
        assert schema == "cases"


def test_state_and_outbox_commit_together(cases):
    with context.bound(context.MessageContext(correlation_id="corr-1", actor="user:u")):
        case = create_case(cases, "t-1", "Elevsag", template(cases, "t-1"))
    with cases.unit_of_work() as uow:
        assert uow.cases.get("t-1", case.id).title == "Elevsag"
        assert uow.cases.get("t-2", case.id) is None
    with cases.database.session() as session:
        [row] = session.execute(select(outbox_table).where(outbox_table.c.event_type == "cases.case.created.v1")).all()
    assert row.event_type == "cases.case.created.v1" and row.sent_at is None
    assert '"correlationid":"corr-1"' in row.body


def test_nothing_is_stored_without_commit(cases):
    with cases.unit_of_work() as uow:
        number = uow.cases.next_number("t-1", 2026)
        uow.cases.add(Case.open("t-1", number, "Lost", "user:u", datetime.now(UTC), "ag-1"))
        uow.write_events_to_outbox()
    assert _outbox_count(cases) == 0
    with cases.unit_of_work() as uow:
        assert uow.cases.next_number("t-1", 2026) == CaseNumber(2026, 1)


def test_events_staged_before_a_rollback_are_not_written_by_a_later_commit(cases):
    with cases.unit_of_work() as uow:
        uow.cases.add(Case.open("t-1", uow.cases.next_number("t-1", 2026), "Lost", "user:u", datetime.now(UTC), "ag-1"))
        uow.write_events_to_outbox()
        uow.rollback()
        kept = Case.open("t-1", uow.cases.next_number("t-1", 2026), "Kept", "user:u", datetime.now(UTC), "ag-1")
        uow.cases.add(kept)
        uow.commit()
    with cases.database.session() as session:
        bodies = session.scalars(select(outbox_table.c.body)).all()
    assert len(bodies) == 1 and kept.id in bodies[0]


def test_many_events_of_one_unit_of_work_are_all_written(cases):
    with cases.unit_of_work() as uow:
        opened = [
            Case.open("t-1", uow.cases.next_number("t-1", 2026), f"Case {n}", "user:u", datetime.now(UTC), "ag-1")
            for n in range(1200)
        ]
        for case in opened:
            uow.cases.add(case)
        uow.commit()
    with cases.database.session() as session:
        bodies = session.scalars(select(outbox_table.c.body)).all()
    assert sorted(json.loads(body)["subject"] for body in bodies) == sorted(case.id for case in opened)


def test_a_failed_handler_leaves_no_trace(cases):
    template_id = template(cases, "t-1")
    before = _outbox_count(cases)
    with pytest.raises(Exception, match="title"):
        create_case(cases, "t-1", "   ", template_id)
    assert _outbox_count(cases) == before


def test_two_writers_racing_on_one_case_lose_nothing_silently(cases_on_postgresql):
    cases = cases_on_postgresql
    case = create_case(cases, "t-1", "Original", template(cases, "t-1"))
    first, second = cases.unit_of_work(), cases.unit_of_work()
    with first:
        mine = first.cases.get("t-1", case.id)
        mine.change(datetime.now(UTC), title="First")
        with second:
            theirs = second.cases.get("t-1", case.id)
            theirs.change(datetime.now(UTC), title="Second")
            second.commit()
        with pytest.raises(ConcurrentChange):
            first.commit()
    with cases.unit_of_work() as uow:
        assert uow.cases.get("t-1", case.id).title == "Second"


def test_case_numbers_have_no_gaps_or_duplicates_under_concurrency(cases_on_postgresql):
    cases = cases_on_postgresql
    numbers: list[str] = []
    errors: list[Exception] = []
    template_id = template(cases, "t-1")

    def create_many():
        try:
            for _ in range(15):
                numbers.append(create_case(cases, "t-1", "Parallel", template_id).number)
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=create_many) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    year = datetime.now(UTC).year
    assert sorted(numbers) == [f"{year}/{n:06d}" for n in range(1, 91)]


def test_not_ready_until_migrated(database_url, tmp_path):
    service = bootstrap(CasesSettings(database_url=database_url, data_dir=tmp_path))
    try:
        not_ready = service.app.test_client().get("/readyz")
        assert not_ready.status_code == 503
        assert set(not_ready.get_json()["checks"]) == {"migrations"}
        service.migrate()
        assert service.app.test_client().get("/readyz").status_code == 200
    finally:
        service.database.dispose()


def test_a_database_ahead_of_the_code_counts_as_migrated(cases):
    from sqlalchemy import text

    from akta.db.migrations import is_migrated

    assert is_migrated(cases.database, cases.migrations_dir)
    def versions(*revisions):
        with cases.database.engine.begin() as connection:
            connection.execute(text("DELETE FROM alembic_version"))
            for revision in revisions:
                connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:r)"), {"r": revision})

    versions("9999_from_a_newer_release")
    assert is_migrated(cases.database, cases.migrations_dir)
    versions("0001")
    assert not is_migrated(cases.database, cases.migrations_dir)


def test_postgresql_plans_every_statement_with_its_parameters(cases_on_postgresql):
    """No generic plan made while a table was empty outlives it (see akta.db.database)."""
    with cases_on_postgresql.database.session() as session:
        assert session.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
        assert session.execute(text("SHOW search_path")).scalar() == "cases"
