"""The text each format gives the search index."""

import codecs

import pytest

from akta_docstore.content import ExtractedText, ExtractionFailed, extract_text
from akta_docstore.content.html_text import html_to_text
from tests.support import samples


def test_a_pdf_gives_the_text_of_its_pages(tmp_path):
    path = samples.pdf(tmp_path / "original", "Referat af mødet på Ærø", "Beslutning: bevilget")
    extracted = extract_text(path, "pdf")
    assert extracted.text.split("\n") == ["Referat af mødet på Ærø", "Beslutning: bevilget"]
    assert (extracted.pages, extracted.has_text_layer, extracted.truncated) == (2, True, False)


def test_a_scanned_pdf_has_no_text_layer(tmp_path):
    extracted = extract_text(samples.scanned_pdf(tmp_path / "original"), "pdf")
    assert extracted == ExtractedText("", 1, False)


def test_a_scanners_stamp_does_not_make_a_text_layer(tmp_path):
    extracted = extract_text(samples.scanned_pdf(tmp_path / "original", stamp="Scannet 02.03.2026"), "pdf")
    assert extracted.text == "Scannet 02.03.2026"
    assert not extracted.has_text_layer


def test_a_scanned_page_among_typed_ones_needs_ocr(tmp_path):
    typed = "Afgørelse i sagen om byggetilladelse til carport på matrikel 12a"
    extracted = extract_text(samples.scanned_pdf(tmp_path / "original", typed_page=typed), "pdf")
    assert (extracted.text, extracted.pages, extracted.has_text_layer) == (typed, 2, False)


def test_a_pdf_with_only_a_page_number_has_no_text_layer(tmp_path):
    assert not extract_text(samples.pdf(tmp_path / "original", "1"), "pdf").has_text_layer


def test_a_pdf_that_needs_a_password_fails_with_a_reason(tmp_path):
    path = samples.encrypted_pdf(tmp_path / "original.pdf", user_password="hemmelig")
    with pytest.raises(ExtractionFailed) as failed:
        extract_text(path, "pdf")
    assert "password" in failed.value.reason.lower()


def test_a_docx_gives_its_paragraphs_tables_and_header(tmp_path):
    text = extract_text(samples.docx_file(tmp_path / "original"), "docx").text
    assert text.split("\n") == [
        "Ansøgning om byggetilladelse",
        "Ansøger: Søren Ærø",
        "Matrikel",
        "12a",
        "Areal",
        "140 m²",
        "Kommunen, Teknik og Miljø",
    ]


def test_a_docx_text_box_is_read_once_and_tab_stops_are_no_tabs(tmp_path):
    body = (
        "<w:p><w:pPr><w:tabs><w:tab w:val='left' w:pos='720'/></w:tabs></w:pPr>"
        "<w:r><w:t>Navn</w:t><w:tab/><w:t>Anna</w:t><w:br/><w:t xml:space='preserve'>Ny linje </w:t></w:r>"
        "<w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:t>Tekstboks</w:t></mc:Choice>"
        "<mc:Fallback><w:t>Tekstboks</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>"
        "<w:p><w:r><w:delText>slettet</w:delText><w:t>til sidst</w:t></w:r></w:p>"
    )
    path = samples.office_zip(tmp_path / "original", body=body)
    assert extract_text(path, "docx").text == "Navn\tAnna\nNy linje Tekstboks\ntil sidst"


def test_a_strict_docx_gives_its_text_too(tmp_path):
    body = "<w:p><w:r><w:t>Strict</w:t><w:tab/><w:t>ISO 29500</w:t></w:r></w:p>"
    path = samples.office_zip(tmp_path / "original", body=body, word_namespace="http://purl.oclc.org/ooxml/wordprocessingml/main")
    assert extract_text(path, "docx").text == "Strict\tISO 29500"


def test_an_odt_gives_its_headings_paragraphs_spaces_and_tables(tmp_path):
    text = extract_text(samples.odt_file(tmp_path / "original"), "odt").text
    assert text.split("\n") == ["Vedtak i saken", "Søknaden fra Åse Ødegård   er innvilget.", "Klagefrist", "3 uker"]


def test_an_odt_note_is_read_in_its_paragraph_and_deleted_text_is_not(tmp_path):
    body = (
        "<text:tracked-changes><text:changed-region><text:deletion><text:p>slettet</text:p>"
        "</text:deletion></text:changed-region></text:tracked-changes>"
        "<text:p>Vedtaket<text:note><text:note-citation>1</text:note-citation><text:note-body>"
        "<text:p>Se forvaltningsloven.</text:p></text:note-body></text:note> står<text:tab/>fast"
        "<text:line-break/>Klage<text:s text:c='99999999999'/>innen 3 uker</text:p>"
    )
    path = samples.odt_with_body(tmp_path / "original", body)
    assert extract_text(path, "odt").text == (
        "Vedtaket1\nSe forvaltningsloven.\n står\tfast\nKlage" + " " * 100 + "innen 3 uker"
    )


def test_an_xlsx_gives_its_sheets_and_cell_values(tmp_path):
    text = extract_text(samples.xlsx_file(tmp_path / "original"), "xlsx").text
    assert text.split("\n") == [
        "Budget",
        "Post\tBeløb\tDato",
        "Post 1\t1000\t2026-01-02",
        "Post 2\t2000\t2026-01-03",
        "",
        "Noter",
        "Godkendt af økonomiudvalget",
    ]


def test_a_huge_spreadsheet_stops_at_the_limit(tmp_path):
    extracted = extract_text(samples.xlsx_file(tmp_path / "original", rows=5000), "xlsx", max_characters=1000)
    assert len(extracted.text) <= 1000
    assert extracted.truncated
    assert extracted.text.startswith("Budget\nPost\tBeløb\tDato\nPost 1\t1000")


def test_an_eml_gives_its_header_fields_body_and_attachment_names(tmp_path):
    text = extract_text(samples.eml_file(tmp_path / "original"), "eml").text
    assert text.split("\n") == [
        "From: Bo Berg <bo@example.dk>",
        "To: Anna Ås <anna@example.no>",
        "Cc: Sagsbehandler <sag@example.dk>",
        "Date: Mon, 02 Mar 2026 09:30:00 +0100",
        "Subject: Klage over afgørelsen",
        "",
        "Jeg klager hermed over afgørelsen.",
        "Med venlig hilsen Bo",
        "",
        "Attachments:",
        "bilag 1.pdf",
        "Oprindelig ansøgning (attached message)",
    ]


@pytest.mark.parametrize("charset", ["utf-8", "iso-8859-1"])
def test_an_html_only_eml_gives_its_body_as_text(tmp_path, charset):
    text = extract_text(samples.eml_file(tmp_path / "original", html_only=True, charset=charset), "eml").text
    assert text.endswith("Subject: Klage over afgørelsen\n\nJeg klager hermed.\n\nSag\t2026-17")
    assert "color" not in text


def test_an_msg_gives_sender_recipients_subject_date_body_and_attachments(tmp_path):
    text = extract_text(samples.msg_file(tmp_path / "original"), "msg").text
    assert text.split("\n") == [
        "From: Bo Berg <bo@example.dk>",
        "To: Anna Ås <anna@example.no>",
        "Date: 2026-03-02 09:30:00+00:00",
        "Subject: Møde om Ærø",
        "",
        "Hej Anna,",
        "vi ses torsdag.",
        "",
        "Attachments:",
        "budget.xlsx",
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Referat af mødet på Ærø\r\nPunkt 1".encode(), "Referat af mødet på Ærø\nPunkt 1"),
        ("Søknad fra Åse Ødegård om støtte til Ærø-færgen, sendt til kommunen".encode("cp1252"),
         "Søknad fra Åse Ødegård om støtte til Ærø-færgen, sendt til kommunen"),
        (codecs.BOM_UTF16_LE + "Søknad".encode("utf-16-le"), "Søknad"),
    ],
)
def test_text_files_are_decoded(tmp_path, data, expected):
    path = tmp_path / "original"
    path.write_bytes(data)
    assert extract_text(path, "txt") == ExtractedText(expected, None, True)


def test_a_long_text_file_is_cut_at_the_limit(tmp_path):
    path = tmp_path / "original"
    path.write_text("æ" * 5000, encoding="utf-8")
    extracted = extract_text(path, "txt", max_characters=100)
    assert (extracted.text, extracted.truncated) == ("æ" * 100, True)


def test_nul_and_other_control_characters_never_reach_the_index(tmp_path):
    path = tmp_path / "original"
    path.write_bytes("før\x00efter\x1a\tend\x0c".encode())
    assert extract_text(path, "txt").text == "førefter\tend"


@pytest.mark.parametrize("format_name", ["png", "jpeg", "tiff"])
def test_images_have_no_text_here(tmp_path, format_name):
    path = samples.image(tmp_path / "original", format_name.upper())
    assert extract_text(path, format_name) == ExtractedText("", None, False)


def test_a_damaged_file_fails_with_a_reason(tmp_path):
    path = tmp_path / "original"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ExtractionFailed) as failed:
        extract_text(path, "docx")
    assert failed.value.reason.startswith("the docx file could not be read: BadZipFile")


def test_an_unknown_format_fails(tmp_path):
    with pytest.raises(ExtractionFailed):
        extract_text(tmp_path / "original", "gif")


def test_html_becomes_lines_of_text():
    html = (
        "<html><head><title>x</title><script>alert(1)</script></head><body>"
        "<h1>Afgørelse</h1><p>Ansøgningen  er\n  <i>imødekommet</i>.<br>Klagevejledning&nbsp;følger.</p>"
        "<ul><li>Punkt&nbsp;1</li><li>Punkt 2</li></ul><pre>  indrykket\n  tekst</pre></body></html>"
    )
    assert html_to_text(html) == (
        "Afgørelse\n\nAnsøgningen er imødekommet.\nKlagevejledning følger.\n\nPunkt 1\n\nPunkt 2\n\n"
        "indrykket\ntekst"
    )
