from datetime import UTC, datetime

import pytest

from akta.errors import Conflict, InvalidField
from akta_cases.archive_plan.handlers import parse_class_csv
from akta_cases.archive_plan.model import ArchiveClass, CaseTemplate, effective_defaults, kle_parent_code

NOW = datetime(2026, 11, 21, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "parent"),
    [("28.01.02", "28.01.00"), ("28.01.00", "28.00.00"), ("28.00.00", None), ("00.01", "00.00"), ("A20", None)],
)
def test_kle_numbers_know_their_parent(code, parent):
    assert kle_parent_code(code) == parent


def test_defaults_are_inherited_from_the_nearest_class_that_sets_them():
    top = ArchiveClass.create("t", "17.00.00", "Undervisning", None, "B", "ag-top", NOW)
    middle = ArchiveClass.create("t", "17.02.00", "Elever", top, None, "ag-pupils", NOW)
    leaf = ArchiveClass.create("t", "17.02.05", "Elevsager", middle, "K10", None, NOW)
    assert effective_defaults([leaf, middle, top]).retention_rule == "K10"
    assert effective_defaults([leaf, middle, top]).access_group_id == "ag-pupils"
    assert effective_defaults([middle, top]).retention_rule == "B"


def _template(**settings) -> CaseTemplate:
    return CaseTemplate.create("t", "Elevsag", NOW, **settings)


def test_metadata_is_checked_against_the_template_fields():
    template = _template(fields=[
        {"key": "klasse", "label": "Klasse", "type": "text", "required": True},
        {"key": "fravaer", "label": "Fravær (dage)", "type": "number"},
        {"key": "start", "label": "Start", "type": "date"},
        {"key": "type", "label": "Type", "type": "choice", "choices": ["fravær", "trivsel"]},
        {"key": "elev", "label": "Elev", "type": "person"},
    ])
    cleaned = template.clean_metadata({"klasse": " 7.A ", "fravaer": 3, "start": "2026-08-10", "type": "trivsel", "elev": "010203-1234"})
    assert cleaned == {"klasse": "7.A", "fravaer": 3, "start": "2026-08-10", "type": "trivsel", "elev": "0102031234"}
    for values, field in [
        ({}, "metadata.klasse"),
        ({"klasse": "7.A", "skostørrelse": 42}, "metadata.skostørrelse"),
        ({"klasse": 7}, "metadata.klasse"),
        ({"klasse": "7.A", "fravaer": "tre"}, "metadata.fravaer"),
        ({"klasse": "7.A", "fravaer": True}, "metadata.fravaer"),
        ({"klasse": "7.A", "start": "10/8/2026"}, "metadata.start"),
        ({"klasse": "7.A", "type": "andet"}, "metadata.type"),
        ({"klasse": "7.A", "elev": "320103-1234"}, "metadata.elev"),
    ]:
        with pytest.raises(InvalidField) as raised:
            template.clean_metadata(values)
        assert raised.value.field == field, values
    assert template.clean_metadata({"fravaer": 4}, partial=True) == {"fravaer": 4}


def test_template_fields_are_validated_when_the_template_is_defined():
    for fields, field in [
        ([{"key": "Klasse", "type": "text"}], "fields[0].key"),
        ([{"key": "a", "type": "colour"}], "fields[0].type"),
        ([{"key": "a", "type": "choice"}], "fields[0].choices"),
        ([{"key": "a", "type": "text", "choices": ["x"]}], "fields[0].choices"),
        ([{"key": "a", "type": "text"}, {"key": "a", "type": "date"}], "fields"),
    ]:
        with pytest.raises(InvalidField) as raised:
            _template(fields=fields)
        assert raised.value.field == field
    with pytest.raises(InvalidField) as raised:
        _template(default_tasks=[{"title": "x", "days_to_deadline": -1}])
    assert raised.value.field == "default_tasks[0].days_to_deadline"
    with pytest.raises(InvalidField) as raised:
        _template(screening_code="top-secret")
    assert raised.value.field == "screening_code"


def test_a_retired_template_is_not_used():
    template = _template()
    template.configure(active=False)
    with pytest.raises(Conflict):
        template.ensure_usable()


def test_the_class_csv_derives_kle_parents_and_names_bad_rows():
    rows = parse_class_csv("\ufeffcode;title;retention_rule\n17.00.00;Undervisning;B\n17.02.05;Elevsager;K10\n")
    assert [(r.code, r.parent_code, r.retention_rule) for r in rows] == [("17.00.00", None, "B"), ("17.02.05", "17.02.00", "K10")]
    with pytest.raises(InvalidField) as raised:
        parse_class_csv("code,title\n17.00.00,\n")
    assert raised.value.field == "rows[2].title"
    with pytest.raises(InvalidField) as raised:
        parse_class_csv("kode;titel\n1;x\n")
    assert raised.value.field == "file"
