"""Snippets: a stretch of a hit's text as HTML-escaped text with <mark>…</mark> around the
matched words, safe to insert into a page as it is."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from akta.search.words import WORD

# Engines mark matches with these; `akta.search.words.clean` removes them from indexed text, so
# whatever an engine returns can be escaped first and marked after.
START, STOP = "\x02", "\x03"
SNIPPET_WORDS = 30
SNIPPET_SOURCE = 100_000  # characters of the text a snippet is looked for in
_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")


def marked_to_html(marked: str) -> str:
    """An engine's fragment with START/STOP around matches → escaped HTML with balanced <mark>s."""
    escaped = html.escape(" ".join(marked.split()), quote=True)
    return _MARKED.sub(r"<mark>\1</mark>", escaped).replace(START, "").replace(STOP, "")


def snippet(text: str, matches: Callable[[str], bool], size: int = SNIPPET_WORDS) -> str:
    """The stretch of `text` of `size` words with the most words for which `matches(word)` (the word
    lower-cased) is true, those marked; the start of the text when none matches."""
    text = text[:SNIPPET_SOURCE]
    tokens = list(WORD.finditer(text))
    if not tokens:
        return html.escape(" ".join(text.split())[:200], quote=True)
    matched = [matches(token.group().lower()) for token in tokens]
    start = _best_window(matched, size)
    end = min(start + size, len(tokens))
    begin_at = tokens[start].start() if start > 0 else 0
    end_at = tokens[end - 1].end() if end < len(tokens) else len(text)
    parts = ["… "] if start > 0 else []
    position = begin_at
    for index in range(start, end):
        token = tokens[index]
        parts.append(html.escape(text[position:token.start()], quote=True))
        word = html.escape(token.group(), quote=True)
        parts.append(f"<mark>{word}</mark>" if matched[index] else word)
        position = token.end()
    parts.append(html.escape(text[position:end_at], quote=True))
    if end < len(tokens):
        parts.append(" …")
    return " ".join("".join(parts).split())


def _best_window(matched: list[bool], size: int) -> int:
    """Where the window of `size` words with the most matches starts, a few words before its
    first match so the match reads in context."""
    if len(matched) <= size:
        return 0
    count = best = sum(matched[:size])
    best_start = 0
    for start in range(1, len(matched) - size + 1):
        count += matched[start + size - 1] - matched[start - 1]
        if count > best:
            best, best_start = count, start
    if best == 0:
        return 0
    first = next(index for index in range(best_start, best_start + size) if matched[index])
    # Moving the start up to the first match drops no match and may take in more.
    return min(max(best_start, first - 5), len(matched) - size)
