"""A PNG preview of the first page of a PDF or an image. An office file is previewed through its
PDF/A rendition.

PDF pages are rendered by pdftoppm in a process of its own: a hostile PDF that hangs or crashes
the renderer cannot take the worker with it (PDFium in-process, the other choice, also forbids
calls from two threads at once, and the workers use threads).
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageOps

from akta_docstore.converters.errors import ConversionFailed
from akta_docstore.converters.programs import Environment, find_program, last_line, program_environment, run
from akta_docstore.converters.workspace import scratch_directory

IMAGE_FORMATS = ("png", "jpeg", "tiff")


def render_preview_png(
    input_path: Path,
    input_format: str,
    output_path: Path,
    max_pixels: int = 1024,
    timeout_seconds: float = 60.0,
    *,
    environment: Environment | None = None,
) -> None:
    """Write a PNG of the first page of a PDF, or the first frame of a PNG, JPEG or TIFF, to
    `output_path`: aspect ratio kept, the longest side `max_pixels` (an image smaller than that
    keeps its size)."""
    output_path = Path(output_path)
    if input_format == "pdf":
        _render_first_pdf_page(Path(input_path), output_path, max_pixels, timeout_seconds, environment)
    elif input_format in IMAGE_FORMATS:
        _shrink_first_frame(Path(input_path), output_path, max_pixels)
    else:
        raise ConversionFailed(f"no preview of {input_format} files; preview their PDF/A rendition")


def _render_first_pdf_page(
    pdf_path: Path, output_path: Path, max_pixels: int, timeout_seconds: float, environment: Environment | None
) -> None:
    pdftoppm = find_program("pdftoppm", environment, "pdftoppm (poppler-utils)")
    with scratch_directory(output_path) as scratch:
        command = [
            pdftoppm, "-png", "-f", "1", "-l", "1", "-scale-to", str(max_pixels), "-singlefile",
            "--", str(pdf_path), str(scratch / "page"),
        ]
        finished = run(command, timeout_seconds, program_environment(environment, scratch))
        rendered = scratch / "page.png"
        if finished.exit_code != 0 or not rendered.exists():
            raise ConversionFailed(_pdftoppm_failure(finished.exit_code, finished.stderr))
        os.replace(rendered, output_path)


def _pdftoppm_failure(exit_code: int, stderr: str) -> str:
    if "password" in stderr.lower():
        return "the PDF is encrypted"
    # poppler's exit code 1: the file could not be opened as a PDF.
    if exit_code == 1:
        return f"the PDF is damaged or not a PDF: {last_line(stderr)}"
    return f"pdftoppm failed with exit code {exit_code}: {last_line(stderr)}"


def _shrink_first_frame(image_path: Path, output_path: Path, max_pixels: int) -> None:
    try:
        with Image.open(image_path) as image:
            frame = _displayable(image)
            frame.thumbnail((max_pixels, max_pixels))
            frame = ImageOps.exif_transpose(frame)
    except Exception as error:  # Pillow's decoders raise many kinds of error for a broken file
        raise ConversionFailed(f"the image cannot be read: {error}") from None
    with scratch_directory(output_path) as scratch:
        preview = scratch / "preview.png"
        frame.save(preview, "PNG")
        os.replace(preview, output_path)


def _displayable(image: Image.Image) -> Image.Image:
    """The first frame in a mode that shrinks smoothly and PNG can hold: bilevel scans and
    palette images would otherwise be shrunk by dropping pixels, CMYK cannot be a PNG."""
    if image.mode in ("L", "LA", "RGB", "RGBA"):
        return image
    if image.mode == "1":
        return image.convert("L")
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")
