"""ZIP-based office files: Office Open XML packages (DOCX, XLSX) and OpenDocument (ODT).

Only the central directory and a few small parts are read here. Python's zipfile never inflates
an entry beyond the size its directory record declares (a lie ends in a CRC error), so the
declared sizes are what any reading of the file in this process can cost.
"""

from __future__ import annotations

import zipfile

from defusedxml import ElementTree

CONTENT_TYPES_PART = "[Content_Types].xml"
ODF_MIMETYPE_PART = "mimetype"
ODF_MANIFEST_PART = "META-INF/manifest.xml"
SMALL_PART_MAX_BYTES = 1024 * 1024

WORD_DOCUMENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
ODF_TEXT_MIMETYPE = "application/vnd.oasis.opendocument.text"

OTHER_OFFICE_DOCUMENTS = {
    "application/vnd.ms-word.document.macroenabled.main+xml": "a Word document with macros (DOCM)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "a Word template (DOTX)",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml": "a Word template with macros (DOTM)",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": "an Excel workbook with macros (XLSM)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "an Excel template (XLTX)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "a PowerPoint presentation (PPTX)",
}
OTHER_OPENDOCUMENTS = {
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (ODS)",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (ODP)",
    "application/vnd.oasis.opendocument.graphics": "an OpenDocument drawing (ODG)",
    "application/vnd.oasis.opendocument.text-template": "an OpenDocument text template (OTT)",
}

_CONTENT_TYPES_NAMESPACE = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_MANIFEST_NAMESPACE = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"


class UnreadablePackage(Exception):
    """The ZIP structure or a part the format depends on cannot be read."""


# How zipfile and defusedxml say an archive is damaged or strange: a bad directory, a cut-off
# entry, an unknown compression method, an entry encrypted with a ZIP password, a part that
# declares entities.
UNREADABLE = (zipfile.BadZipFile, UnreadablePackage, EOFError, NotImplementedError, RuntimeError, ValueError)


def read_small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > SMALL_PART_MAX_BYTES:
        raise UnreadablePackage(f"its part {name} is implausibly large ({info.file_size} bytes)")
    return archive.read(info)


def part_content_types(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name (without the leading slash) → content type (lower case, as OPC compares them),
    from the package's explicit overrides."""
    try:
        root = ElementTree.fromstring(read_small_part(archive, CONTENT_TYPES_PART))
    except ElementTree.ParseError as error:
        raise UnreadablePackage(f"its {CONTENT_TYPES_PART} is not well-formed XML ({error})") from None
    return {
        override.get("PartName", "").lstrip("/"): override.get("ContentType", "").lower()
        for override in root.iter(f"{_CONTENT_TYPES_NAMESPACE}Override")
    }


def parts_of_type(archive: zipfile.ZipFile, content_type: str) -> list[str]:
    names = set(archive.namelist())
    return sorted(part for part, type_ in part_content_types(archive).items() if type_ == content_type and part in names)


def main_document(archive: zipfile.ZipFile) -> tuple[str, str] | None:
    """The name and content type of an Office Open XML package's main part (a Word document's,
    a workbook's), when the package has it."""
    names = set(archive.namelist())
    for part, content_type in part_content_types(archive).items():
        if content_type.endswith(".main+xml") and part in names:
            return part, content_type
    return None


def odf_mimetype(archive: zipfile.ZipFile) -> str | None:
    """An OpenDocument file names its kind in a `mimetype` entry, which must come first."""
    entries = archive.infolist()
    if not entries or entries[0].filename != ODF_MIMETYPE_PART:
        return None
    return read_small_part(archive, ODF_MIMETYPE_PART).decode("ascii", errors="replace").strip()


def odf_is_encrypted(archive: zipfile.ZipFile) -> bool:
    if ODF_MANIFEST_PART not in archive.namelist():
        return False
    try:
        manifest = ElementTree.fromstring(read_small_part(archive, ODF_MANIFEST_PART))
    except ElementTree.ParseError as error:
        raise UnreadablePackage(f"its {ODF_MANIFEST_PART} is not well-formed XML ({error})") from None
    return manifest.find(f".//{_MANIFEST_NAMESPACE}encryption-data") is not None
