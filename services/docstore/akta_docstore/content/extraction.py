"""The text of a stored file, for the search index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from akta_docstore.content.errors import ExtractionFailed
from akta_docstore.content.extracted import ExtractedText, TextBuffer
from akta_docstore.content.mail_text import eml_text, msg_text
from akta_docstore.content.office_text import docx_text, odt_text, xlsx_text
from akta_docstore.content.pdf_text import pdf_text
from akta_docstore.content.text_encoding import read_text

DEFAULT_MAX_CHARACTERS = 2_000_000


def extract_text(path: Path, format_name: str, max_characters: int = DEFAULT_MAX_CHARACTERS) -> ExtractedText:
    """The file's text, at most `max_characters` of it; ExtractionFailed when it cannot be read.
    Images have none (their text comes from OCR)."""
    extractor = _EXTRACTORS.get(format_name)
    if extractor is None:
        raise ExtractionFailed(f"there is no text extraction for the format {format_name!r}")
    try:
        return extractor(Path(path), max_characters)
    except ExtractionFailed:
        raise
    # The file was checked at upload, so what fails here is a parser meeting damage the checks
    # could not see; the libraries signal it with many kinds of exception.
    except Exception as error:
        raise ExtractionFailed(f"the {format_name} file could not be read: {type(error).__name__}: {error}") from error


def _plain_text(path: Path, max_characters: int) -> ExtractedText:
    text, cut = read_text(path, max_characters)
    buffer = TextBuffer(max_characters)
    buffer.add(text)
    return ExtractedText(buffer.text(), None, True, cut or buffer.truncated)


def _no_text(path: Path, max_characters: int) -> ExtractedText:
    return ExtractedText("", None, False)


_EXTRACTORS: dict[str, Callable[[Path, int], ExtractedText]] = {
    "pdf": pdf_text,
    "docx": docx_text,
    "odt": odt_text,
    "xlsx": xlsx_text,
    "txt": _plain_text,
    "eml": eml_text,
    "msg": msg_text,
    "png": _no_text,
    "jpeg": _no_text,
    "tiff": _no_text,
}
