"""The name an uploaded file keeps: checked, never repaired behind the caller's back."""

from __future__ import annotations

import unicodedata

from akta_docstore.content.errors import InvalidFilename

MAX_FILENAME_LENGTH = 255
# Windows cannot save a file under these names, whatever the extension, and documents are
# downloaded and exported to Windows desktops.
WINDOWS_DEVICE_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{digit}" for digit in range(1, 10)} | {f"LPT{digit}" for digit in range(1, 10)}
)
# Right-to-left overrides and isolates make "invoice\u202efdp.exe" read as "invoiceexe.pdf".
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_filename(name: str | None) -> str:
    """The name in Unicode NFC without surrounding white space; InvalidFilename when it is
    empty, a path, "." or "..", longer than 255 characters, holds control characters, or is a
    Windows device name (CON, NUL, COM1, ...)."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise InvalidFilename("the file has no name")
    if name in (".", ".."):
        raise InvalidFilename(f"{name!r} is not a file name")
    if "/" in name or "\\" in name:
        raise InvalidFilename("a file name cannot contain / or \\ (give the name without a folder)")
    if any(_is_control(character) for character in name):
        raise InvalidFilename("the file name contains control characters")
    if len(name) > MAX_FILENAME_LENGTH:
        raise InvalidFilename(f"the file name is {len(name)} characters long; at most {MAX_FILENAME_LENGTH} are allowed")
    if name.split(".")[0].rstrip().upper() in WINDOWS_DEVICE_NAMES:
        raise InvalidFilename(f"{name!r} is a device name on Windows and cannot be saved there; rename the file")
    return name


def _is_control(character: str) -> bool:
    # Cc: C0, DEL and C1 controls; Cs: lone surrogates, left by a name decoded wrongly.
    return unicodedata.category(character) in ("Cc", "Cs") or character in BIDI_CONTROLS
