"""Content inspection and text extraction: functions over files on disk, no web, database or bus.

`inspect_upload` decides from the bytes what an upload is and whether it may be kept;
`clean_filename` checks the name it keeps; `extract_text` reads a stored file's text for search.
"""

from akta_docstore.content.errors import (
    ContentRejected,
    CorruptFile,
    DecompressionBomb,
    EmptyFile,
    EncryptedFile,
    ExtractionFailed,
    FormatNotAllowed,
    InvalidFilename,
    NameContradictsContent,
    UnsupportedFormat,
)
from akta_docstore.content.extracted import ExtractedText
from akta_docstore.content.extraction import DEFAULT_MAX_CHARACTERS, extract_text
from akta_docstore.content.filenames import clean_filename
from akta_docstore.content.formats import FORMATS, DetectedFormat, detect_format
from akta_docstore.content.inspection import ContentLimits, inspect_upload
from akta_docstore.content.pdf_text import PDFIUM_LOCK

__all__ = [
    "DEFAULT_MAX_CHARACTERS",
    "FORMATS",
    "PDFIUM_LOCK",
    "ContentLimits",
    "ContentRejected",
    "CorruptFile",
    "DecompressionBomb",
    "DetectedFormat",
    "EmptyFile",
    "EncryptedFile",
    "ExtractedText",
    "ExtractionFailed",
    "FormatNotAllowed",
    "InvalidFilename",
    "NameContradictsContent",
    "UnsupportedFormat",
    "clean_filename",
    "detect_format",
    "extract_text",
    "inspect_upload",
]
