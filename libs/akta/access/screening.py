"""Screening codes (skjerming / gradering / fortrolighed) a resource may carry."""

from __future__ import annotations

from akta.errors import InvalidField

# Danish and Norwegian practice for schools and municipalities, then Noark 5's gradering codes.
SCREENING_CODES: dict[str, str] = {
    "personnel": "Personnel matters / personalesager / personalsaker",
    "pupil": "Pupil matters / elevsager / elevsaker",
    "child": "Child welfare / børnesager / barnevern",
    "health": "Health information / helbredsoplysninger / helseopplysninger",
    "gradering-B": "Noark 5 gradering: Begrenset",
    "gradering-F": "Noark 5 gradering: Fortrolig",
    "gradering-K": "Noark 5 gradering: Konfidensielt",
    "gradering-H": "Noark 5 gradering: Hemmelig",
    "gradering-SH": "Noark 5 gradering: Strengt hemmelig",
}


def check_screening_code(code: str | None, field: str = "screening_code") -> str | None:
    if code is None or code in SCREENING_CODES:
        return code
    raise InvalidField(field, f"unknown screening code {code!r}; known: {', '.join(SCREENING_CODES)}")
