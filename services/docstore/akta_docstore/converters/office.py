"""Office files (DOCX, ODT, XLSX) to PDF/A with LibreOffice headless."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from akta_docstore.converters.errors import ConversionFailed
from akta_docstore.converters.programs import Environment, find_program, last_line, program_environment, run
from akta_docstore.converters.workspace import scratch_directory

# PDF/A-2b. LibreOffice applies Writer's export filter to spreadsheets too.
PDFA_EXPORT = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'


def convert_to_pdfa(
    input_path: Path,
    output_path: Path,
    timeout_seconds: float = 300.0,
    *,
    environment: Environment | None = None,
) -> None:
    """Write a PDF/A-2b of an office file to `output_path`. LibreOffice recognises the format
    from the bytes, so the input's name needs no extension."""
    soffice = find_program("soffice", environment, "LibreOffice")
    output_path = Path(output_path)
    with scratch_directory(output_path) as scratch:
        # LibreOffice names its output after the input and puts a lock file beside it: a copy
        # under a plain name keeps both inside the scratch directory.
        document = scratch / f"document{Path(input_path).suffix}"
        shutil.copyfile(input_path, document)
        command = [
            soffice, "--headless", "--norestore", "--nolockcheck", "--nologo", "--nodefault",
            # A profile of its own: LibreOffice hands work to a running instance that shares its
            # profile, so parallel conversions would fight over one.
            f"-env:UserInstallation={(scratch / 'profile').as_uri()}",
            "--convert-to", PDFA_EXPORT, "--outdir", str(scratch / "out"), str(document),
        ]
        finished = run(command, timeout_seconds, program_environment(environment, scratch), "LibreOffice")
        produced = scratch / "out" / "document.pdf"
        if finished.exit_code != 0:
            raise ConversionFailed(
                f"LibreOffice failed with exit code {finished.exit_code}: {last_line(finished.stderr)}"
            )
        if not produced.exists():
            # It exits with 0 when it cannot load the file, and only says so.
            raise ConversionFailed(f"LibreOffice could not convert the file: {last_line(finished.stderr)}")
        os.replace(produced, output_path)
