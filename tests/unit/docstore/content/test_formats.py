"""Formats are told from the bytes alone: every sample is saved without an extension, and
files that resemble a supported format without being one are named for what they are."""

import codecs
import zipfile

import pytest

from akta_docstore.content import FORMATS, CorruptFile, EncryptedFile, UnsupportedFormat, detect_format
from akta_docstore.settings import SUPPORTED_FORMATS
from tests.support import samples


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda path: samples.pdf(path), "pdf"),
        (lambda path: samples.docx_file(path), "docx"),
        (lambda path: samples.odt_file(path), "odt"),
        (lambda path: samples.odt_with_body(path, "<text:p>Hei</text:p>"), "odt"),
        (lambda path: samples.xlsx_file(path), "xlsx"),
        (lambda path: samples.eml_file(path), "eml"),
        (lambda path: samples.msg_file(path), "msg"),
        (lambda path: samples.image(path, "PNG"), "png"),
        (lambda path: samples.image(path, "JPEG"), "jpeg"),
        (lambda path: samples.image(path, "TIFF"), "tiff"),
    ],
)
def test_each_format_is_known_by_its_bytes(tmp_path, make, expected):
    detected = detect_format(make(tmp_path / "upload"))
    assert detected == FORMATS[expected]
    assert detected.name == expected


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Referat af mødet på Ærø\n".encode(), "utf-8"),
        ("Referat af mødet på Ærø, Åse Ødegård og Søren Kierkegaard\n".encode("cp1252"), "cp1252"),
        (codecs.BOM_UTF16_LE + "Søknad om støtte\r\n".encode("utf-16-le"), "utf-16"),
        (b"navn;belob\nAnna;100\n\x1a", "ascii"),  # a DOS file ends in SUB
    ],
)
def test_text_is_known_in_its_encodings(tmp_path, data, encoding):
    path = tmp_path / "upload"
    path.write_bytes(data)
    assert detect_format(path).name == "txt"


def test_a_pdf_header_after_a_little_junk_is_still_a_pdf(tmp_path):
    path = tmp_path / "upload"
    path.write_bytes(b"\r\n" * 20 + samples.pdf(tmp_path / "real.pdf").read_bytes())
    assert detect_format(path).name == "pdf"


def test_a_message_is_known_by_its_header_block(tmp_path):
    message = tmp_path / "message"
    message.write_text("Received: from mx.example.dk\nFrom: bo@example.dk\nSubject: Hej\n\nTekst\n")
    note = tmp_path / "note"
    note.write_text("Dagsorden: budget\nFrom the minutes of the meeting\n\nTekst\n")
    agenda = tmp_path / "agenda"
    agenda.write_text("Dagsorden: budget\nSted: rådhuset\nSubject: budget 2027\n\nTekst\n")
    assert detect_format(message).name == "eml"
    assert detect_format(note).name == "txt"
    assert detect_format(agenda).name == "txt"


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04", "image/gif"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", "application/x-msdownload"),
        (bytes(range(256)) * 4, "unknown kind"),
        (b"\x00\x01\x02\x03 valid UTF-8 all the same" * 50, "unknown kind"),
    ],
)
def test_binary_files_of_other_kinds_are_unsupported_and_named(tmp_path, data, found):
    path = tmp_path / "upload"
    path.write_bytes(data)
    with pytest.raises(UnsupportedFormat) as rejected:
        detect_format(path)
    assert found in rejected.value.found
    assert (rejected.value.code, rejected.value.field) == ("unsupported_format", "file")


def test_other_office_files_are_unsupported_and_named(tmp_path):
    presentation = samples.office_zip(
        tmp_path / "slides",
        main_type="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        main_part="ppt/presentation.xml",
    )
    macros = samples.office_zip(tmp_path / "macros", main_type="application/vnd.ms-word.document.macroEnabled.main+xml")
    plain_zip = tmp_path / "archive"
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    found = {}
    for path in (presentation, macros, plain_zip, samples.ods_file(tmp_path / "sheet"), samples.legacy_word_file(tmp_path / "doc")):
        with pytest.raises(UnsupportedFormat) as rejected:
            detect_format(path)
        found[path.name] = rejected.value.found
    assert found == {
        "slides": "a PowerPoint presentation (PPTX)",
        "macros": "a Word document with macros (DOCM)",
        "archive": "a ZIP archive",
        "sheet": "an OpenDocument spreadsheet (ODS)",
        "doc": "a Word 97-2003 document (DOC)",
    }


def test_a_word_content_type_outside_word_is_not_a_docx(tmp_path):
    with pytest.raises(UnsupportedFormat):
        detect_format(samples.office_zip(tmp_path / "odd", main_part="other/document.xml"))


def test_a_damaged_zip_is_corrupt(tmp_path):
    data = samples.docx_file(tmp_path / "real.docx").read_bytes()
    path = tmp_path / "upload"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFile):
        detect_format(path)


def test_a_zip_with_a_compression_method_we_cannot_read_is_corrupt(tmp_path):
    data = bytearray(samples.office_zip(tmp_path / "real").read_bytes())
    # Method 99 (WinZip AES) in the first entry's local header and its central directory record.
    data[8:10] = (99).to_bytes(2, "little")
    central = data.index(b"PK\x01\x02")
    data[central + 10:central + 12] = (99).to_bytes(2, "little")
    path = tmp_path / "upload"
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFile):
        detect_format(path)


def test_a_password_protected_office_document_is_refused_as_encrypted(tmp_path):
    with pytest.raises(EncryptedFile) as rejected:
        detect_format(samples.password_protected_office_file(tmp_path / "upload"))
    assert rejected.value.code == "encrypted_file"


def test_the_settings_offer_exactly_the_formats_detection_knows():
    assert set(SUPPORTED_FORMATS) == set(FORMATS)
