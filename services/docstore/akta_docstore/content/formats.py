"""The formats docstore accepts, told apart by their bytes — never by the file's name."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import filetype
import olefile

from akta_docstore.content import packages
from akta_docstore.content.errors import CorruptFile, EncryptedFile, UnsupportedFormat
from akta_docstore.content.text_encoding import looks_like_message, text_encoding


@dataclass(frozen=True)
class DetectedFormat:
    name: str
    mime_type: str
    extensions: tuple[str, ...]  # lower case with the dot, the usual one first
    label: str  # for people, in messages


PDF = DetectedFormat("pdf", "application/pdf", (".pdf",), "a PDF")
DOCX = DetectedFormat(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "a Word document (DOCX)"
)
ODT = DetectedFormat("odt", packages.ODF_TEXT_MIMETYPE, (".odt",), "an OpenDocument text (ODT)")
XLSX = DetectedFormat(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "an Excel workbook (XLSX)"
)
TXT = DetectedFormat("txt", "text/plain", (".txt", ".text", ".csv", ".tsv", ".log", ".md"), "plain text")
EML = DetectedFormat("eml", "message/rfc822", (".eml",), "an e-mail message (EML)")
MSG = DetectedFormat("msg", "application/vnd.ms-outlook", (".msg",), "an Outlook message (MSG)")
PNG = DetectedFormat("png", "image/png", (".png",), "a PNG image")
JPEG = DetectedFormat("jpeg", "image/jpeg", (".jpg", ".jpeg", ".jpe", ".jfif"), "a JPEG image")
TIFF = DetectedFormat("tiff", "image/tiff", (".tif", ".tiff"), "a TIFF image")

FORMATS = {detected.name: detected for detected in (PDF, DOCX, ODT, XLSX, TXT, EML, MSG, PNG, JPEG, TIFF)}
FORMATS_BY_EXTENSION = {extension: detected for detected in FORMATS.values() for extension in detected.extensions}
# A message saved as text is still a message, and a text note may open with "Subject:" and
# "Date:" lines: such a file may keep its .txt name.
ALSO_NAMED = {"eml": (".txt",)}

HEAD_BYTES = 64 * 1024
# Acrobat finds the header anywhere in the first kilobyte; some producers put junk before it.
PDF_HEADER = b"%PDF-"
PDF_HEADER_WITHIN = 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
TIFF_SIGNATURES = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # the last two are BigTIFF
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MESSAGE_STREAM_PREFIX = "__substg1.0_"
MESSAGE_PROPERTIES_STREAM = "__properties_version1.0"
OTHER_COMPOUND_FILES = {
    "WordDocument": "a Word 97-2003 document (DOC)",
    "Workbook": "an Excel 97-2003 workbook (XLS)",
    "Book": "an Excel 5 workbook (XLS)",
    "PowerPoint Document": "a PowerPoint 97-2003 presentation (PPT)",
}


def detect_format(path: Path) -> DetectedFormat:
    """The format of the file's bytes; UnsupportedFormat says what was found instead. A ZIP or
    compound file whose structure cannot be read is CorruptFile; an Office document protected
    by a password is EncryptedFile."""
    path = Path(path)
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
    if not head:
        raise UnsupportedFormat("empty")
    if head.startswith(PNG_SIGNATURE):
        return PNG
    if head.startswith(JPEG_SIGNATURE):
        return JPEG
    if head.startswith(TIFF_SIGNATURES):
        return TIFF
    if head.startswith(ZIP_SIGNATURE):
        return _zip_package_format(path)
    if head.startswith(OLE_SIGNATURE):
        return _compound_file_format(path)
    if head.find(PDF_HEADER, 0, PDF_HEADER_WITHIN + len(PDF_HEADER)) != -1:
        return PDF
    complete = len(head) < HEAD_BYTES
    encoding = text_encoding(head, complete)
    if encoding is not None:
        start = head.decode(encoding, errors="replace")
        return EML if looks_like_message(start, complete) else TXT
    raise UnsupportedFormat(_describe(head))


def format_named_by(filename: str) -> DetectedFormat | None:
    """The format the file's extension stands for, if it is one we know."""
    return FORMATS_BY_EXTENSION.get(PurePosixPath(filename).suffix.lower())


def name_fits(filename: str, detected: DetectedFormat) -> bool:
    """False when the name's extension stands for another format than the bytes are; a name
    without an extension, or with one we do not know, fits anything."""
    named = format_named_by(filename)
    if named is None or named == detected:
        return True
    return PurePosixPath(filename).suffix.lower() in ALSO_NAMED.get(detected.name, ())


def _zip_package_format(path: Path) -> DetectedFormat:
    try:
        with zipfile.ZipFile(path) as archive:
            mimetype = packages.odf_mimetype(archive)
            if mimetype is not None:
                if mimetype == packages.ODF_TEXT_MIMETYPE and "content.xml" in archive.namelist():
                    return ODT
                raise UnsupportedFormat(packages.OTHER_OPENDOCUMENTS.get(mimetype, f"an OpenDocument file ({mimetype})"))
            if packages.CONTENT_TYPES_PART not in archive.namelist():
                raise UnsupportedFormat("a ZIP archive")
            main = packages.main_document(archive)
    except packages.UNREADABLE as error:
        raise CorruptFile(f"the file is a ZIP-based document whose structure cannot be read ({error})") from None
    if main is None:
        raise UnsupportedFormat("an Office Open XML package without a main document")
    part, content_type = main
    if content_type == packages.WORD_DOCUMENT_TYPE and part.startswith("word/"):
        return DOCX
    if content_type == packages.EXCEL_WORKBOOK_TYPE and part.startswith("xl/"):
        return XLSX
    raise UnsupportedFormat(packages.OTHER_OFFICE_DOCUMENTS.get(content_type, f"an Office Open XML package ({content_type})"))


def _compound_file_format(path: Path) -> DetectedFormat:
    try:
        with olefile.OleFileIO(str(path)) as compound:
            top_streams = {entry[0] for entry in compound.listdir(streams=True, storages=False) if len(entry) == 1}
    # olefile raises more than its own OleFileError on damaged input (struct, index and
    # value errors among them).
    except Exception as error:
        raise CorruptFile(f"the file is a Microsoft compound file that cannot be read ({error})") from None
    if MESSAGE_PROPERTIES_STREAM in top_streams and any(name.startswith(MESSAGE_STREAM_PREFIX) for name in top_streams):
        return MSG
    if "EncryptedPackage" in top_streams:
        raise EncryptedFile("the file is an Office document protected by a password; remove the password and upload it again")
    for stream, found in OTHER_COMPOUND_FILES.items():
        if stream in top_streams:
            raise UnsupportedFormat(found)
    raise UnsupportedFormat("a Microsoft compound file that is not an Outlook message")


def _describe(head: bytes) -> str:
    kind = filetype.guess(head)
    if kind is None:
        return "binary data of an unknown kind"
    return f"of type {kind.mime} (.{kind.extension})"
