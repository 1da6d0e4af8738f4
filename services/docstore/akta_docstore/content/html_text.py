"""The readable text of an HTML mail body: blocks on their own lines, a row's cells apart by
tabs, scripts and styles left out."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {"address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
     "header", "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul"}
)
_CELLS = frozenset({"td", "th"})
_HIDDEN = frozenset({"script", "style", "template", "title"})
_SPACES = re.compile(r"[ \t\r\n\f\v\xa0]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


def html_to_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return parser.text()


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._pieces: list[str] = []
        self._hidden_depth = 0
        self._preformatted_depth = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _HIDDEN:
            self._hidden_depth += 1
        elif tag == "pre":
            self._preformatted_depth += 1
        self._break_line_at(tag)

    def handle_startendtag(self, tag: str, attrs) -> None:
        self._break_line_at(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag == "pre":
            self._preformatted_depth = max(0, self._preformatted_depth - 1)
        elif tag in _CELLS:
            self._pieces.append("\t")
        self._break_line_at(tag)

    def handle_data(self, data: str) -> None:
        if self._hidden_depth:
            return
        self._pieces.append(data if self._preformatted_depth else _SPACES.sub(" ", data))

    def text(self) -> str:
        lines = (line.strip(" \t") for line in "".join(self._pieces).split("\n"))
        return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()

    def _break_line_at(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._pieces.append("\n")
