"""The shared CSV export: safe cells, RFC 4180 lines, a streamed UTF-8 attachment."""

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone

from flask import Flask

from akta.web.csv_export import attachment, csv_cell, csv_line, csv_lines, csv_response


def test_cells_that_a_spreadsheet_would_run_are_neutralised():
    for formula in ("=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(formula) == "'" + formula
    assert csv_cell("Elevsag 2026") == "Elevsag 2026"
    assert csv_cell("a=b") == "a=b", "only a formula at the start runs"
    assert csv_cell(-5) == -5, "numbers are numbers, not text"


def test_values_become_plain_cells():
    assert csv_cell(None) == ""
    assert csv_cell(datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))) == "2026-03-02T09:00:00+00:00"
    assert csv_cell(date(2026, 3, 2)) == "2026-03-02"
    assert csv_cell({"b": 1, "a": "ø"}) == '{"a": "ø", "b": 1}'
    assert csv_cell(["=x"]) == '["=x"]', "JSON starting with [ or { is no formula"
    assert csv_cell(True) is True


def test_lines_follow_the_columns_and_quote_what_needs_it():
    lines = list(csv_lines(["id", "title", "missing"], [{"id": "1", "title": 'Sag, "vigtig"\nto linjer', "extra": "x"}]))
    assert lines[0] == "id,title,missing\r\n"
    [row] = list(csv.DictReader(io.StringIO("".join(lines))))
    assert row == {"id": "1", "title": 'Sag, "vigtig"\nto linjer', "missing": ""}
    assert csv_line(["=1", None]) == "'=1,\r\n"


def test_the_response_streams_an_attachment_in_utf8_without_a_byte_order_mark():
    consumed = []

    def rows():
        for number in range(3):
            consumed.append(number)
            yield {"n": number, "title": "Ærø"}

    with Flask(__name__).test_request_context():
        response = csv_response(["n", "title"], rows(), "sager.csv")
        assert consumed == [], "nothing is read before the response is sent"
        assert response.is_streamed
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"] == 'attachment; filename="sager.csv"'
        body = b"".join(response.response if isinstance(response.response, list) else response.iter_encoded())
    assert not body.startswith(b"\xef\xbb\xbf")
    assert body.decode("utf-8") == "n,title\r\n0,Ærø\r\n1,Ærø\r\n2,Ærø\r\n"


def test_a_filename_with_other_characters_keeps_an_ascii_fallback():
    assert attachment("cases-20260302T090000Z.csv") == 'attachment; filename="cases-20260302T090000Z.csv"'
    header = attachment('Åbne "sager".csv')
    assert header.startswith('attachment; filename="_bne_sager_.csv"; ')
    assert header.endswith("filename*=UTF-8''%C3%85bne%20%22sager%22.csv")
    assert 'filename="export.csv"' in attachment("æøå.csv")


def test_times_are_given_in_utc():
    assert csv_cell(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00+00:00"
