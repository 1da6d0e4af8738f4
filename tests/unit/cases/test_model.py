from datetime import UTC, datetime

import pytest

from akta.contracts.cases import CaseCreated, CaseUpdated
from akta.errors import Conflict, InvalidField
from akta_cases.domain.model import Case, CaseHasOpenTasks, CaseNumber, CaseSettings, StaleCase

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _case() -> Case:
    return Case.open("t-1", CaseNumber(2026, 123), "  Elevsag   Anna  ", "user:u-1", NOW, "ag-1")


def test_case_numbers_are_year_and_six_digit_sequence():
    assert str(CaseNumber(2026, 123)) == "2026/000123"


def test_opening_a_case_cleans_the_title_and_records_the_event():
    case = _case()
    assert case.title == "Elevsag Anna"
    assert case.status == "open" and case.version == 1
    assert case.events == [
        CaseCreated(case_id=case.id, number="2026/000123", title="Elevsag Anna", status="open", access_group_id="ag-1")
    ]


@pytest.mark.parametrize("title", ["", "   ", "x" * 501, "bad\x07title"])
def test_a_bad_title_names_the_field(title):
    with pytest.raises(InvalidField) as raised:
        Case.open("t-1", CaseNumber(2026, 1), title, "user:u", NOW, "ag-1")
    assert raised.value.field == "title"


def test_a_change_bumps_the_version_and_says_what_changed():
    case = _case()
    case.events.clear()
    changed = case.change(NOW, title="Elevsag Anna J.")
    assert changed == ["title"]
    assert case.version == 2
    [event] = case.events
    assert isinstance(event, CaseUpdated) and event.changed_fields == ["title"]


def test_the_lifecycle_is_open_closed_archived_and_reopening_needs_a_reason():
    case = _case()
    case.close(NOW, "finished")
    assert case.status == "closed" and case.closed_at == NOW
    with pytest.raises(InvalidField) as raised:
        case.reopen(NOW, "  ")
    assert raised.value.field == "reason"
    case.reopen(NOW, "the parents complained")
    assert case.status == "open" and case.closed_at is None
    with pytest.raises(Conflict):
        case.archive(NOW)
    case.close(NOW)
    case.archive(NOW)
    with pytest.raises(Conflict):
        case.change(NOW, title="Too late")
    with pytest.raises(Conflict):
        case.reopen(NOW, "too late")
    types = [type(e).__name__ for e in case.events if type(e).__name__ != "CaseUpdated"]
    assert types == ["CaseCreated", "CaseClosed", "CaseReopened", "CaseClosed", "CaseArchived"]


def test_a_case_with_open_tasks_does_not_close():
    case = _case()
    with pytest.raises(CaseHasOpenTasks) as raised:
        case.close(NOW, open_tasks=[{"id": "t", "title": "Svar forældrene"}])
    assert raised.value.extra["open_tasks"][0]["title"] == "Svar forældrene"
    assert case.status == "open"


def test_a_change_that_changes_nothing_records_nothing():
    case = _case()
    case.events.clear()
    assert case.change(NOW, title="Elevsag Anna") == []
    assert case.version == 1 and case.events == []


def test_a_change_based_on_an_old_version_is_refused():
    case = _case()
    case.change(NOW, title="Second")
    with pytest.raises(StaleCase):
        case.change(NOW, title="Third", expected_version=1)
    assert case.title == "Second"


def test_an_unknown_status_names_the_field():
    with pytest.raises(InvalidField) as raised:
        _case().change(NOW, status="shredded")
    assert raised.value.field == "status"


def test_an_unknown_screening_code_names_the_field():
    with pytest.raises(InvalidField) as raised:
        Case.open("t-1", CaseNumber(2026, 1), "A", "user:u", NOW, "ag-1", screening_code="top-secret")
    assert raised.value.field == "screening_code"


def test_the_events_carry_the_class_code_the_handler_gave():
    settings = CaseSettings(
        template_id="tpl-1", class_id="cls-1", class_code="17.02.05", access_group_id="ag-1", screening_code=None,
        retention_rule=None, owner_id=None, unit_id=None, metadata={},
    )
    case = Case.open("t-1", CaseNumber(2026, 1), "Elevsag", "user:u", NOW, "ag-1", settings=settings)
    [created] = case.events
    assert (created.class_id, created.class_code) == ("cls-1", "17.02.05")
    case.change(NOW, class_id="cls-2", class_code="17.02.06")
    case.close(NOW)
    moved, closed = (e for e in case.events if isinstance(e, CaseUpdated))
    assert (moved.changed_fields, moved.class_id, moved.class_code) == (["class_id"], "cls-2", "17.02.06")
    assert (closed.changed_fields, closed.class_id, closed.class_code) == (["status"], "cls-2", "17.02.06")
