"""The checks an upload passes before its bytes are stored: a known format, allowed for the
organisation, that its name does not contradict, and that can be opened without a password or
unpacking into more than a worker can hold. Nothing here decompresses a file's content."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pypdf import PasswordType, PdfReader

from akta_docstore.content import packages
from akta_docstore.content.errors import (
    CorruptFile,
    DecompressionBomb,
    EmptyFile,
    EncryptedFile,
    FormatNotAllowed,
    NameContradictsContent,
)
from akta_docstore.content.formats import DetectedFormat, detect_format, format_named_by, name_fits


@dataclass(frozen=True)
class ContentLimits:
    max_unpacked_bytes: int = 1024 * 1024 * 1024  # all parts of an office file together
    max_compression_ratio: float = 100.0
    # Below this an office file cannot hurt, however well it compresses (its styles and
    # repeated cells often do, many times over).
    compression_ratio_applies_above: int = 64 * 1024 * 1024
    max_archive_entries: int = 10_000
    # An A0 drawing scanned at 300 dpi has 140 million pixels.
    max_image_pixels: int = 150_000_000  # in one page or frame
    max_image_frames: int = 2_000


DEFAULT_LIMITS = ContentLimits()


def inspect_upload(
    path: Path, filename: str, allowed_formats: Collection[str], limits: ContentLimits = DEFAULT_LIMITS
) -> DetectedFormat:
    """The format of an uploaded file, or the ContentRejected that says why it cannot be kept."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise EmptyFile()
    detected = detect_format(path)
    if not name_fits(filename, detected):
        raise NameContradictsContent(filename, format_named_by(filename).label, detected.label)
    if detected.name not in allowed_formats:
        raise FormatNotAllowed(detected.label, allowed_formats)
    check = _SAFETY_CHECKS.get(detected.name)
    if check is not None:
        check(path, limits)
    return detected


def check_pdf(path: Path, limits: ContentLimits) -> None:
    # Opening reads the cross-reference table and the page tree, not the pages' content;
    # pypdf caps what any one stream it does inflate may grow to.
    with path.open("rb") as file:
        try:
            reader = PdfReader(file)
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise EncryptedFile("the PDF is protected by a password; upload it without the password")
            pages = len(reader.pages)
        except EncryptedFile:
            raise
        except NotImplementedError as error:
            # pypdf knows only the standard security handler: certificates and DRM plug-ins are others.
            raise EncryptedFile(f"the PDF is encrypted in a way that cannot be opened here ({error})") from None
        # pypdf raises many kinds of error on broken input, not only PdfReadError.
        except Exception as error:
            raise CorruptFile(f"the PDF is damaged and cannot be read ({error})") from None
    if pages == 0:
        raise CorruptFile("the PDF has no pages")


def check_office_file(path: Path, limits: ContentLimits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            encrypted = packages.odf_is_encrypted(archive)
    except packages.UNREADABLE as error:
        raise CorruptFile(f"the document's ZIP structure cannot be read ({error})") from None
    if encrypted:
        raise EncryptedFile("the document is protected by a password; remove the password and upload it again")
    if len(entries) > limits.max_archive_entries:
        raise DecompressionBomb(
            f"the document has {len(entries)} parts; at most {limits.max_archive_entries} are accepted"
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limits.max_unpacked_bytes:
        raise DecompressionBomb(
            f"the document unpacks to {_megabytes(unpacked)}; at most {_megabytes(limits.max_unpacked_bytes)} is accepted"
        )
    ratio = unpacked / path.stat().st_size
    if unpacked > limits.compression_ratio_applies_above and ratio > limits.max_compression_ratio:
        raise DecompressionBomb(
            f"the document unpacks to {ratio:.0f} times its size ({_megabytes(unpacked)}); "
            f"at most {limits.max_compression_ratio:.0f} times is accepted"
        )


def check_image(path: Path, limits: ContentLimits) -> None:
    try:
        with Image.open(path) as image:  # reads the header; pixels are decoded only on load()
            if image.format == "TIFF":
                _check_tiff_pages(image, limits)
            else:
                _check_frame(image, limits)
                frames = getattr(image, "n_frames", 1)  # an animated PNG's, from its header
                if frames > limits.max_image_frames:
                    raise DecompressionBomb(f"the image has {frames} frames; at most {limits.max_image_frames} are accepted")
    except Image.DecompressionBombError as error:
        raise DecompressionBomb(f"the image is too large to process safely ({error})") from None
    except (OSError, SyntaxError, ValueError) as error:
        # Pillow reports a damaged header as any of these.
        raise CorruptFile(f"the image is damaged and cannot be read ({error})") from None


def _check_tiff_pages(image: Image.Image, limits: ContentLimits) -> None:
    # Moving to a TIFF page reads its directory entry, not its pixels.
    page = 0
    while True:
        _check_frame(image, limits)
        page += 1
        try:
            image.seek(page)
        except EOFError:
            return
        if page >= limits.max_image_frames:
            raise DecompressionBomb(f"the TIFF has more than {limits.max_image_frames} pages; that many are not accepted")


def _check_frame(image: Image.Image, limits: ContentLimits) -> None:
    width, height = image.size
    if width * height > limits.max_image_pixels:
        raise DecompressionBomb(
            f"the image is {width} × {height} pixels ({width * height / 1e6:.0f} million); "
            f"at most {limits.max_image_pixels / 1e6:.0f} million are accepted"
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


_SAFETY_CHECKS: dict[str, Callable[[Path, ContentLimits], None]] = {
    "pdf": check_pdf,
    "docx": check_office_file,
    "odt": check_office_file,
    "xlsx": check_office_file,
    "png": check_image,
    "jpeg": check_image,
    "tiff": check_image,
}
