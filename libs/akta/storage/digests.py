"""SHA-256 and size of streams and files, read in chunks so that no file is held in memory whole."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from akta.storage.errors import BlobTooLarge, ChecksumMismatch

CHUNK_SIZE = 1024 * 1024


@dataclass(frozen=True)
class Digest:
    sha256: str
    size: int


def hash_stream(source: BinaryIO, into: BinaryIO | None = None, max_bytes: int | None = None) -> Digest:
    """Read `source` to its end, hashing and counting, and write what was read to `into` if given.

    Raises BlobTooLarge as soon as more than `max_bytes` bytes have been read: never more than one
    byte past the limit is read from `source`.
    """
    hasher = hashlib.sha256()
    size = 0
    while True:
        wanted = CHUNK_SIZE if max_bytes is None else min(CHUNK_SIZE, max_bytes - size + 1)
        chunk = source.read(wanted)
        if not chunk:
            return Digest(hasher.hexdigest(), size)
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise BlobTooLarge(max_bytes)
        hasher.update(chunk)
        if into is not None:
            into.write(chunk)


def hash_file(path: Path, expected_sha256: str | None = None) -> Digest:
    """The file's digest; ChecksumMismatch if `expected_sha256` is given and differs."""
    with path.open("rb") as source:
        digest = hash_stream(source)
    if expected_sha256 is not None and digest.sha256 != expected_sha256:
        raise ChecksumMismatch(expected_sha256, digest.sha256)
    return digest
