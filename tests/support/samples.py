"""Real files of every format, made in the tests by independent writers (fpdf2, pypdf,
python-docx, odfpy, openpyxl, Pillow, the standard library's email and zipfile, extract-msg's OLE
writer), so no binary fixture is kept in the repository. Scanned pages with text are drawn with
Pillow in DejaVu Sans, so OCR has real letters to read."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import docx
import openpyxl
from extract_msg import OleWriter
from fpdf import FPDF
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from odf.table import Table, TableCell, TableRow
from odf.text import H, P, S, Span
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfWriter

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DANISH = ("Ansøgning om skoleskift for Søren Ærø", "Eleven flytter til Århus")
NORWEGIAN = ("Søknad om permisjon", "Elev ved Tromsø skole")
SCAN_DPI = 200
MM_PER_INCH = 25.4
WORD_DOCUMENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def pdf(path: Path, *pages: str) -> Path:
    """A born-digital PDF, one page per text: its text is a text layer, not pixels."""
    document = FPDF()
    document.set_font("helvetica", size=12)
    for text in pages or ("Referat af mødet på Ærø",):
        document.add_page()
        document.multi_cell(0, 8, text=text)
    document.output(str(path))
    return path


def scanned_page(lines: Sequence[str] = (), size: tuple[int, int] = (1700, 600)) -> Image.Image:
    """A greyscale picture of `lines` of text, as a scanner sees a page (blank without lines)."""
    page = Image.new("L", size, 255)
    if lines:
        draw = ImageDraw.Draw(page)
        font = ImageFont.truetype(str(FONT), 48)
        for number, line in enumerate(lines):
            draw.text((120, 120 + number * 90), line, font=font, fill=0)
    return page


def scanned_pdf(path: Path, *, lines: Sequence[str] = (), stamp: str = "", typed_page: str = "") -> Path:
    """A page that is only a picture (of `lines`, see scanned_page) at 200 dpi, as a scanner
    makes it, with an optional stamp of text, after an optional typed page."""
    picture = scanned_page(lines)
    width, height = (pixels / SCAN_DPI * MM_PER_INCH for pixels in picture.size)
    document = FPDF()
    if typed_page:
        document.add_page()
        document.set_font("helvetica", size=12)
        document.multi_cell(0, 8, text=typed_page)
    document.add_page(format=(width, height))
    png = io.BytesIO()
    picture.save(png, format="PNG")
    document.image(png, x=0, y=0, w=width, h=height)
    if stamp:
        document.set_font("helvetica", size=8)
        document.text(10, height - 7, stamp)
    document.output(str(path))
    return path


def encrypted_pdf(path: Path, user_password: str, algorithm: str = "AES-256", *,
                  source: Path | None = None) -> Path:
    """`source` (by default a one-page text PDF) encrypted: it opens only with `user_password`."""
    plain = source or pdf(path.with_suffix(".plain.pdf"), "Fortroligt")
    writer = PdfWriter(clone_from=plain)
    writer.encrypt(user_password=user_password, owner_password="the owner's", algorithm=algorithm)
    writer.write(path)
    return path


def truncated_copy(source: Path, path: Path) -> Path:
    """The first third of `source`: a file cut off in transfer."""
    path.write_bytes(source.read_bytes()[: source.stat().st_size // 3])
    return path


def docx_file(path: Path, *, lines: Sequence[str] = ()) -> Path:
    """An application with a heading, a table and a page header; given `lines`, a plain letter of
    those paragraphs."""
    document = docx.Document()
    if lines:
        for line in lines:
            document.add_paragraph(line)
    else:
        document.add_heading("Ansøgning om byggetilladelse", level=1)
        document.add_paragraph("Ansøger: Søren Ærø")
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "Matrikel"
        table.cell(0, 1).text = "12a"
        table.cell(1, 0).text = "Areal"
        table.cell(1, 1).text = "140 m²"
        document.sections[0].header.paragraphs[0].text = "Kommunen, Teknik og Miljø"
    document.save(str(path))
    return path


def xlsx_file(path: Path, rows: int = 3, *, lines: Sequence[str] = ()) -> Path:
    """A budget of `rows` rows with a sheet of notes; given `lines`, one sheet with a line per row."""
    workbook = openpyxl.Workbook()
    if lines:
        for row, line in enumerate(lines, start=1):
            workbook.active.cell(row=row, column=1, value=line)
    else:
        budget = workbook.active
        budget.title = "Budget"
        budget.append(["Post", "Beløb", "Dato"])
        for number in range(1, rows):
            budget.append([f"Post {number}", number * 1000, date(2026, 1, number % 28 + 1)])
        notes = workbook.create_sheet("Noter")
        notes["B2"] = "Godkendt af økonomiudvalget"
    workbook.save(path)
    return path


def odt_file(path: Path, *, lines: Sequence[str] = ()) -> Path:
    """A decision with a heading, spaced text and a table; given `lines`, a plain letter of those
    paragraphs."""
    document = OpenDocumentText()
    if lines:
        for line in lines:
            document.text.addElement(P(text=line))
    else:
        document.text.addElement(H(outlinelevel=1, text="Vedtak i saken"))
        paragraph = P(text="Søknaden fra Åse Ødegård")
        paragraph.addElement(S(c=3))
        paragraph.addElement(Span(text="er innvilget."))
        document.text.addElement(paragraph)
        table = Table(name="Frister")
        row = TableRow()
        for text in ("Klagefrist", "3 uker"):
            cell = TableCell()
            cell.addElement(P(text=text))
            row.addElement(cell)
        table.addElement(row)
        document.text.addElement(table)
    document.save(str(path))
    return path


def ods_file(path: Path) -> Path:
    document = OpenDocumentSpreadsheet()
    document.spreadsheet.addElement(Table(name="Ark1"))
    document.save(str(path))
    return path


def office_zip(path: Path, main_type: str = WORD_DOCUMENT_TYPE, main_part: str = "word/document.xml",
               body: str = "<w:p><w:r><w:t>Hej</w:t></w:r></w:p>", extra_entries: dict[str, bytes] | None = None,
               word_namespace: str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main") -> Path:
    """A hand-made Office Open XML package: the content types, a main part around `body`
    (WordprocessingML), and any other entries (a bomb's padding, say), deflated."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>'
        "</Types>"
    )
    document = (
        f'<w:document xmlns:w="{word_namespace}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f"<w:body>{body}</w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr(main_part, document)
        for name, data in (extra_entries or {}).items():
            archive.writestr(name, data)
    return path


def odt_with_body(path: Path, body: str) -> Path:
    """A hand-made OpenDocument text around `body`: `mimetype` first and stored, as the
    standard wants, then content.xml."""
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def eml_file(path: Path, html_only: bool = False, charset: str = "utf-8") -> Path:
    message = EmailMessage()
    message["From"] = "Bo Berg <bo@example.dk>"
    message["To"] = "Anna Ås <anna@example.no>"
    message["Cc"] = "Sagsbehandler <sag@example.dk>"
    message["Date"] = "Mon, 02 Mar 2026 09:30:00 +0100"
    message["Subject"] = "Klage over afgørelsen"
    body = "Jeg klager hermed over afgørelsen.\nMed venlig hilsen Bo"
    html = "<html><head><style>p {color: red}</style></head><body><p>Jeg klager <b>hermed</b>.</p>" \
           "<table><tr><td>Sag</td><td>2026-17</td></tr></table></body></html>"
    if html_only:
        message.set_content(html, subtype="html", charset=charset)
    else:
        message.set_content(body, charset=charset)
        message.add_alternative(html, subtype="html")
        message.add_attachment(b"%PDF-1.4 ...", maintype="application", subtype="pdf", filename="bilag 1.pdf")
        forwarded = EmailMessage()
        forwarded["Subject"] = "Oprindelig ansøgning"
        forwarded.set_content("Jeg søger om tilladelse.")
        message.add_attachment(forwarded)
    path.write_bytes(bytes(message))
    return path


def msg_file(path: Path) -> Path:
    """An Outlook message written as MS-OXMSG lays it out: property streams in an OLE2
    compound file, with one recipient and one attachment."""
    writer = OleWriter()
    _add_properties(writer, "", {
        0x001A: "IPM.Note",
        0x0037: "Møde om Ærø",
        0x1000: "Hej Anna,\nvi ses torsdag.",
        0x0C1A: "Bo Berg",
        0x0C1F: "bo@example.dk",
        0x5D01: "bo@example.dk",
        0x0E04: "Anna Ås",
    }, fixed={(0x0039, 0x0040): struct.pack("<Q", _filetime(datetime(2026, 3, 2, 9, 30, tzinfo=UTC)))},
        header=struct.pack("<8xIIII8x", 1, 1, 1, 1))
    _add_properties(writer, "__recip_version1.0_#00000000/", {0x3001: "Anna Ås", 0x3003: "anna@example.no"},
                    fixed={(0x0C15, 0x0003): struct.pack("<I4x", 1)})
    _add_properties(writer, "__attach_version1.0_#00000000/", {0x3707: "budget.xlsx"},
                    fixed={(0x3705, 0x0003): struct.pack("<I4x", 1)})
    writer.addEntry("__attach_version1.0_#00000000/__substg1.0_37010102", b"not really a workbook")
    for stream in ("00020102", "00030102", "00040102"):
        writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    writer.write(str(path))
    return path


def legacy_word_file(path: Path) -> Path:
    writer = OleWriter()
    writer.addEntry("WordDocument", b"\0" * 600)
    writer.write(str(path))
    return path


def password_protected_office_file(path: Path) -> Path:
    writer = OleWriter()
    writer.addEntry("EncryptionInfo", b"\x04\x00\x04\x00" + b"\0" * 200)
    writer.addEntry("EncryptedPackage", b"\0" * 600)
    writer.write(str(path))
    return path


def image(path: Path, image_format: str, size: tuple[int, int] = (40, 30), pages: int = 1) -> Path:
    frames = [Image.new("RGB", size, color=(200, 30 * index % 255, 40)) for index in range(pages)]
    frames[0].save(path, format=image_format, save_all=pages > 1, append_images=frames[1:])
    return path


def png_claiming_size(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header (IHDR) claims the given dimensions: what an image bomb looks like
    before anything is decoded."""
    data = bytearray(image(path, "PNG").read_bytes())
    # signature (8) + chunk length (4) + "IHDR" (4), then width and height; the CRC covers
    # the chunk type and its 13 bytes of data.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path.write_bytes(bytes(data))
    return path


def _add_properties(writer: OleWriter, storage: str, strings: dict[int, str],
                    fixed: dict[tuple[int, int], bytes], header: bytes = b"\0" * 8) -> None:
    stream = bytearray(header)
    for property_id, text in strings.items():
        data = text.encode("utf-16-le")
        writer.addEntry(f"{storage}__substg1.0_{property_id:04X}001F", data)
        stream += struct.pack("<IIII", (property_id << 16) | 0x001F, 6, len(data) + 2, 0)
    for (property_id, property_type), value in fixed.items():
        stream += struct.pack("<II", (property_id << 16) | property_type, 6) + value
    writer.addEntry(f"{storage}__properties_version1.0", bytes(stream))


def _filetime(moment: datetime) -> int:
    return int((moment - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)
