"""Office files to PDF/A-2b with LibreOffice headless."""

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from akta_docstore.converters import ConversionFailed, convert_to_pdfa
from tests.integration.docstore.converters.conftest import pdf_facts, pdfa_part, processes_mentioning
from tests.support.samples import DANISH, NORWEGIAN, docx_file, odt_file, truncated_copy, xlsx_file

TIMEOUT = 120
OFFICE_FILES = {"docx": docx_file, "odt": odt_file, "xlsx": xlsx_file}


@pytest.mark.parametrize("office_format", OFFICE_FILES)
def test_an_office_file_becomes_a_one_page_pdfa(libreoffice_installed, inputs, output_dir, office_format):
    # Named like the rendition workers name it: without an extension.
    original = OFFICE_FILES[office_format](inputs / f"letter.{office_format}", lines=DANISH).rename(inputs / "original")
    pdfa = output_dir / "pdfa.pdf"

    convert_to_pdfa(original, pdfa, TIMEOUT)

    head, pages, text = pdf_facts(pdfa)
    assert (head, pages) == (b"%PDF-", 1)
    assert pdfa_part(pdfa) == "2"
    assert "skoleskift" in text
    assert os.listdir(output_dir) == ["pdfa.pdf"]


def test_conversions_at_the_same_time_do_not_disturb_each_other(libreoffice_installed, inputs, output_dir):
    danish, norwegian = docx_file(inputs / "danish.docx", lines=DANISH), docx_file(inputs / "norwegian.docx", lines=NORWEGIAN)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(convert_to_pdfa, [danish, norwegian], [output_dir / "danish.pdf", output_dir / "norwegian.pdf"], [TIMEOUT] * 2))

    assert "skoleskift" in pdf_facts(output_dir / "danish.pdf")[2]
    assert "permisjon" in pdf_facts(output_dir / "norwegian.pdf")[2]


def test_a_damaged_file_fails_with_a_reason_and_leaves_nothing(libreoffice_installed, inputs, output_dir):
    damaged = truncated_copy(docx_file(inputs / "letter.docx", lines=DANISH), inputs / "damaged.docx")

    with pytest.raises(ConversionFailed) as failure:
        convert_to_pdfa(damaged, output_dir / "pdfa.pdf", TIMEOUT)

    assert failure.value.reason == "LibreOffice could not convert the file: Error: source file could not be loaded"
    assert os.listdir(output_dir) == []


def test_a_conversion_past_its_timeout_is_killed_with_everything_it_started(libreoffice_installed, inputs, output_dir):
    with pytest.raises(ConversionFailed) as failure:
        convert_to_pdfa(docx_file(inputs / "letter.docx", lines=DANISH), output_dir / "pdfa.pdf", 0.5)

    assert failure.value.reason == "LibreOffice timed out after 0.5 s"
    assert os.listdir(output_dir) == []
    assert processes_mentioning(str(output_dir)) == []


def test_libreoffice_missing_is_a_reason(inputs, output_dir):
    with pytest.raises(ConversionFailed) as failure:
        convert_to_pdfa(docx_file(inputs / "letter.docx", lines=DANISH), output_dir / "pdfa.pdf", environment={"PATH": ""})

    assert failure.value.reason == "LibreOffice is not installed"
