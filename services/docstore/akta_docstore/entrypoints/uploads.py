"""Taking an upload off the wire: streamed to a local file while hashed and counted, never held
in memory, refused with 413 as soon as it passes the limit.

Two ways to send bytes: `multipart/form-data` with the file in a part named `file` (browsers,
with the metadata as the other form fields), or the raw bytes as the body with the name in
`Content-Disposition: attachment; filename*=UTF-8''…` or the `filename` query parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import request
from werkzeug.http import parse_options_header

from akta.errors import AktaError, InvalidField
from akta.storage import BlobTooLarge, spool_upload
from akta_docstore.service_layer.handlers import Upload


class ContentTooLarge(AktaError):
    status = 413
    title = "Content too large"
    problem_type = "urn:akta:problem:too-large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"the file is larger than this installation's limit of {limit} bytes", field="file", limit=limit)


def is_multipart() -> bool:
    return request.mimetype == "multipart/form-data"


@contextmanager
def received_upload(spool_directory: Path, limit: int) -> Iterator[Upload]:
    """The request's file, spooled; the spooled copy is removed when the block ends."""
    if request.content_length is not None and request.content_length > limit + (64 * 1024 if is_multipart() else 0):
        raise ContentTooLarge(limit)
    spool_directory.mkdir(parents=True, exist_ok=True)
    if is_multipart():
        part = request.files.get("file")
        if part is None:
            raise InvalidField("file", "send the file in a multipart part named 'file'")
        stream, filename = part.stream, part.filename or ""
    else:
        stream, filename = request.stream, _filename_from_headers()
    try:
        spooled = spool_upload(stream, spool_directory, limit)
    except BlobTooLarge:
        raise ContentTooLarge(limit) from None
    try:
        yield Upload(spooled, filename)
    finally:
        spooled.path.unlink(missing_ok=True)


def _filename_from_headers() -> str:
    disposition = request.headers.get("Content-Disposition")
    if disposition:
        _, options = parse_options_header(disposition)
        if options.get("filename"):
            return options["filename"]
    name = request.args.get("filename")
    if name:
        return name
    raise InvalidField("filename", "name the file: Content-Disposition: attachment; filename=… or ?filename=…")
