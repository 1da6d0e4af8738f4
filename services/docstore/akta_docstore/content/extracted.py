"""What text extraction gives: the text, and what the caller needs to know about it."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractedText:
    text: str
    pages: int | None  # known for PDFs only
    has_text_layer: bool  # False: the text must come from OCR
    truncated: bool = False  # the file held more text than the limit


# The index cannot store them (PostgreSQL refuses NUL in text), and they carry no meaning there.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\u2028\u2029]")


class TextBuffer:
    """Text collected piece by piece up to a number of characters; pieces beyond it are dropped,
    so a huge spreadsheet costs no more memory than a small one."""

    def __init__(self, max_characters: int) -> None:
        self.max_characters = max_characters
        self.truncated = False
        self._pieces: list[str] = []
        self._length = 0

    @property
    def full(self) -> bool:
        return self.truncated

    def add(self, piece: str) -> None:
        if self.truncated or not piece:
            return
        piece = _CONTROL_CHARACTERS.sub("", _LINE_BREAKS.sub("\n", piece))
        room = self.max_characters - self._length
        if len(piece) > room:
            piece = piece[:room]
            self.truncated = True
        self._pieces.append(piece)
        self._length += len(piece)

    def add_line(self, line: str) -> None:
        self.add(line + "\n")

    def text(self) -> str:
        return "".join(self._pieces).strip()

    def result(self, pages: int | None = None, has_text_layer: bool = True) -> ExtractedText:
        return ExtractedText(self.text(), pages, has_text_layer, self.truncated)
