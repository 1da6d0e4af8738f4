"""Words of indexed text and of what users type: cleaning, tokens, Snowball stems, the terms of a
query, and a sort key for titles. Every engine reads user text through `parse_terms`, so a search
box means the same on each of them."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

import snowballstemmer

LANGUAGES = ("danish", "norwegian")

# A word is a run of letters and digits; everything else separates words (as in FTS5's unicode61).
WORD = re.compile(r"[^\W_]+")
# NUL is refused by PostgreSQL; \x02 and \x03 mark highlights (akta.search.snippets); lone
# surrogates cannot be encoded. None of them is text anyone searches for.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_STEM_CACHE_SIZE = 500_000
# Danish and Norwegian alphabets end with æ, ø, å; these characters sort right after z.
_NORDIC_ORDER = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"})


def clean(text: str) -> str:
    """Text every engine can store and search: NFC (so "å" typed on a Mac is one letter), without
    control characters, NUL or lone surrogates."""
    return _UNWANTED.sub(" ", unicodedata.normalize("NFC", text))


def words(text: str) -> list[str]:
    """The lower-cased words of `text`, in order."""
    return WORD.findall(text.lower())


class _Stemmers(threading.local):
    # Snowball stemmer objects keep state between calls, so each thread gets its own.
    def __init__(self) -> None:
        self.by_language = {language: snowballstemmer.stemmer(language) for language in LANGUAGES}


_stemmers = _Stemmers()
_stem_cache: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}


def stem(language: str, word: str) -> str:
    """The Snowball stem of one lower-cased word ("skoleskiftet" → "skoleskift"), the algorithm
    PostgreSQL's and OpenSearch's Danish and Norwegian analysers use too."""
    cache = _stem_cache[language]
    found = cache.get(word)
    if found is None:
        found = _stemmers.by_language[language].stemWord(word)
        if len(cache) >= _STEM_CACHE_SIZE:
            cache.clear()
        cache[word] = found
    return found


def stems(language: str, text: str) -> list[str]:
    """The stems of the words of `text`, in order."""
    return [stem(language, word) for word in words(text)]


@dataclass(frozen=True)
class Term:
    """One thing a user asked for: a word, or a phrase whose words must stand together in order;
    `excluded` when typed with a leading minus. `raw` is the term as typed, without quotes or
    minus, for engines that split words themselves (PostgreSQL's parser keeps "2023/000123" whole)."""

    raw: str
    words: tuple[str, ...]
    excluded: bool = False


def parse_terms(text: str) -> tuple[Term, ...]:
    """Read a search box: words (all must match), "quoted phrases", -excluded words or phrases.

    Never fails: a quote left open is ignored, punctuation separates words, and operators of any
    engine's own syntax (NEAR, AND, *, :, parentheses) are plain words or nothing."""
    parts = clean(text).split('"')
    if len(parts) % 2 == 0:
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    terms: list[Term] = []

    def add(raw: str, excluded: bool) -> None:
        found = tuple(words(raw))
        if found:
            terms.append(Term(" ".join(raw.split()), found, excluded))

    for index, part in enumerate(parts):
        if index % 2:
            add(part, excluded=re.search(r"(^|\s)-$", parts[index - 1]) is not None)
            continue
        for token in part.split():
            excluded = token.startswith("-")
            add(token[1:] if excluded else token, excluded)
    return tuple(terms)


def title_sort_key(title: str) -> str:
    """A key that sorts titles the same in every engine: case-insensitive, æ ø å after z."""
    return " ".join(clean(title).casefold().split()).translate(_NORDIC_ORDER)[:200]
