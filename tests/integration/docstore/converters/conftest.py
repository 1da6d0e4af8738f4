"""The converters run the system's programs (make system-packages): a test whose programs are
missing skips, or fails under AKTA_REQUIRE_SERVICES=1. Also what the tests read from the
converters' outputs and from the running processes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import unavailable
from tests.support.samples import FONT

PDFA_NAMESPACE = "http://www.aiim.org/pdfa/ns/id/"
RDF_NAMESPACE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def require_programs(*names: str) -> None:
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        unavailable(f"not installed: {', '.join(missing)} (make system-packages)")


@pytest.fixture(autouse=True)
def font_installed() -> None:
    """Every sample is drawn or laid out with it."""
    if not FONT.exists():
        unavailable(f"{FONT} is absent (make system-packages installs fonts-dejavu-core)")


@pytest.fixture
def ocr_installed() -> None:
    require_programs("ocrmypdf", "tesseract", "gs")
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False)
    missing = {"dan", "nor", "eng"} - set(listed.stdout.split())
    if missing:
        unavailable(f"Tesseract has no language data for {', '.join(sorted(missing))} (make system-packages)")


@pytest.fixture
def libreoffice_installed() -> None:
    require_programs("soffice")


@pytest.fixture
def pdftoppm_installed() -> None:
    require_programs("pdftoppm")


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    path = tmp_path / "in"
    path.mkdir()
    return path


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    """Where a test's converter writes, and nothing else: a failure must leave it empty."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def pdf_facts(path: Path) -> tuple[bytes, int, str]:
    """The first bytes, the page count and the text layer of a PDF."""
    reader = PdfReader(path)
    return path.read_bytes()[:5], len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def pdfa_part(path: Path) -> str | None:
    """The PDF/A part the XMP metadata claims ("2" for PDF/A-2), written as element or attribute."""
    metadata = PdfReader(path).xmp_metadata
    if metadata is None:
        return None
    for element in metadata.rdf_root.getElementsByTagNameNS(PDFA_NAMESPACE, "part"):
        return element.firstChild.data
    for description in metadata.rdf_root.getElementsByTagNameNS(RDF_NAMESPACE, "Description"):
        if description.hasAttributeNS(PDFA_NAMESPACE, "part"):
            return description.getAttributeNS(PDFA_NAMESPACE, "part")
    return None


def processes_mentioning(text: str) -> list[str]:
    """Command lines of running processes that mention `text` (a test's own directory)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or entry.name == str(os.getpid()):
            continue
        try:
            command_line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command_line:
            found.append(command_line)
    return found
