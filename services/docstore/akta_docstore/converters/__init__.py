"""The converters the rendition workers call: OCR to a searchable PDF, office files to PDF/A, a
PNG preview of the first page.

Plain functions over files on disk. They run the system's programs (ocrmypdf with Tesseract,
LibreOffice, pdftoppm), each in its own process group with a timeout, in a scratch directory
beside the output; the output appears whole or not at all. Every failure is `ConversionFailed`
with a reason a person can act on. `environment` (default: this process's) is what the programs
run with; its PATH decides which programs are found.
"""

from akta_docstore.converters.errors import ConversionFailed
from akta_docstore.converters.ocr import ocr_to_searchable_pdf
from akta_docstore.converters.office import convert_to_pdfa
from akta_docstore.converters.preview import render_preview_png

__all__ = ["ConversionFailed", "convert_to_pdfa", "ocr_to_searchable_pdf", "render_preview_png"]
