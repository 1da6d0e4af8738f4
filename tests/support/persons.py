"""Valid CPR numbers and fødselsnumre made on the spot, and a realistic school directory as the
student administrative system would export it."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

GIVEN_NAMES = ["Anna", "Emil", "Ida", "Noah", "Freja", "Oskar", "Åse", "Søren", "Ærle", "Mathilde", "Lucas", "Nora"]
FAMILY_NAMES = ["Østergaard", "Hansen", "Jensen", "Nielsen", "Ågesen", "Berg", "Dahl", "Holm", "Møller", "Lund"]


def cpr(born: date, sequence: int = 1) -> str:
    """DDMMYY-SSSS whose first serial digit gives `born`'s century, as the CPR office assigns."""
    if born.year < 1900:
        first = 5
    elif born.year < 2000:
        first = sequence % 4  # 0-3: born 1900-1999
    else:
        first = 4 if born.year % 100 <= 36 else 5
    return f"{born:%d%m%y}-{first}{sequence % 1000:03d}"


def fodselsnummer(born: date, sequence: int = 0, d_number: bool = False) -> str:
    """An 11-digit number with correct control digits; the `sequence`-th one valid for `born`."""
    if 1900 <= born.year <= 1999:
        individuals = range(0, 500)
    elif 2000 <= born.year <= 2039:
        individuals = range(500, 1000)
    else:
        individuals = range(500, 750)
    day = born.day + 40 if d_number else born.day
    found = -1
    for individual in individuals:
        digits = f"{day:02d}{born:%m%y}{individual:03d}"
        first = _control(digits, (3, 7, 6, 1, 8, 9, 4, 5, 2))
        second = _control(digits + str(first), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) if first is not None else None
        if second is not None:
            found += 1
            if found == sequence:
                return f"{digits}{first}{second}"
    raise ValueError(f"no {sequence}-th fødselsnummer for {born}")


def _control(digits: str, weights: tuple[int, ...]) -> int | None:
    control = (11 - sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11) % 11
    return None if control == 10 else control


@dataclass
class Directory:
    """Rows keyed by the CSV columns; `csv()` writes them as the export would."""

    rows: list[dict[str, str]] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[dict[str, str]]:
        return [row for row in self.rows if row["kind"] == kind]

    def row(self, kind: str, external_id: str) -> dict[str, str]:
        return next(r for r in self.rows if r["kind"] == kind and r["external_id"] == external_id)

    def csv(self, delimiter: str = ";", bom: bool = True) -> bytes:
        columns = ["kind", "external_id", "name", "national_id", "given_name", "family_name", "class", "guardians", "username"]
        out = io.StringIO()
        writer = csv.DictWriter(out, columns, delimiter=delimiter, restval="", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return (("\ufeff" if bom else "") + out.getvalue()).encode()

    def json(self) -> dict:
        classes = [{"external_id": r["external_id"], "name": r["name"]} for r in self.of_kind("class")]
        persons = []
        for row in self.rows:
            if row["kind"] == "class":
                continue
            person = {k: row[k] for k in ("kind", "external_id", "given_name", "family_name")}
            for key in ("national_id", "class", "username"):
                if row.get(key):
                    person[key] = row[key]
            if row.get("guardians"):
                person["guardians"] = row["guardians"].split("|")
            persons.append(person)
        return {"classes": classes, "persons": persons}


def school_directory(pupils: int = 200, staff: int = 30, seed: int = 7, norwegian: bool = False) -> Directory:
    """A school: classes 0A-9B, pupils with one or two guardians (siblings share them), staff."""
    rng = random.Random(seed)
    used: set[str] = set()

    def number(born: date) -> str:
        make = fodselsnummer if norwegian else cpr
        sequence = 0
        while make(born, sequence) in used:
            sequence += 1
        used.add(make(born, sequence))
        return make(born, sequence)

    directory = Directory()
    classes = [f"{grade}{letter}" for grade in range(10) for letter in "AB"]
    for code in classes:
        directory.rows.append({"kind": "class", "external_id": code, "name": f"{code[0]}.{code[1]}"})
    guardians: list[dict[str, str]] = []
    pupil_rows = []
    for n in range(pupils):
        family = rng.choice(FAMILY_NAMES)
        if guardians and rng.random() < 0.2:  # a sibling: the same guardians as an earlier pupil
            parents = rng.choice(pupil_rows)["guardians"]
        else:
            parents = []
            for _ in range(rng.choice((1, 2, 2))):
                born = date(1975, 1, 1) + timedelta(days=rng.randrange(365 * 15))
                guardian = {
                    "kind": "guardian",
                    "external_id": f"G{len(guardians) + 1:04d}",
                    "national_id": number(born),
                    "given_name": rng.choice(GIVEN_NAMES),
                    "family_name": family,
                }
                guardians.append(guardian)
                parents.append(guardian["external_id"])
            parents = "|".join(parents)
        grade = rng.randrange(10)
        born = date(2020 - grade, 1, 1) + timedelta(days=rng.randrange(365))
        pupil_rows.append({
            "kind": "pupil",
            "external_id": f"E{n + 1:04d}",
            "national_id": number(born),
            "given_name": rng.choice(GIVEN_NAMES),
            "family_name": family,
            "class": f"{grade}{rng.choice('AB')}",
            "guardians": parents,
        })
    staff_rows = [
        {
            "kind": "staff",
            "external_id": f"S{n + 1:03d}",
            "given_name": rng.choice(GIVEN_NAMES),
            "family_name": rng.choice(FAMILY_NAMES),
            "username": f"staff{n + 1:03d}",
        }
        for n in range(staff)
    ]
    directory.rows += guardians + staff_rows + pupil_rows
    return directory
