"""OCR of scanned PDFs and images into searchable PDFs, with Tesseract through ocrmypdf.

ocrmypdf runs as a program rather than through its Python API: a conversion that hangs can then
be killed with everything it started, a crash cannot take the worker with it, and the worker's
virtualenv needs none of ocrmypdf's Python libraries (the system package brings its own).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageSequence

from akta_docstore.converters.errors import ConversionFailed
from akta_docstore.converters.programs import Environment, find_program, last_line, program_environment, run
from akta_docstore.converters.workspace import scratch_directory

IMAGE_FORMATS = ("png", "jpeg", "tiff")
# ocrmypdf refuses an image without a resolution, or with one of 96 dpi or less, as not a scan;
# we assume the usual resolution of office scanners instead.
ASSUMED_SCAN_DPI = 300
# ocrmypdf's exit codes (ocrmypdf.ExitCode) that have a plain meaning; its own message for them
# is a Python exception name or advice about qpdf.
EXIT_REASONS = {
    2: "the file is damaged, or not a PDF or image that OCR can read",
    8: "the PDF is encrypted",
}
# "PDF/A conversion failed": the output is still a valid searchable PDF, only not PDF/A.
PDFA_CONVERSION_FAILED = 10
# What --skip-text puts in the sidecar text in place of a page it left alone.
SKIPPED_PAGE_NOTE = re.compile(r"\[OCR skipped on page\(s\) [\d-]+\]")


def ocr_to_searchable_pdf(
    input_path: Path,
    input_format: str,
    output_path: Path,
    languages: Sequence[str] = ("dan", "nor", "eng"),
    timeout_seconds: float = 300.0,
    *,
    environment: Environment | None = None,
) -> str:
    """Write a searchable PDF (PDF/A when Ghostscript manages) of a scanned PDF or an image
    (PNG, JPEG, TIFF of one or more pages) to `output_path`, and return the recognised text
    (pages separated by form feeds). Pages that already have text are kept as they are."""
    if input_format not in ("pdf", *IMAGE_FORMATS):
        raise ConversionFailed(f"OCR does not read {input_format} files")
    ocrmypdf = find_program("ocrmypdf", environment)
    tesseract = find_program("tesseract", environment)
    find_program("gs", environment, "Ghostscript")
    _check_languages(tesseract, languages, environment, timeout_seconds)
    output_path = Path(output_path)
    with scratch_directory(output_path) as scratch:
        searchable, sidecar = scratch / "searchable.pdf", scratch / "text.txt"
        # --jobs 1: conversions run side by side on small machines, so each takes one core
        # (ocrmypdf then keeps Tesseract to one thread too). --skip-text: a page that already
        # has text is kept, not rasterised, and a PDF that has text is not a failure.
        command = [
            ocrmypdf, "--quiet", "--jobs", "1", "--output-type", "pdfa", "--skip-text",
            "--language", "+".join(languages), "--sidecar", str(sidecar),
        ]
        source = Path(input_path)
        if input_format in IMAGE_FORMATS:
            source, has_credible_dpi = _prepare_image(source, scratch)
            if not has_credible_dpi:
                command += ["--image-dpi", str(ASSUMED_SCAN_DPI)]
        command += ["--", str(source), str(searchable)]
        finished = run(command, timeout_seconds, program_environment(environment, scratch))
        if finished.exit_code not in (0, PDFA_CONVERSION_FAILED):
            raise ConversionFailed(_failure_reason(finished.exit_code, finished.stderr))
        if not searchable.exists():
            raise ConversionFailed(f"ocrmypdf made no PDF: {last_line(finished.stderr)}")
        text = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else ""
        os.replace(searchable, output_path)
    return SKIPPED_PAGE_NOTE.sub("", text)


def _check_languages(
    tesseract: str, languages: Sequence[str], environment: Environment | None, timeout_seconds: float
) -> None:
    listed = run([tesseract, "--list-langs"], timeout_seconds, program_environment(environment))
    installed = set(listed.stdout.splitlines()[1:])
    missing = [language for language in languages if language not in installed]
    if missing:
        raise ConversionFailed(f"Tesseract has no language data for {', '.join(missing)}")


def _prepare_image(image_path: Path, scratch: Path) -> tuple[Path, bool]:
    """The image ocrmypdf gets, and whether it has a resolution ocrmypdf believes. ocrmypdf
    refuses transparency, common in screenshots, so such an image is laid on white first."""
    try:
        with Image.open(image_path) as image:
            dpi = image.info.get("dpi")
            has_credible_dpi = dpi is not None and min(dpi) > 96
            if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
                return image_path, has_credible_dpi
            pages = [_on_white(frame) for frame in ImageSequence.Iterator(image)]
    except Exception as error:  # Pillow's decoders raise many kinds of error for a broken file
        raise ConversionFailed(f"the image cannot be read: {error}") from None
    flattened = scratch / "flattened.tiff"
    pages[0].save(
        flattened, save_all=True, append_images=pages[1:], compression="tiff_deflate",
        dpi=dpi if has_credible_dpi else (ASSUMED_SCAN_DPI, ASSUMED_SCAN_DPI),
    )
    return flattened, has_credible_dpi


def _on_white(frame: Image.Image) -> Image.Image:
    with_alpha = frame.convert("RGBA")
    page = Image.new("RGB", with_alpha.size, "white")
    page.paste(with_alpha, mask=with_alpha.getchannel("A"))
    return page


def _failure_reason(exit_code: int, stderr: str) -> str:
    if exit_code in EXIT_REASONS:
        return EXIT_REASONS[exit_code]
    return f"ocrmypdf failed with exit code {exit_code}: {last_line(stderr)}"
