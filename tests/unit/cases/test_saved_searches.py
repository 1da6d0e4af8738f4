"""Saved searches: who sees one, who changes one, and criteria the case list understands."""

import inspect
from datetime import UTC, datetime, timedelta

import pytest

from akta.errors import Forbidden, InvalidField
from akta_cases import views
from akta_cases.entrypoints.api import CaseListQuery
from akta_cases.saved_searches.criteria import (
    InvalidCriteria,
    OutdatedCriteria,
    check_criteria,
    described,
    filter_parameters,
    list_filters,
    parse_criteria,
)
from akta_cases.saved_searches.model import SavedSearch, Share, StaleSavedSearch, Viewer

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OWNER = Viewer("t-1", "user:owner", "owner")


def _search(sharing="private", shared_with=()):
    return SavedSearch.create("t-1", OWNER.actor, "  Åbne   elevsager ", {"status": "open"}, NOW, sharing, shared_with)


def test_a_new_search_is_private_to_its_owner():
    search = _search()
    assert (search.name, search.sharing, search.version) == ("Åbne elevsager", "private", 1)
    assert search.visible_to(OWNER)
    assert not search.visible_to(Viewer("t-1", "user:bo", "bo"))
    assert not search.visible_to(Viewer("t-2", OWNER.actor, "owner")), "never across organisations"


def test_sharing_with_the_organisation_or_with_named_users_and_groups():
    everyone = _search("organisation")
    assert everyone.visible_to(Viewer("t-1", "service:partner", None))
    named = _search("named", (Share("user", "bo"), Share("group", "teachers")))
    assert named.visible_to(Viewer("t-1", "user:bo", "bo"))
    assert named.visible_to(Viewer("t-1", "user:carl", "carl", frozenset({"teachers"})))
    assert not named.visible_to(Viewer("t-1", "user:dan", "dan", frozenset({"office"})))
    assert not named.visible_to(Viewer("t-1", "service:bo", None)), "a service account is no named user"


@pytest.mark.parametrize(
    ("sharing", "shared_with", "field"),
    [
        ("public", (), "sharing"),
        ("named", (), "shared_with"),
        ("private", (Share("user", "bo"),), "shared_with"),
        ("named", (Share("unit", "u-1"),), "shared_with"),
        ("named", (Share("user", ""),), "shared_with"),
    ],
)
def test_sharing_that_makes_no_sense_is_refused(sharing, shared_with, field):
    with pytest.raises(InvalidField) as refused:
        _search(sharing, shared_with)
    assert refused.value.field == field


def test_names_are_cleaned_and_required():
    for bad in ("   ", "x" * 201, "tab\x00"):
        with pytest.raises(InvalidField, match="name"):
            SavedSearch.create("t-1", OWNER.actor, bad, {}, NOW)


def test_only_the_owner_changes_it_and_only_the_version_they_read():
    search = _search()
    with pytest.raises(Forbidden):
        search.change("user:bo", NOW, name="Mine")
    with pytest.raises(StaleSavedSearch):
        search.change(OWNER.actor, NOW, name="Mine", expected_version=7)
    later = NOW + timedelta(minutes=1)
    assert search.change(OWNER.actor, later, name="Mine", sharing="named", shared_with=(Share("user", "bo"),)) == [
        "name", "sharing", "shared_with",
    ]
    assert (search.version, search.updated_at) == (2, later)
    assert search.change(OWNER.actor, later, name="Mine") == [], "no change, no new version"
    assert search.change(OWNER.actor, later, sharing="organisation") == ["sharing", "shared_with"]
    assert search.shared_with == () and search.version == 3


def test_criteria_are_the_case_lists_filters_and_nothing_else():
    assert "status" in filter_parameters(CaseListQuery)
    assert not {"page", "page_size"} & set(filter_parameters(CaseListQuery))
    assert check_criteria(CaseListQuery, {"status": "open"}) == {"status": "open"}
    assert check_criteria(CaseListQuery, {}) == {}
    with pytest.raises(InvalidCriteria) as unknown:
        check_criteria(CaseListQuery, {"status": "open", "colour": "red", "page": 2})
    assert [e["field"] for e in unknown.value.extra["errors"]] == ["criteria.colour", "criteria.page"]
    with pytest.raises(InvalidCriteria) as wrong:
        check_criteria(CaseListQuery, {"status": "lost"})
    assert wrong.value.status == 422 and wrong.value.extra["errors"][0]["field"] == "criteria.status"


def test_criteria_saved_before_the_list_changed_are_a_conflict_when_run():
    with pytest.raises(OutdatedCriteria) as outdated:
        parse_criteria(CaseListQuery, {"filter_that_was_removed": "x"})
    assert outdated.value.status == 409


def test_every_filter_of_the_case_list_reaches_the_list_and_the_export_by_name():
    """Saved searches and exports pass GET /cases's filters to the views as keyword arguments."""
    filters = list_filters(CaseListQuery())
    for view in (views.list_cases, views._listed):  # iter_cases hands its filters to _listed
        missing = set(filters) - set(inspect.signature(view).parameters)
        assert not missing, f"{view.__name__} lacks the filters {missing}"


def test_the_filters_in_force_are_audited_as_simple_values():
    assert described({"status": "open", "owner_id": None, "tags": ["a"], "since": NOW}) == {
        "filter_status": "open",
        "filter_tags": '["a"]',
        "filter_since": NOW.isoformat(),
    }
