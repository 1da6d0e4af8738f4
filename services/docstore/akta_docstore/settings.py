from typing import Literal

from pydantic import Field

from akta.settings import ServiceSettings

SUPPORTED_FORMATS = ("pdf", "docx", "odt", "xlsx", "txt", "eml", "msg", "png", "jpeg", "tiff")


class DocstoreSettings(ServiceSettings):
    service_name = "docstore"

    blob_store_url: str | None = Field(
        default=None,
        description="Where document bytes live: s3://KEY:SECRET@host:port/bucket?secure=false for MinIO/S3, "
        "file:///path for a directory; embedded default is data_dir/blobs.",
    )
    search_url: str | None = Field(
        default=None,
        description="https://user:pass@host:9200 for OpenSearch; empty for the built-in engine in the service's database.",
    )
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, description="Larger uploads are refused with 413.")
    default_allowed_formats: tuple[str, ...] = Field(
        default=SUPPORTED_FORMATS, description="Formats an organisation accepts until its administrator sets a list."
    )
    case_wait_seconds: float = Field(
        default=5.0, description="How long an upload to a case waits for the case to reach docstore's copy."
    )
    rendition_threads: int = Field(default=1, description="Renditions made at once in one worker process.")
    rendition_max_attempts: int = Field(default=3, description="Attempts before a rendition is marked failed for good.")
    rendition_retry_seconds: float = Field(default=30.0, description="Wait before the first retry; doubles each time.")
    rendition_timeout_seconds: float = Field(default=300.0, description="A conversion taking longer is killed.")
    rendition_idle_seconds: float = Field(default=1.0, description="How often the rendition loop looks for work when idle.")
    converter_path: str | None = Field(
        default=None,
        description="PATH the conversion programs (ocrmypdf, tesseract, soffice, pdftoppm) are looked up in; "
        "default the process's.",
    )
    ocr_languages: tuple[str, ...] = Field(default=("dan", "nor", "eng"), description="Tesseract languages for OCR.")
    search_language: Literal["danish", "norwegian"] = Field(
        default="danish", description="Stemming of the built-in engine and OpenSearch analyzers for this installation."
    )
    index_text_max_characters: int = Field(default=1_000_000, description="Text beyond this is not indexed.")
