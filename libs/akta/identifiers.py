"""Identifiers of persons and companies, checked and normalised: Danish CPR numbers and
Norwegian fødselsnumre (and D-numbers); Danish CVR and P-numbers, Norwegian organisasjonsnumre.

Pure functions: they take the text a caller gave and return the number as digits only, or raise
`InvalidNationalId` / `InvalidCompanyId` saying what is wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CPR_LENGTH = 10
FODSELSNUMMER_LENGTH = 11

_FIRST_CONTROL_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_SECOND_CONTROL_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


class InvalidNationalId(ValueError):
    pass


@dataclass(frozen=True)
class NationalId:
    number: str
    kind: str  # "cpr", "fødselsnummer" or "d-nummer"
    birth_date: date

    @property
    def country(self) -> str:
        return "DK" if self.kind == "cpr" else "NO"


def parse_national_id(text: str) -> NationalId:
    """A CPR number (10 digits) or a fødselsnummer/D-number (11 digits), told apart by length."""
    digits = _digits(text)
    if len(digits) == CPR_LENGTH:
        return parse_cpr(digits)
    if len(digits) == FODSELSNUMMER_LENGTH:
        return parse_fodselsnummer(digits)
    raise InvalidNationalId(
        f"expected a CPR number (10 digits, DDMMYY-SSSS) or a fødselsnummer (11 digits), "
        f"got {len(digits)} digits"
    )


def parse_cpr(text: str) -> NationalId:
    """A Danish CPR number, DDMMYY-SSSS. Only the date is checked: since 2007 numbers are issued
    that fail the old modulus-11 check, so that check would reject real people."""
    digits = _digits(text)
    if len(digits) != CPR_LENGTH:
        raise InvalidNationalId(f"a CPR number has 10 digits (DDMMYY-SSSS), got {len(digits)}")
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    century = _cpr_century(int(digits[6]), year)
    return NationalId(digits, "cpr", _birth_date(day, month, century + year, "CPR number"))


def parse_fodselsnummer(text: str) -> NationalId:
    """A Norwegian fødselsnummer, DDMMYY + individual number (3) + control digits (2). A D-number
    (for people without a fødselsnummer) has 4 added to the first digit of the day."""
    digits = _digits(text)
    if len(digits) != FODSELSNUMMER_LENGTH:
        raise InvalidNationalId(f"a fødselsnummer has 11 digits, got {len(digits)}")
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    kind = "fødselsnummer"
    if day > 40:
        kind, day = "d-nummer", day - 40
    if _control_digit(digits, _FIRST_CONTROL_WEIGHTS) != int(digits[9]) or _control_digit(
        digits, _SECOND_CONTROL_WEIGHTS
    ) != int(digits[10]):
        raise InvalidNationalId(f"the control digits of this {kind} do not match; it is mistyped")
    century = _fodselsnummer_century(int(digits[6:9]), year)
    if century is None:
        raise InvalidNationalId(
            f"the individual number {digits[6:9]} is not given to anyone born in a year ending in {digits[4:6]}"
        )
    return NationalId(digits, kind, _birth_date(day, month, century + year, kind))


def _digits(text: str) -> str:
    cleaned = text.strip()
    # DDMMYY-SSSS and "DDMMYY IIIKK" are the usual ways of writing them.
    if len(cleaned) > 6 and cleaned[6] in "- ":
        cleaned = cleaned[:6] + cleaned[7:]
    if not cleaned.isascii() or not cleaned.isdigit():
        raise InvalidNationalId("must be digits, optionally with a dash after the birth date (DDMMYY-…)")
    return cleaned


def _birth_date(day: int, month: int, year: int, what: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidNationalId(
            f"the {what} starts with a date that does not exist ({day:02d}.{month:02d}.{year})"
        ) from None


def _cpr_century(first_serial_digit: int, year: int) -> int:
    # The CPR office's table: the first digit of the serial number tells the century.
    if first_serial_digit <= 3:
        return 1900
    if first_serial_digit in (4, 9):
        return 2000 if year <= 36 else 1900
    return 2000 if year <= 57 else 1800


def _fodselsnummer_century(individual: int, year: int) -> int | None:
    # Skatteetaten's table of individual numbers per century.
    if individual <= 499:
        return 1900
    if individual >= 500 and year <= 39:
        return 2000
    if individual <= 749 and year >= 54:
        return 1800
    if individual >= 900 and year >= 40:
        return 1900
    return None


def _control_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=False)) % 11
    control = (11 - remainder) % 11
    # A remainder of 1 would need control digit 10: such numbers are never issued.
    return None if control == 10 else control


class InvalidCompanyId(ValueError):
    pass


@dataclass(frozen=True)
class CompanyId:
    number: str
    kind: str  # "cvr", "p-number" or "organisasjonsnummer"

    @property
    def country(self) -> str:
        return "NO" if self.kind == "organisasjonsnummer" else "DK"


_CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)
_ORGANISASJONSNUMMER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def parse_company_id(text: str, kind: str) -> CompanyId:
    """A CVR number (8 digits, modulus 11), a P-number (10 digits, a Danish production unit) or
    an organisasjonsnummer (9 digits, modulus-11 control digit)."""
    digits = "".join(text.split())
    if not digits.isascii() or not digits.isdigit():
        raise InvalidCompanyId("must be digits only")
    if kind == "cvr":
        if len(digits) != 8:
            raise InvalidCompanyId(f"a CVR number has 8 digits, got {len(digits)}")
        if sum(int(d) * w for d, w in zip(digits, _CVR_WEIGHTS, strict=True)) % 11 != 0:
            raise InvalidCompanyId("the CVR number fails its modulus-11 check; it is mistyped")
    elif kind == "p-number":
        if len(digits) != 10:
            raise InvalidCompanyId(f"a P-number has 10 digits, got {len(digits)}")
    elif kind == "organisasjonsnummer":
        if len(digits) != 9:
            raise InvalidCompanyId(f"an organisasjonsnummer has 9 digits, got {len(digits)}")
        if digits[0] not in "89":
            raise InvalidCompanyId("an organisasjonsnummer starts with 8 or 9")
        if _control_digit(digits, _ORGANISASJONSNUMMER_WEIGHTS) != int(digits[8]):
            raise InvalidCompanyId("the control digit of this organisasjonsnummer does not match; it is mistyped")
    else:
        raise InvalidCompanyId(f"unknown kind {kind!r}: cvr, p-number or organisasjonsnummer")
    return CompanyId(digits, kind)
