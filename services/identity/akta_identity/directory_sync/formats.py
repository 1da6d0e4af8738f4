"""Reading an export of the student administrative system: CSV or JSON, UTF-8 with or without BOM.

CSV: one header row, then one row per class or person. Separated by `;` (what Danish and
Norwegian Excel write) or `,`; the header row tells which. Column names are case-insensitive and
in any order; `kind` and `external_id` are required, the others may be left out.

| column      | rows                  | meaning                                                         |
|-------------|-----------------------|-----------------------------------------------------------------|
| kind        | all                   | `pupil`, `guardian`, `staff` or `class`                         |
| external_id | all                   | the id in the source system (for a class, its code, e.g. `3A`)  |
| name        | class                 | the class's name as shown (e.g. `3.A`); defaults to its code    |
| national_id | pupil (required), guardian, staff | CPR number (DDMMYY-SSSS) or fødselsnummer/D-number  |
| given_name  | pupil, guardian, staff | required                                                       |
| family_name | pupil, guardian, staff | required                                                       |
| class       | pupil                 | the code of the pupil's class                                   |
| guardians   | pupil                 | the guardians' external ids, separated by a vertical bar: G1|G2 |
| username    | staff (required)      | the user name the staff member gets in Akta                     |

Errors name the row as `rows[N]` with N the line of the file (the header is line 1, as in a
spreadsheet) and the column, e.g. `rows[17].national_id`.

JSON: `{"classes": [{"external_id", "name"}], "persons": [{"kind", "external_id", "national_id",
"given_name", "family_name", "class", "guardians": [...], "username"}]}`, the same fields as the
CSV columns; errors name e.g. `persons[3].national_id`.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from akta.errors import InvalidField
from akta_identity.directory_sync.model import (
    ClassRecord,
    DirectoryImport,
    PersonRecord,
    class_record,
    directory_import,
    person_record,
)

FORMATS = ("csv", "json")
CSV_COLUMNS = (
    "kind", "external_id", "name", "national_id", "given_name", "family_name", "class", "guardians", "username",
)
REQUIRED_CSV_COLUMNS = ("kind", "external_id")
GUARDIAN_SEPARATOR = "|"


class ClassIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    external_id: str = Field(description="The class's code in the source system, e.g. 3A.")
    name: str | None = Field(default=None, description="As shown, e.g. 3.A; defaults to the code.")


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    kind: Literal["pupil", "guardian", "staff"]
    external_id: str = Field(description="The person's id in the source system.")
    national_id: str | None = Field(
        default=None, description="CPR number (DDMMYY-SSSS) or fødselsnummer/D-number; required for pupils."
    )
    given_name: str
    family_name: str
    class_code: str | None = Field(default=None, alias="class", description="A pupil's class code.")
    guardians: list[str] = Field(default_factory=list, description="A pupil's guardians' external ids.")
    username: str | None = Field(default=None, description="Staff: their user name in Akta (required).")


class ImportDocument(BaseModel):
    """A directory import as JSON, the same as the HTTP body of an import."""

    model_config = ConfigDict(extra="forbid")
    classes: list[ClassIn] = Field(default_factory=list)
    persons: list[PersonIn] = Field(default_factory=list)


def parse(data: bytes, file_format: str) -> DirectoryImport:
    if file_format == "csv":
        return parse_csv(data)
    if file_format == "json":
        return parse_json(data)
    raise InvalidField("format", f"must be one of {', '.join(FORMATS)}")


def parse_json(data: bytes) -> DirectoryImport:
    try:
        raw = json.loads(_text(data))
    except ValueError as error:
        raise InvalidField("file", f"is not JSON: {error}") from None
    try:
        document = ImportDocument.model_validate(raw)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        raise InvalidField(_json_location(first["loc"]), first["msg"]) from None
    return from_document(document)


def from_document(document: ImportDocument) -> DirectoryImport:
    classes = [class_record(f"classes[{i}]", c.external_id, c.name) for i, c in enumerate(document.classes)]
    persons = [
        person_record(
            f"persons[{i}]", p.kind, p.external_id, p.given_name, p.family_name,
            national_id=p.national_id, class_code=p.class_code, guardians=p.guardians, username=p.username,
        )
        for i, p in enumerate(document.persons)
    ]
    return directory_import(classes, persons)


def parse_csv(data: bytes) -> DirectoryImport:
    text = _text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = _header(next(reader, []))
        classes: list[ClassRecord] = []
        persons: list[PersonRecord] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            source = f"rows[{reader.line_num}]"
            if len(cells) > len(header):
                raise InvalidField(source, f"has {len(cells)} cells but the header names {len(header)} columns")
            row = dict(zip(header, cells, strict=False))
            if row.get("kind", "").strip().lower() == "class":
                classes.append(_class_row(source, row))
            else:
                persons.append(_person_row(source, row))
    except csv.Error as error:
        raise InvalidField(f"rows[{reader.line_num}]", f"is not valid CSV: {error}") from None
    return directory_import(classes, persons)


def _header(cells: list[str]) -> list[str]:
    header = [cell.strip().lower() for cell in cells]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if unknown:
        raise InvalidField("rows[1]", f"unknown column(s) {', '.join(unknown)}; the columns are {', '.join(CSV_COLUMNS)}")
    missing = [name for name in REQUIRED_CSV_COLUMNS if name not in header]
    if missing:
        raise InvalidField("rows[1]", f"the header lacks the column(s) {', '.join(missing)}")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InvalidField("rows[1]", f"the column(s) {', '.join(repeated)} appear more than once")
    return header


def _class_row(source: str, row: dict[str, str]) -> ClassRecord:
    for column in ("national_id", "given_name", "family_name", "class", "guardians", "username"):
        if row.get(column, "").strip():
            raise InvalidField(f"{source}.{column}", "a class row has only external_id and name")
    return class_record(source, row.get("external_id"), row.get("name"))


def _person_row(source: str, row: dict[str, str]) -> PersonRecord:
    if row.get("name", "").strip():
        raise InvalidField(f"{source}.name", "only class rows have a name; persons have given_name and family_name")
    return person_record(
        source,
        row.get("kind"),
        row.get("external_id"),
        row.get("given_name"),
        row.get("family_name"),
        national_id=row.get("national_id"),
        class_code=row.get("class"),
        guardians=row.get("guardians", "").split(GUARDIAN_SEPARATOR),
        username=row.get("username"),
    )


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidField("file", "is not UTF-8 text; in Excel save it as 'CSV UTF-8'") from None


def _json_location(location: tuple) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "file"
