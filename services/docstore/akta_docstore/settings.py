from typing import Literal

from pydantic import Field

from akta.settings import ServiceSettings
from akta_docstore.content.inspection import ContentLimits

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
    content_max_unpacked_bytes: int = Field(
        default=1024 * 1024 * 1024, description="An office file unpacking to more (all its parts together) is refused."
    )
    content_max_compression_ratio: float = Field(
        default=100.0, description="An office file over 64 MiB unpacked that compresses better than this is refused."
    )
    content_max_archive_entries: int = Field(default=10_000, description="An office file of more parts is refused.")
    content_max_image_pixels: int = Field(
        default=150_000_000, description="An image (or a page of a TIFF) of more pixels is refused."
    )
    content_max_image_frames: int = Field(default=2_000, description="An image of more frames or pages is refused.")
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

    def content_limits(self) -> ContentLimits:
        return ContentLimits(
            max_unpacked_bytes=self.content_max_unpacked_bytes,
            max_compression_ratio=self.content_max_compression_ratio,
            max_archive_entries=self.content_max_archive_entries,
            max_image_pixels=self.content_max_image_pixels,
            max_image_frames=self.content_max_image_frames,
        )
