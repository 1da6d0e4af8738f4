"""OCR with Tesseract through ocrmypdf: scanned PDFs and images become searchable PDF/A files, and
their Danish and Norwegian text comes back. OCR output is noisy at the edges (Å read as A), so
the tests look for the words that carry the meaning."""

import os
import shutil

import pytest

from akta_docstore.converters import ConversionFailed, ocr_to_searchable_pdf
from tests.integration.docstore.converters.conftest import pdf_facts, pdfa_part, processes_mentioning
from tests.support.samples import (
    DANISH,
    NORWEGIAN,
    encrypted_pdf,
    pdf,
    scanned_page,
    scanned_pdf,
    truncated_copy,
)

TIMEOUT = 120


def test_a_scanned_pdf_becomes_a_searchable_pdfa_with_its_danish_text(ocr_installed, inputs, output_dir):
    searchable = output_dir / "searchable.pdf"

    text = ocr_to_searchable_pdf(scanned_pdf(inputs / "scan.pdf", lines=DANISH), "pdf", searchable, timeout_seconds=TIMEOUT)

    # Tesseract reads some words of these renders differently from run to run (same input, same
    # command): "Ansøgning" as "Ansggning", "Århus" as "Arhus", now and then. The words asserted
    # are those it read right in every run seen, Danish letters included.
    assert "skoleskift" in text and "Søren Ærø" in text
    head, pages, text_layer = pdf_facts(searchable)
    assert (head, pages) == (b"%PDF-", 1)
    assert "skoleskift" in text_layer
    assert pdfa_part(searchable) == "2"
    assert os.listdir(output_dir) == ["searchable.pdf"]


def test_a_screenshot_without_resolution_and_with_transparency_is_read(ocr_installed, inputs, output_dir):
    screenshot = inputs / "screenshot.png"
    scanned_page(NORWEGIAN).convert("RGBA").save(screenshot)

    text = ocr_to_searchable_pdf(screenshot, "png", output_dir / "searchable.pdf", timeout_seconds=TIMEOUT)

    assert "Søknad" in text and "permisjon" in text


def test_a_jpeg_is_read(ocr_installed, inputs, output_dir):
    photo = inputs / "photo.jpg"
    scanned_page(DANISH).save(photo, dpi=(200, 200), quality=90)

    text = ocr_to_searchable_pdf(photo, "jpeg", output_dir / "searchable.pdf", timeout_seconds=TIMEOUT)

    # Tesseract reads some words of these renders differently from run to run (same input, same
    # command): "Ansøgning" as "Ansggning", "Århus" as "Arhus", now and then. The words asserted
    # are those it read right in every run seen, Danish letters included.
    assert "skoleskift" in text and "Søren Ærø" in text


def test_every_page_of_a_multi_page_tiff_is_read(ocr_installed, inputs, output_dir):
    fax = inputs / "fax.tiff"
    scanned_page(DANISH).save(
        fax, save_all=True, append_images=[scanned_page(NORWEGIAN)], dpi=(200, 200), compression="tiff_deflate"
    )
    searchable = output_dir / "searchable.pdf"

    text = ocr_to_searchable_pdf(fax, "tiff", searchable, timeout_seconds=TIMEOUT)

    first_page, second_page = text.split("\f")[:2]
    assert "skoleskift" in first_page and "permisjon" in second_page
    assert pdf_facts(searchable)[1] == 2


def test_a_pdf_that_already_has_text_keeps_it_and_does_not_fail(ocr_installed, inputs, output_dir):
    searchable = output_dir / "searchable.pdf"

    text = ocr_to_searchable_pdf(pdf(inputs / "letter.pdf", "\n".join(DANISH)), "pdf", searchable, timeout_seconds=TIMEOUT)

    assert "OCR skipped" not in text
    assert "skoleskift" in pdf_facts(searchable)[2]


def test_a_damaged_pdf_fails_with_a_reason_and_leaves_nothing(ocr_installed, inputs, output_dir):
    damaged = truncated_copy(scanned_pdf(inputs / "scan.pdf", lines=DANISH), inputs / "damaged.pdf")

    with pytest.raises(ConversionFailed) as failure:
        ocr_to_searchable_pdf(damaged, "pdf", output_dir / "searchable.pdf", timeout_seconds=TIMEOUT)

    assert "damaged" in failure.value.reason
    assert os.listdir(output_dir) == []


def test_an_encrypted_pdf_fails_with_a_reason(ocr_installed, inputs, output_dir):
    scan = scanned_pdf(inputs / "scan.pdf", lines=DANISH)
    encrypted = encrypted_pdf(inputs / "encrypted.pdf", "hemmelig", source=scan)

    with pytest.raises(ConversionFailed) as failure:
        ocr_to_searchable_pdf(encrypted, "pdf", output_dir / "searchable.pdf", timeout_seconds=TIMEOUT)

    assert failure.value.reason == "the PDF is encrypted"
    assert os.listdir(output_dir) == []


def test_a_conversion_past_its_timeout_is_killed_with_everything_it_started(ocr_installed, inputs, output_dir):
    with pytest.raises(ConversionFailed) as failure:
        ocr_to_searchable_pdf(scanned_pdf(inputs / "scan.pdf", lines=DANISH), "pdf", output_dir / "searchable.pdf", timeout_seconds=0.3)

    assert failure.value.reason == "ocrmypdf timed out after 0.3 s"
    assert os.listdir(output_dir) == []
    assert processes_mentioning(str(output_dir)) == []


def test_a_missing_program_is_a_reason(ocr_installed, inputs, output_dir, tmp_path):
    without_tesseract = tmp_path / "bin"
    without_tesseract.mkdir()
    for program in ("ocrmypdf", "gs"):
        (without_tesseract / program).symlink_to(shutil.which(program))

    with pytest.raises(ConversionFailed) as failure:
        ocr_to_searchable_pdf(
            scanned_pdf(inputs / "scan.pdf", lines=DANISH), "pdf", output_dir / "searchable.pdf",
            environment={"PATH": str(without_tesseract)},
        )

    assert failure.value.reason == "tesseract is not installed"
    assert os.listdir(output_dir) == []


def test_nothing_installed_is_a_reason(inputs, output_dir):
    with pytest.raises(ConversionFailed) as failure:
        ocr_to_searchable_pdf(scanned_pdf(inputs / "scan.pdf", lines=DANISH), "pdf", output_dir / "searchable.pdf", environment={"PATH": ""})

    assert failure.value.reason == "ocrmypdf is not installed"


def test_a_language_without_data_is_a_reason(ocr_installed, inputs, output_dir):
    with pytest.raises(ConversionFailed) as failure:
        ocr_to_searchable_pdf(scanned_pdf(inputs / "scan.pdf", lines=DANISH), "pdf", output_dir / "searchable.pdf", ("dan", "tlh"))

    assert failure.value.reason == "Tesseract has no language data for tlh"


def test_office_files_are_not_for_ocr(inputs, output_dir):
    with pytest.raises(ConversionFailed) as failure:
        ocr_to_searchable_pdf(inputs / "letter.docx", "docx", output_dir / "searchable.pdf")

    assert failure.value.reason == "OCR does not read docx files"
