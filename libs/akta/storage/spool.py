"""Receiving an upload: the request body copied to a temporary file, hashed and size-limited."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from akta.storage.digests import hash_stream


@dataclass(frozen=True)
class SpooledFile:
    """An upload on disk with its SHA-256 and size; the caller discards it when done with it,
    e.g. by using it as a context manager."""

    path: Path
    sha256: str
    size: int

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> SpooledFile:
        return self

    def __exit__(self, *_exc_info) -> None:
        self.discard()


def spool_upload(stream: BinaryIO, directory: Path, max_bytes: int) -> SpooledFile:
    """Copy `stream` (e.g. a WSGI request body) to a new file in `directory`, in chunks, hashing
    and counting as it goes.

    Raises BlobTooLarge as soon as more than `max_bytes` bytes arrive. On that or any other error
    the partial file is deleted.
    """
    handle, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=directory)
    try:
        with os.fdopen(handle, "wb") as target:
            digest = hash_stream(stream, into=target, max_bytes=max_bytes)
    except BaseException:
        os.unlink(name)
        raise
    return SpooledFile(Path(name), digest.sha256, digest.size)
