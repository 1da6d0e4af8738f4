"""The text layer of a PDF, read with PDFium, and whether the PDF needs OCR."""

from __future__ import annotations

import threading
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from akta_docstore.content.errors import ExtractionFailed
from akta_docstore.content.extracted import ExtractedText, TextBuffer

# PDFium may not be called from two threads at once, not even for different documents: every
# use of it in this process holds this lock.
PDFIUM_LOCK = threading.Lock()

# Fewer visible characters than this on a page that shows an image, and the page is a scan (a
# scanner's stamp or a page number is text too); fewer in the whole PDF, and it has no text
# layer worth the name (text drawn as curves, say).
ESSENTIALLY_NO_TEXT = 32


def pdf_text(path: Path, max_characters: int) -> ExtractedText:
    buffer = TextBuffer(max_characters)
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as error:
            raise ExtractionFailed(f"the PDF cannot be opened: {error}") from None
        try:
            pages = len(document)
            visible_characters = 0
            scanned_pages = 0
            for index in range(pages):
                page_text, visible, scanned = _page_text(document, index)
                buffer.add_line(page_text)
                visible_characters += visible
                scanned_pages += scanned
                if buffer.full:
                    break
        finally:
            document.close()
    has_text_layer = scanned_pages == 0 and (pages == 0 or visible_characters >= ESSENTIALLY_NO_TEXT)
    return buffer.result(pages=pages, has_text_layer=has_text_layer)


def _page_text(document: pdfium.PdfDocument, index: int) -> tuple[str, int, bool]:
    page = document[index]
    try:
        text_page = page.get_textpage()
        try:
            text = text_page.get_text_bounded()
        finally:
            text_page.close()
        visible = sum(not character.isspace() for character in text)
        scanned = visible < ESSENTIALLY_NO_TEXT and _shows_image(page)
        return text, visible, scanned
    finally:
        page.close()


def _shows_image(page: pdfium.PdfPage) -> bool:
    return next(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]), None) is not None
