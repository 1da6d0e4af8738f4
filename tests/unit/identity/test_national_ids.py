"""CPR numbers and fødselsnumre: dates, centuries, control digits, D-numbers, clear errors."""

from datetime import date

import pytest

from akta.identifiers import (
    InvalidNationalId,
    parse_cpr,
    parse_fodselsnummer,
    parse_national_id,
)
from tests.support.persons import _control, fodselsnummer


def _passes_old_modulus_11(digits: str) -> bool:
    return sum(int(d) * w for d, w in zip(digits, (4, 3, 2, 7, 6, 5, 4, 3, 2, 1), strict=True)) % 11 == 0


@pytest.mark.parametrize("text", ["010180-1234", "0101801234", " 010180-1234 "])
def test_a_cpr_number_is_normalised_to_its_digits(text):
    parsed = parse_national_id(text)
    assert (parsed.number, parsed.kind, parsed.country) == ("0101801234", "cpr", "DK")
    assert parsed.birth_date == date(1980, 1, 1)


def test_a_cpr_number_failing_the_old_modulus_11_check_is_accepted():
    assert not _passes_old_modulus_11("0101801234")
    assert parse_cpr("010180-1234").number == "0101801234"


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("010120-0000", 1920),
        ("010120-4000", 2020),
        ("010150-4000", 1950),
        ("010136-9000", 2036),
        ("010199-9000", 1999),
        ("010150-5000", 2050),
        ("010170-5000", 1870),
        ("010157-8000", 2057),
    ],
)
def test_the_first_serial_digit_gives_the_century(text, year):
    assert parse_cpr(text).birth_date.year == year


@pytest.mark.parametrize(
    "text",
    [
        "310215-4000",  # 31 February
        "290201-4000",  # 2001 is no leap year
        "290200-0000",  # 1900 was no leap year either
        "000180-1234",  # day 0
        "011380-1234",  # month 13
    ],
)
def test_a_cpr_number_must_start_with_a_real_date(text):
    with pytest.raises(InvalidNationalId, match="date that does not exist"):
        parse_national_id(text)


def test_29_february_2000_is_a_real_date():
    assert parse_cpr("290200-4000").birth_date == date(2000, 2, 29)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12345", "got 5 digits"),
        ("0101801234567", "got 13 digits"),
        ("01018O-1234", "must be digits"),
        ("0101-801234", "must be digits"),
        ("", "must be digits"),
        ("０１０１８０１２３４", "must be digits"),  # full-width digits are not ASCII
    ],
)
def test_malformed_numbers_say_what_is_wrong(text, message):
    with pytest.raises(InvalidNationalId, match=message):
        parse_national_id(text)


@pytest.mark.parametrize("born", [date(1985, 6, 30), date(2015, 5, 17), date(2008, 2, 29), date(1999, 12, 31)])
def test_a_fodselsnummer_with_correct_control_digits_is_accepted(born):
    number = fodselsnummer(born)
    parsed = parse_national_id(number)
    assert (parsed.number, parsed.kind, parsed.country, parsed.birth_date) == (number, "fødselsnummer", "NO", born)


def test_a_fodselsnummer_may_have_a_space_after_the_date():
    number = fodselsnummer(date(2015, 5, 17))
    assert parse_fodselsnummer(f"{number[:6]} {number[6:]}").number == number


@pytest.mark.parametrize("position", [9, 10, 0, 4])
def test_a_mistyped_fodselsnummer_fails_its_control_digits(position):
    number = fodselsnummer(date(1985, 6, 30))
    wrong = str((int(number[position]) + 1) % 10)
    mistyped = number[:position] + wrong + number[position + 1:]
    with pytest.raises(InvalidNationalId, match="control digits"):
        parse_fodselsnummer(mistyped)


def test_a_d_number_has_4_added_to_the_first_digit_of_the_day():
    number = fodselsnummer(date(1990, 3, 5), d_number=True)
    assert number.startswith("45")
    parsed = parse_national_id(number)
    assert (parsed.kind, parsed.birth_date) == ("d-nummer", date(1990, 3, 5))


def test_a_d_number_must_still_have_a_real_date():
    with pytest.raises(InvalidNationalId, match="date that does not exist"):
        parse_fodselsnummer(_first_valid("720190", range(0, 500)))  # day 32


def test_an_impossible_date_in_a_fodselsnummer_is_refused():
    with pytest.raises(InvalidNationalId, match="date that does not exist"):
        parse_fodselsnummer(_first_valid("310485", range(0, 500)))  # 31 April


def test_the_individual_number_must_fit_the_year():
    # 750-899 are given only to people born 2000-2039: not to someone born in a year ending 45.
    number = next(
        candidate
        for individual in range(750, 900)
        if (candidate := _try_control_digits(f"010145{individual:03d}"))
    )
    with pytest.raises(InvalidNationalId, match="individual number"):
        parse_fodselsnummer(number)


def test_individual_numbers_give_the_century():
    assert parse_fodselsnummer(_first_valid("010185", range(0, 500))).birth_date.year == 1985
    assert parse_fodselsnummer(_first_valid("010115", range(500, 1000))).birth_date.year == 2015
    assert parse_fodselsnummer(_first_valid("010185", range(900, 1000))).birth_date.year == 1985
    assert parse_fodselsnummer(_first_valid("010160", range(500, 750))).birth_date.year == 1860


def _try_control_digits(first_nine: str) -> str | None:
    first = _control(first_nine, (3, 7, 6, 1, 8, 9, 4, 5, 2))
    if first is None:
        return None
    second = _control(first_nine + str(first), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))
    return None if second is None else f"{first_nine}{first}{second}"


def _first_valid(date_digits: str, individuals: range) -> str:
    return next(n for i in individuals if (n := _try_control_digits(f"{date_digits}{i:03d}")))
