"""Telling text from binary, decoding it, and recognising an e-mail message (RFC 5322) by its
header block."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes

# Bytes no text file contains. Tab, line feed, vertical tab, form feed, carriage return, SUB
# (the end-of-file mark of old DOS files) and ESC (colours in log files) are allowed.
BINARY_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1A), 0x1C, 0x1D, 0x1E, 0x1F])
_BINARY_CONTROL_CHARACTERS = re.compile("[" + re.escape(BINARY_CONTROL_BYTES.decode("ascii")) + "]")

_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ENCODING_SAMPLE_BYTES = 1024 * 1024

_HEADER_FIELD = re.compile(r"^([!-9;-~]+)[ \t]*:")
_MESSAGE_FIELDS = frozenset(
    {"from", "to", "cc", "date", "subject", "received", "mime-version", "message-id", "return-path", "reply-to", "sender"}
)
_MESSAGE_FIELDS_NEEDED = 2


def text_encoding(data: bytes, complete: bool) -> str | None:
    """The encoding `data` is text in, or None when it is not text. `complete` says whether
    `data` is the whole file or only its start (which may end inside a character)."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            text = _decoded(data, encoding, complete)
            return encoding if text is not None and not _BINARY_CONTROL_CHARACTERS.search(text) else None
    if len(data.translate(None, BINARY_CONTROL_BYTES)) != len(data):
        return None
    if _decoded(data, "utf-8", complete) is not None:
        return "utf-8"
    best = from_bytes(data[:_ENCODING_SAMPLE_BYTES]).best()
    return best.encoding if best is not None else None


def read_text(path: Path, max_characters: int) -> tuple[str, bool]:
    """The start of a text file, decoded, up to `max_characters`; and whether it was cut."""
    # No encoding needs more than four bytes a character.
    max_bytes = max_characters * 4
    with path.open("rb") as file:
        data = file.read(max_bytes + 1)
    complete = len(data) <= max_bytes
    data = data[:max_bytes]
    encoding = text_encoding(data, complete) or "utf-8"
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=complete)
    return text[:max_characters], not complete or len(text) > max_characters


def looks_like_message(text: str, complete: bool) -> bool:
    """True when the text opens with a header block of an e-mail message: header fields (and
    their folded continuations) up to the first empty line, among them at least two of the
    usual ones (From, Date, Subject, Received, MIME-Version, ...). A leading mbox "From " line
    is allowed."""
    lines = text.splitlines()
    if not complete and lines:
        lines.pop()  # it may be cut short
    if lines and lines[0].startswith("From "):
        lines.pop(0)
    if not lines or not _HEADER_FIELD.match(lines[0]):
        return False
    fields = set()
    for line in lines:
        if not line.strip():
            break
        if line[0] in " \t":
            continue
        match = _HEADER_FIELD.match(line)
        if match is None:
            return False
        fields.add(match.group(1).lower())
    return len(fields & _MESSAGE_FIELDS) >= _MESSAGE_FIELDS_NEEDED


def _decoded(data: bytes, encoding: str, complete: bool) -> str | None:
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=complete)
    except UnicodeDecodeError:
        return None
