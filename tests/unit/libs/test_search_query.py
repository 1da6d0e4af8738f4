"""What a search may ask and what an index entry must hold, checked before any engine sees them."""

from datetime import UTC, date, datetime

import pytest

from akta.search.interface import IndexEntry, InvalidSearchQuery, SearchQuery


def test_a_query_reads_its_text_and_keeps_its_parameters():
    query = SearchQuery(text='skole "ny ansøgning" -afslag', kinds=["document"], date_from=datetime(2024, 1, 1, 9, tzinfo=UTC))
    assert [term.words for term in query.terms] == [("skole",), ("ny", "ansøgning"), ("afslag",)]
    assert query.kinds == ("document",)
    assert query.date_from == date(2024, 1, 1)
    assert query.ranked
    assert not SearchQuery().ranked and not SearchQuery(text="skole", sort="title").ranked
    assert SearchQuery(text="   ").terms == ()


@pytest.mark.parametrize("parameters, field", [
    ({"limit": 101}, "limit"),
    ({"limit": 0}, "limit"),
    ({"limit": "20"}, "limit"),
    ({"limit": True}, "limit"),
    ({"offset": -1}, "offset"),
    ({"offset": 9_990, "limit": 20}, "offset"),
    ({"sort": "random"}, "sort"),
    ({"facets": ("owner",)}, "facets"),
    ({"facets": "kind"}, "facets"),
    ({"kinds": ("letter",)}, "kinds"),
    ({"statuses": ("open", None)}, "statuses"),
    ({"statuses": ("open", 7)}, "statuses"),
    ({"document_types": ("x" * 201,)}, "document_types"),
    ({"class_codes": tuple(str(index) for index in range(101))}, "class_codes"),
    ({"case_id": "c\x00"}, "case_id"),
    ({"case_id": "c\ud800"}, "case_id"),
    ({"party_id": ""}, "party_id"),
    ({"date_from": date(2024, 2, 1), "date_to": date(2024, 1, 1)}, "date_to"),
    ({"date_from": "2024-01-01"}, "date_from"),
    ({"text": None}, "text"),
    ({"text": "x" * 1001}, "text"),
    ({"text": "* : -"}, "text"),
    ({"text": "\ud800"}, "text"),
    ({"text": "-skole -orlov"}, "text"),
    ({"text": "skole " * 33}, "text"),
])
def test_bad_parameters_are_refused_naming_the_field(parameters, field):
    with pytest.raises(InvalidSearchQuery) as refused:
        SearchQuery(**parameters)
    assert refused.value.field == field and refused.value.message
    assert refused.value.status == 422
    assert refused.value.extra["errors"] == [{"field": field, "message": refused.value.message}]


def test_an_entry_of_a_case_is_its_own_case():
    now = datetime.now(UTC)
    case = IndexEntry(tenant_id="t", kind="case", id="c1", title="Sag", updated_at=now, party_ids=["p1"])
    assert case.case_id == "c1" and case.party_ids == ("p1",)
    document = IndexEntry(tenant_id="t", kind="document", id="d1", title="Brev", updated_at=now,
                          date=datetime(2024, 5, 1, 23, 0, tzinfo=UTC))
    assert document.day == date(2024, 5, 1)


@pytest.mark.parametrize("fields", [
    {"kind": "letter"},
    {"language": "swedish"},
    {"updated_at": datetime(2025, 1, 1)},
    {"kind": "case", "case_id": "another"},
    {"id": ""},
    {"access_group_id": "g\x00"},
    {"case_number": "x" * 201},
    {"party_ids": ("p1", "")},
])
def test_an_entry_that_no_engine_could_store_is_refused(fields):
    values = {"tenant_id": "t", "kind": "document", "id": "d1", "title": "Brev", "updated_at": datetime.now(UTC)}
    with pytest.raises(ValueError):
        IndexEntry(**{**values, **fields})
