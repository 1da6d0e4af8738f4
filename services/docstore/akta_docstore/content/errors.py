"""Why an upload is refused, and why a file gave no text.

A refusal is an `InvalidField` (422): `field` names what the caller sent wrong ("file" or
"filename"), `code` says which rule for machines, `message` says it for people.
"""

from __future__ import annotations

from collections.abc import Collection

from akta.errors import InvalidField


class ContentRejected(InvalidField):
    code = "content_rejected"

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(field, message)
        self.message = message
        self.extra["code"] = self.code


class EmptyFile(ContentRejected):
    code = "empty_file"

    def __init__(self) -> None:
        super().__init__("the file is empty (0 bytes)")


class UnsupportedFormat(ContentRejected):
    code = "unsupported_format"

    def __init__(self, found: str) -> None:
        super().__init__(
            f"the file is {found}, which is not a supported format "
            "(supported: PDF, DOCX, ODT, XLSX, plain text, EML, MSG, PNG, JPEG, TIFF)"
        )
        self.found = found


class FormatNotAllowed(ContentRejected):
    code = "format_not_allowed"

    def __init__(self, label: str, allowed_formats: Collection[str]) -> None:
        allowed = ", ".join(sorted(allowed_formats)) or "none"
        super().__init__(f"the file is {label}, which your organisation does not accept (accepted: {allowed})")


class NameContradictsContent(ContentRejected):
    code = "extension_mismatch"

    def __init__(self, filename: str, named_label: str, found_label: str) -> None:
        super().__init__(
            f"the name {filename!r} says {named_label}, but the file is {found_label}; "
            "rename it or upload the right file"
        )


class CorruptFile(ContentRejected):
    code = "corrupt_file"


class EncryptedFile(ContentRejected):
    code = "encrypted_file"


class DecompressionBomb(ContentRejected):
    code = "decompression_bomb"


class InvalidFilename(ContentRejected):
    code = "invalid_filename"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="filename")


class ExtractionFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
