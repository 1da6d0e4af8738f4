"""The checks an upload passes before it is stored, each refusal with its code, its field and a
message a person understands."""

import zipfile

import pytest
from PIL import Image
from pypdf import PdfWriter

from akta.errors import InvalidField
from akta_docstore.content import (
    FORMATS,
    ContentLimits,
    CorruptFile,
    DecompressionBomb,
    EmptyFile,
    EncryptedFile,
    FormatNotAllowed,
    NameContradictsContent,
    UnsupportedFormat,
    inspect_upload,
)
from tests.support import samples

EVERY_FORMAT = tuple(FORMATS)


def test_a_good_upload_gives_its_format(tmp_path):
    detected = inspect_upload(samples.docx_file(tmp_path / "upload"), "ansøgning.docx", EVERY_FORMAT)
    assert (detected.name, detected.mime_type) == (
        "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def test_a_refusal_is_an_invalid_field_with_a_code(tmp_path):
    path = tmp_path / "upload"
    path.write_bytes(b"")
    with pytest.raises(InvalidField) as rejected:
        inspect_upload(path, "tom.pdf", EVERY_FORMAT)
    assert isinstance(rejected.value, EmptyFile)
    assert (rejected.value.code, rejected.value.field) == ("empty_file", "file")
    assert rejected.value.message == "the file is empty (0 bytes)"
    assert rejected.value.extra["code"] == "empty_file"


def test_an_unsupported_file_is_refused(tmp_path):
    path = tmp_path / "upload"
    path.write_bytes(b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04")
    with pytest.raises(UnsupportedFormat) as rejected:
        inspect_upload(path, "logo", EVERY_FORMAT)
    assert "image/gif" in rejected.value.message


def test_a_format_outside_the_organisations_list_is_refused(tmp_path):
    path = samples.image(tmp_path / "upload", "PNG")
    with pytest.raises(FormatNotAllowed) as rejected:
        inspect_upload(path, "foto.png", ("pdf", "docx"))
    assert rejected.value.code == "format_not_allowed"
    assert rejected.value.message == "the file is a PNG image, which your organisation does not accept (accepted: docx, pdf)"
    assert inspect_upload(path, "foto.png", ("png",)).name == "png"


def test_a_name_that_contradicts_the_bytes_is_refused(tmp_path):
    path = samples.image(tmp_path / "upload", "PNG")
    with pytest.raises(NameContradictsContent) as rejected:
        inspect_upload(path, "report.pdf", EVERY_FORMAT)
    assert rejected.value.code == "extension_mismatch"
    assert rejected.value.field == "file"
    assert "'report.pdf' says a PDF, but the file is a PNG image" in rejected.value.message


def test_the_contradiction_is_found_before_the_allow_list(tmp_path):
    with pytest.raises(NameContradictsContent):
        inspect_upload(samples.image(tmp_path / "upload", "PNG"), "report.pdf", ("pdf",))


@pytest.mark.parametrize(
    ("make", "filename"),
    [
        (lambda path: samples.image(path, "JPEG"), "foto.jpg"),
        (lambda path: samples.image(path, "JPEG"), "FOTO.JPEG"),
        (lambda path: samples.image(path, "TIFF"), "scan.tif"),
        (lambda path: samples.image(path, "TIFF"), "scan.tiff"),
        (lambda path: _text(path, "navn;beløb\nAnna;100\n"), "liste.csv"),
        (lambda path: _text(path, "From: bo@example.dk\nSubject: Hej\n\nTekst\n"), "mail.txt"),
        (lambda path: samples.pdf(path), "referat"),  # no extension
        (lambda path: samples.pdf(path), "referat.2026"),  # one we do not know
        (lambda path: samples.pdf(path), "bilag.tar.gz"),
    ],
)
def test_names_that_fit_the_bytes_or_say_nothing_are_accepted(tmp_path, make, filename):
    assert inspect_upload(make(tmp_path / "upload"), filename, EVERY_FORMAT)


@pytest.mark.parametrize(
    ("make", "filename"),
    [
        (lambda path: samples.image(path, "JPEG"), "scan.tif"),
        (lambda path: samples.xlsx_file(path), "liste.csv"),
        (lambda path: _text(path, "just a note\n"), "mail.eml"),
        (lambda path: samples.docx_file(path), "brev.odt"),
    ],
)
def test_names_of_another_known_format_are_refused(tmp_path, make, filename):
    with pytest.raises(NameContradictsContent):
        inspect_upload(make(tmp_path / "upload"), filename, EVERY_FORMAT)


def test_a_damaged_pdf_is_refused(tmp_path):
    data = bytearray(samples.pdf(tmp_path / "real.pdf", "Side et", "Side to").read_bytes())
    data[20:-20] = b"\x5a" * (len(data) - 40)
    path = tmp_path / "upload"
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFile) as rejected:
        inspect_upload(path, "referat.pdf", EVERY_FORMAT)
    assert rejected.value.code == "corrupt_file"
    assert rejected.value.message.startswith("the PDF is damaged and cannot be read")


def test_a_truncated_pdf_is_refused(tmp_path):
    data = samples.pdf(tmp_path / "real.pdf", "Side et", "Side to").read_bytes()
    path = tmp_path / "upload"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFile):
        inspect_upload(path, "referat.pdf", EVERY_FORMAT)


def test_a_pdf_without_pages_is_refused(tmp_path):
    path = tmp_path / "upload"
    PdfWriter().write(path)
    with pytest.raises(CorruptFile) as rejected:
        inspect_upload(path, "tom.pdf", EVERY_FORMAT)
    assert rejected.value.message == "the PDF has no pages"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_a_pdf_that_needs_a_password_is_refused(tmp_path, algorithm):
    path = samples.encrypted_pdf(tmp_path / "upload.pdf", user_password="hemmelig", algorithm=algorithm)
    with pytest.raises(EncryptedFile) as rejected:
        inspect_upload(path, "fortroligt.pdf", EVERY_FORMAT)
    assert rejected.value.code == "encrypted_file"
    assert "password" in rejected.value.message


def test_a_pdf_with_only_an_owner_password_opens_and_is_accepted(tmp_path):
    path = samples.encrypted_pdf(tmp_path / "upload.pdf", user_password="")
    assert inspect_upload(path, "låst for ændringer.pdf", EVERY_FORMAT).name == "pdf"


def test_a_password_protected_odt_is_refused(tmp_path):
    path = samples.odt_file(tmp_path / "upload")
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA"/>'
        "</manifest:file-entry></manifest:manifest>"
    )
    _replace_entry(path, "META-INF/manifest.xml", manifest)
    with pytest.raises(EncryptedFile):
        inspect_upload(path, "vedtak.odt", EVERY_FORMAT)


def test_an_odt_is_not_taken_for_encrypted_by_a_file_named_so(tmp_path):
    path = samples.odt_file(tmp_path / "upload")
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="Pictures/encryption-data.png" manifest:media-type="image/png"/>'
        "</manifest:manifest>"
    )
    _replace_entry(path, "META-INF/manifest.xml", manifest)
    assert inspect_upload(path, "vedtak.odt", EVERY_FORMAT).name == "odt"


ZIP_LIMITS = ContentLimits(
    max_unpacked_bytes=8 * 1024 * 1024,
    max_compression_ratio=50,
    compression_ratio_applies_above=1024 * 1024,
    max_archive_entries=20,
)


def test_an_office_file_that_unpacks_to_too_much_is_refused_without_unpacking(tmp_path):
    path = samples.office_zip(tmp_path / "upload", extra_entries={"word/media/padding.bin": bytes(9 * 1024 * 1024)})
    with pytest.raises(DecompressionBomb) as rejected:
        inspect_upload(path, "bomb.docx", EVERY_FORMAT, ZIP_LIMITS)
    assert rejected.value.code == "decompression_bomb"
    assert rejected.value.message == "the document unpacks to 9 MB; at most 8 MB is accepted"


def test_an_office_file_that_compresses_too_well_is_refused(tmp_path):
    path = samples.office_zip(tmp_path / "upload", extra_entries={"word/media/padding.bin": bytes(2 * 1024 * 1024)})
    with pytest.raises(DecompressionBomb) as rejected:
        inspect_upload(path, "bomb.docx", EVERY_FORMAT, ZIP_LIMITS)
    assert "times its size" in rejected.value.message


def test_a_small_office_file_may_compress_well(tmp_path):
    path = samples.office_zip(tmp_path / "upload", extra_entries={"word/styles.xml": bytes(512 * 1024)})
    assert inspect_upload(path, "brev.docx", EVERY_FORMAT, ZIP_LIMITS).name == "docx"


def test_an_office_file_with_too_many_parts_is_refused(tmp_path):
    entries = {f"word/media/image{number}.png": b"x" for number in range(25)}
    path = samples.office_zip(tmp_path / "upload", extra_entries=entries)
    with pytest.raises(DecompressionBomb) as rejected:
        inspect_upload(path, "brev.docx", EVERY_FORMAT, ZIP_LIMITS)
    assert "27 parts" in rejected.value.message


def test_real_office_files_pass_the_default_limits(tmp_path):
    assert inspect_upload(samples.docx_file(tmp_path / "a"), "a.docx", EVERY_FORMAT).name == "docx"
    assert inspect_upload(samples.xlsx_file(tmp_path / "b", rows=2000), "b.xlsx", EVERY_FORMAT).name == "xlsx"
    assert inspect_upload(samples.odt_file(tmp_path / "c"), "c.odt", EVERY_FORMAT).name == "odt"


def test_an_image_claiming_too_many_pixels_is_refused_from_its_header(tmp_path):
    path = samples.png_claiming_size(tmp_path / "upload", 5000, 5000)
    limits = ContentLimits(max_image_pixels=20_000_000)
    with pytest.raises(DecompressionBomb) as rejected:
        inspect_upload(path, "plan.png", EVERY_FORMAT, limits)
    assert rejected.value.message == "the image is 5000 × 5000 pixels (25 million); at most 20 million are accepted"
    assert inspect_upload(path, "plan.png", EVERY_FORMAT, ContentLimits(max_image_pixels=25_000_000))


def test_an_image_pillow_itself_calls_a_bomb_is_refused(tmp_path):
    path = samples.png_claiming_size(tmp_path / "upload", 100_000, 100_000)
    with pytest.raises(DecompressionBomb):
        inspect_upload(path, "plan.png", EVERY_FORMAT, ContentLimits(max_image_pixels=10**12))


def test_every_page_of_a_tiff_is_measured(tmp_path):
    path = tmp_path / "upload"
    small = samples.image(tmp_path / "small", "TIFF", size=(10, 10))
    with Image.open(small) as first:
        first.save(path, format="TIFF", save_all=True, append_images=[Image.new("RGB", (100, 100))])
    with pytest.raises(DecompressionBomb):
        inspect_upload(path, "scan.tif", EVERY_FORMAT, ContentLimits(max_image_pixels=5_000))
    assert inspect_upload(path, "scan.tif", EVERY_FORMAT, ContentLimits(max_image_pixels=10_000))


def test_a_tiff_with_too_many_pages_is_refused(tmp_path):
    path = samples.image(tmp_path / "upload", "TIFF", size=(4, 4), pages=6)
    with pytest.raises(DecompressionBomb):
        inspect_upload(path, "scan.tif", EVERY_FORMAT, ContentLimits(max_image_frames=5))
    assert inspect_upload(path, "scan.tif", EVERY_FORMAT, ContentLimits(max_image_frames=6))


def test_a_damaged_image_is_refused(tmp_path):
    path = tmp_path / "upload"
    path.write_bytes(samples.image(tmp_path / "real", "PNG").read_bytes()[:20])
    with pytest.raises(CorruptFile):
        inspect_upload(path, "foto.png", EVERY_FORMAT)


def _text(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def _replace_entry(path, name, data):
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist() if info.filename != name]
    with zipfile.ZipFile(path, "w") as archive:
        for info, content in entries:
            archive.writestr(info, content)
        archive.writestr(name, data, zipfile.ZIP_DEFLATED)
