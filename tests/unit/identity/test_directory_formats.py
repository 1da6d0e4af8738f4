"""Reading CSV and JSON exports: separators, BOM, and errors naming row and column."""

import json

import pytest

from akta.errors import InvalidField
from akta_identity.directory_sync.formats import parse, parse_csv, parse_json
from tests.support.persons import school_directory

HEADER = "kind;external_id;name;national_id;given_name;family_name;class;guardians;username\n"
GOOD = (
    HEADER
    + "class;3A;3.A;;;;;;\n"
    + "guardian;G1;;010180-1234;Mette;Østergaard;;;\n"
    + "pupil;E1;;150515-4321;Ida;Østergaard;3A;G1;\n"
    + "staff;S1;;;Lis;Holm;;;lh\n"
)


def _error(data: bytes, file_format: str = "csv") -> InvalidField:
    with pytest.raises(InvalidField) as raised:
        parse(data, file_format)
    return raised.value


def test_semicolons_commas_and_a_bom_read_the_same():
    directory = school_directory(pupils=20, staff=3)
    semicolons = parse_csv(directory.csv(delimiter=";", bom=True))
    commas = parse_csv(directory.csv(delimiter=",", bom=False))

    assert semicolons == commas
    assert len(semicolons.persons) == len(directory.rows) - len(directory.of_kind("class"))
    assert {c.code: c.name for c in semicolons.classes}["3A"] == "3.A"


def test_json_reads_the_same_as_csv():
    directory = school_directory(pupils=20, staff=3)

    assert parse_json(json.dumps(directory.json()).encode()) == parse_csv(directory.csv())


def test_rows_are_cleaned_and_numbers_normalised():
    result = parse_csv(GOOD.replace("Ida;", "  Ida  ;").encode())
    [guardian, pupil, staff] = result.persons

    assert (pupil.given_name, pupil.national_id, pupil.class_code, pupil.guardians) == ("Ida", "1505154321", "3A", ("G1",))
    assert guardian.national_id == "0101801234"
    assert (staff.username, staff.national_id) == ("lh", None)


def test_columns_may_come_in_any_order_and_case_and_be_left_out():
    text = "External_ID,KIND,given_name,family_name,national_id\nE1,pupil,Ida,Berg,150515-4321\n"
    [pupil] = parse_csv(text.encode()).persons

    assert (pupil.kind, pupil.external_id, pupil.guardians) == ("pupil", "E1", ())


def test_blank_lines_are_skipped():
    assert len(parse_csv((GOOD + "\n;;;;;;;;\n").encode()).persons) == 3


@pytest.mark.parametrize(
    ("replace_from", "replace_to", "field", "message"),
    [
        ("150515-4321", "310215-4321", "rows[4].national_id", "date that does not exist"),
        ("150515-4321", "", "rows[4].national_id", "pupils need a CPR number"),
        ("pupil;E1", "pupill;E1", "rows[4].kind", "must be one of pupil, guardian, staff"),
        (";Ida;", ";;", "rows[4].given_name", "must not be empty"),
        (";;lh", ";;", "rows[5].username", "staff need a user name"),
        (";;lh", ";;l h", "rows[5].username", "letters, digits"),
        ("Holm;;;lh", "Holm;3A;;lh", "rows[5].class", "only pupils have a class"),
        ("Østergaard;;;\n", "Østergaard;;E1;\n", "rows[3].guardians", "only pupils have guardians"),
        ("3A;G1;", "3A;E1;", "rows[4].guardians", "own guardian"),
        ("class;3A;3.A;;;;;;", "class;3A;3.A;;Tre;;;;", "rows[2].given_name", "a class row has only"),
        ("staff;S1;;", "staff;S1;Lis Holm;", "rows[5].name", "only class rows have a name"),
    ],
)
def test_a_bad_row_names_its_line_and_column(replace_from, replace_to, field, message):
    assert replace_from in GOOD
    error = _error(GOOD.replace(replace_from, replace_to, 1).encode())

    assert error.field == field
    assert message in error.detail
    assert error.extra["errors"] == [{"field": field, "message": error.detail.split(": ", 1)[1]}]


def test_a_second_row_with_the_same_id_names_the_first():
    error = _error((GOOD + "pupil;E1;;150515-4000;Bo;Berg;3A;;\n").encode())

    assert error.field == "rows[6].external_id"
    assert "rows[4]" in error.detail


def test_the_same_national_id_twice_in_one_kind_is_refused():
    error = _error((GOOD + "pupil;E2;;1505154321;Bo;Berg;3A;;\n").encode())

    assert error.field == "rows[6].national_id"


def test_user_names_must_differ_regardless_of_case():
    error = _error((GOOD + "staff;S2;;;Lars;Hald;;;LH\n").encode())

    assert error.field == "rows[6].username"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind;external_id;cpr\n", "unknown column(s) cpr"),
        ("kind;given_name\n", "lacks the column(s) external_id"),
        ("kind;external_id;kind\n", "kind appear more than once"),
        ("", "lacks the column(s) kind, external_id"),
    ],
)
def test_a_bad_header_is_row_1(text, message):
    error = _error(text.encode())

    assert error.field == "rows[1]"
    assert message in error.detail


def test_more_cells_than_columns_is_refused():
    error = _error((HEADER + "pupil;E1;;150515-4321;Ida;Berg;3A;;;extra\n").encode())

    assert error.field == "rows[2]"


def test_a_file_that_is_not_utf8_says_how_to_save_it():
    error = _error(GOOD.encode("cp1252"))

    assert error.field == "file"
    assert "CSV UTF-8" in error.detail


def test_json_errors_name_the_array_index_and_field():
    document = {"persons": [{"kind": "guardian", "external_id": "G1", "given_name": "A", "family_name": "B"},
                            {"kind": "pupil", "external_id": "E1", "given_name": "I", "family_name": "B",
                             "national_id": "999999-9999"}]}
    assert _error(json.dumps(document).encode(), "json").field == "persons[1].national_id"

    document["persons"][1]["kind"] = "teacher"
    assert _error(json.dumps(document).encode(), "json").field == "persons[1].kind"

    assert _error(b"{not json", "json").field == "file"
    assert _error(b'{"people": []}', "json").field == "people"
