"""The text of Word (DOCX), OpenDocument text (ODT) and Excel (XLSX) files.

The XML parts are parsed as a stream, element by element, with defusedxml (an office file is
input from anyone; it has no business declaring entities).
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
from defusedxml.ElementTree import iterparse

from akta_docstore.content import packages
from akta_docstore.content.extracted import ExtractedText, TextBuffer

# Word writes "Transitional" files; "Strict" ones (ISO/IEC 29500) have the same elements in
# another namespace.
_WORD_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
)


def _word_tags(*names: str) -> frozenset[str]:
    return frozenset(f"{{{namespace}}}{name}" for namespace in _WORD_NAMESPACES for name in names)


_TEXT_RUN = _word_tags("t")
_TAB = _word_tags("tab")
_BREAKS = _word_tags("br", "cr")
_PARAGRAPH = _word_tags("p")
# Word keeps a text box twice, as DrawingML and, for old readers, as a VML fallback; and a
# paragraph's tab stops are w:tab elements too.
_WORD_SKIPPED = _word_tags("tabs") | {"{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
_WORD_PART_TYPES = tuple(
    f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"
    for kind in ("header", "footer", "footnotes", "endnotes", "comments")
)

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODF_PARAGRAPHS = frozenset({f"{_TEXT}p", f"{_TEXT}h"})
_ODF_TRACKED_CHANGES = f"{_TEXT}tracked-changes"
_ODF_MAX_SPACES = 100


def docx_text(path: Path, max_characters: int) -> ExtractedText:
    buffer = TextBuffer(max_characters)
    with zipfile.ZipFile(path) as archive:
        main = packages.main_document(archive)
        if main is None:
            return buffer.result()
        parts = [main[0]] + [part for kind in _WORD_PART_TYPES for part in packages.parts_of_type(archive, kind)]
        for part in parts:
            with archive.open(part) as xml:
                _add_wordprocessing_text(xml, buffer)
            if buffer.full:
                break
    return buffer.result()


def odt_text(path: Path, max_characters: int) -> ExtractedText:
    buffer = TextBuffer(max_characters)
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as xml:
        _add_opendocument_text(xml, buffer)
    return buffer.result()


def xlsx_text(path: Path, max_characters: int) -> ExtractedText:
    buffer = TextBuffer(max_characters)
    # Given a file rather than a path, openpyxl does not insist on an .xlsx name (a stored
    # original has none).
    with path.open("rb") as file:
        _add_workbook_text(openpyxl.load_workbook(file, read_only=True, data_only=True), buffer)
    return buffer.result()


def _add_workbook_text(workbook, buffer: TextBuffer) -> None:
    try:
        for sheet in workbook.worksheets:
            buffer.add_line(sheet.title)
            # The stored dimensions can claim a million empty rows; count the rows that are there.
            sheet.reset_dimensions()
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell_text(value) for value in row if value is not None]
                if cells:
                    buffer.add_line("\t".join(cells))
                if buffer.full:
                    return
            buffer.add_line("")
    finally:
        workbook.close()


def _add_wordprocessing_text(xml, buffer: TextBuffer) -> None:
    skipped_depth = 0
    for event, element in iterparse(xml, events=("start", "end")):
        tag = element.tag
        if tag in _WORD_SKIPPED:
            skipped_depth += 1 if event == "start" else -1
            continue
        if event == "start" or skipped_depth:
            continue
        if tag in _TEXT_RUN:
            buffer.add(element.text or "")
        elif tag in _TAB:
            buffer.add("\t")
        elif tag in _BREAKS:
            buffer.add("\n")
        elif tag in _PARAGRAPH:
            buffer.add("\n")
            element.clear()
        if buffer.full:
            return


def _add_opendocument_text(xml, buffer: TextBuffer) -> None:
    paragraph_depth = 0
    tracked_changes_depth = 0
    for event, element in iterparse(xml, events=("start", "end")):
        tag = element.tag
        if tag == _ODF_TRACKED_CHANGES:
            tracked_changes_depth += 1 if event == "start" else -1
        elif tag in _ODF_PARAGRAPHS:
            paragraph_depth += 1 if event == "start" else -1
            # A paragraph may hold others (a note's, a text box's): the outermost is read whole.
            if event == "end" and paragraph_depth == 0:
                if not tracked_changes_depth:
                    buffer.add(_opendocument_paragraph(element) + "\n")
                element.clear()
        if buffer.full:
            return


def _opendocument_paragraph(element) -> str:
    pieces = [element.text or ""]
    for child in element:
        if child.tag == f"{_TEXT}s":
            pieces.append(" " * _space_count(child.get(f"{_TEXT}c", "1")))
        elif child.tag == f"{_TEXT}tab":
            pieces.append("\t")
        elif child.tag == f"{_TEXT}line-break":
            pieces.append("\n")
        elif child.tag in _ODF_PARAGRAPHS:
            pieces.append("\n" + _opendocument_paragraph(child) + "\n")
        else:
            pieces.append(_opendocument_paragraph(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def _space_count(attribute: str) -> int:
    try:
        return max(1, min(int(attribute), _ODF_MAX_SPACES))
    except ValueError:
        return 1


def _cell_text(value) -> str:
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    return str(value)
