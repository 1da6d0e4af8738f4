"""PNG previews of the first page: aspect ratio kept, the longest side at most max_pixels."""

import os

import pytest
from PIL import Image

from akta_docstore.converters import ConversionFailed, render_preview_png
from tests.support.samples import DANISH, NORWEGIAN, encrypted_pdf, scanned_page, scanned_pdf, truncated_copy


def size_of(png) -> tuple[int, int]:
    with Image.open(png) as image:
        assert image.format == "PNG"
        return image.size


def test_a_pdf_page_is_rendered_to_max_pixels_on_its_longest_side(pdftoppm_installed, inputs, output_dir):
    # The scanned page is 1700 x 600 pixels.
    preview = output_dir / "preview.png"

    render_preview_png(scanned_pdf(inputs / "scan.pdf", lines=DANISH), "pdf", preview, 1024)

    width, height = size_of(preview)
    assert width == 1024
    assert height == pytest.approx(1024 * 600 / 1700, abs=1)
    assert os.listdir(output_dir) == ["preview.png"]


def test_a_tall_image_is_shrunk_to_max_pixels_high(inputs, output_dir):
    portrait = inputs / "portrait.png"
    scanned_page(DANISH, size=(1200, 2400)).save(portrait)

    render_preview_png(portrait, "png", output_dir / "preview.png", 500)

    assert size_of(output_dir / "preview.png") == (250, 500)


def test_a_small_image_keeps_its_size(inputs, output_dir):
    photo = inputs / "photo.jpg"
    scanned_page(DANISH, size=(640, 480)).convert("RGB").save(photo)

    render_preview_png(photo, "jpeg", output_dir / "preview.png", 1024)

    assert size_of(output_dir / "preview.png") == (640, 480)


def test_a_multi_page_tiff_shows_its_first_page(inputs, output_dir):
    fax = inputs / "fax.tiff"
    first, second = scanned_page(DANISH, size=(1000, 2000)).convert("1"), scanned_page(NORWEGIAN, size=(2000, 1000))
    first.save(fax, save_all=True, append_images=[second.convert("1")], compression="group4")

    render_preview_png(fax, "tiff", output_dir / "preview.png", 1024)

    assert size_of(output_dir / "preview.png") == (512, 1024)


@pytest.mark.parametrize(
    ("make_unreadable", "reason"),
    [
        (lambda inputs: truncated_copy(scanned_pdf(inputs / "scan.pdf", lines=DANISH), inputs / "damaged.pdf"), "the PDF is damaged"),
        (
            lambda inputs: encrypted_pdf(
                inputs / "encrypted.pdf", "hemmelig", source=scanned_pdf(inputs / "scan.pdf", lines=DANISH)
            ),
            "the PDF is encrypted",
        ),
    ],
    ids=["damaged", "encrypted"],
)
def test_an_unreadable_pdf_fails_with_a_reason_and_leaves_nothing(
    pdftoppm_installed, inputs, output_dir, make_unreadable, reason
):
    with pytest.raises(ConversionFailed) as failure:
        render_preview_png(make_unreadable(inputs), "pdf", output_dir / "preview.png")

    assert failure.value.reason.startswith(reason)
    assert os.listdir(output_dir) == []


def test_an_unreadable_image_fails_with_a_reason_and_leaves_nothing(inputs, output_dir):
    with pytest.raises(ConversionFailed) as failure:
        render_preview_png(scanned_pdf(inputs / "scan.pdf", lines=DANISH), "png", output_dir / "preview.png")

    assert failure.value.reason.startswith("the image cannot be read")
    assert os.listdir(output_dir) == []


def test_office_files_are_previewed_through_their_pdfa(inputs, output_dir):
    with pytest.raises(ConversionFailed) as failure:
        render_preview_png(inputs / "letter.docx", "docx", output_dir / "preview.png")

    assert failure.value.reason == "no preview of docx files; preview their PDF/A rendition"


def test_pdftoppm_missing_is_a_reason(inputs, output_dir):
    with pytest.raises(ConversionFailed) as failure:
        render_preview_png(scanned_pdf(inputs / "scan.pdf", lines=DANISH), "pdf", output_dir / "preview.png", environment={"PATH": ""})

    assert failure.value.reason == "pdftoppm (poppler-utils) is not installed"
