"""CSV exports of lists, streamed: a header line, then one line per row as the rows arrive.

    return csv_response(CASE_FIELDS, views.iter_cases(database, scope, filters), "cases.csv")

UTF-8 without a byte order mark, RFC 4180 lines. Cells that a spreadsheet would run as a formula
(starting with = + - @, tab or carriage return) get a leading apostrophe: names, titles and user
agents come from callers, and "=HYPERLINK(…)" in a case title must stay text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from flask import Response

CSV_MIMETYPE = "text/csv"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def csv_response(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], filename: str) -> Response:
    """A streamed `text/csv; charset=utf-8` attachment named `filename`."""
    response = Response(csv_lines(columns, rows), mimetype=CSV_MIMETYPE)
    response.headers["Content-Disposition"] = attachment(filename)
    return response


def csv_lines(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The header line, then each row's values in the order of `columns` (missing ones empty)."""
    yield csv_line(columns)
    for row in rows:
        yield csv_line([row.get(name) for name in columns])


def csv_line(values: Iterable[Any]) -> str:
    """One CSV line of safe cells, ending in CRLF."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_cell(value) for value in values])
    return buffer.getvalue()


def csv_cell(value: Any) -> Any:
    """A value as a spreadsheet-safe cell: empty for None, ISO 8601 (UTC) for times, JSON for
    structures, and text that looks like a formula prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def attachment(filename: str, fallback_name: str = "export.csv") -> str:
    """`Content-Disposition` for a download: a plain ASCII name, and the exact name as RFC 6266
    `filename*` when it has other characters (æ, ø, å). `fallback_name` stands in when no
    letter or digit of the name is plain ASCII."""
    fallback = _UNSAFE_IN_FILENAME.sub("_", filename)
    if not any(char.isalnum() for char in fallback.rsplit(".", 1)[0]):
        fallback = fallback_name
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header
