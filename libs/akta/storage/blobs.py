"""The blob store port: content-addressed bytes per tenant, one interface for a local directory
and for S3/MinIO, both run against one contract test suite."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol


@dataclass(frozen=True)
class BlobInfo:
    tenant_id: str
    sha256: str
    size: int


@dataclass(frozen=True)
class StoredBlob:
    tenant_id: str
    sha256: str
    size: int
    newly_stored: bool  # False when the tenant already had these bytes


class BlobStore(Protocol):
    def put_file(self, tenant_id: str, path: Path, sha256: str | None = None) -> StoredBlob:
        """Store the file's bytes under their SHA-256, once per tenant.

        Raises ChecksumMismatch (and stores nothing) when `sha256` is given and the bytes differ.
        """
        ...

    def open(self, tenant_id: str, sha256: str) -> BinaryIO:
        """A readable binary stream of the blob, to be closed (use it as a context manager).

        Raises BlobNotFound when the tenant has no such blob.
        """
        ...

    def stat(self, tenant_id: str, sha256: str) -> BlobInfo | None:
        """The blob's size, or None when the tenant has no such blob."""
        ...

    def delete(self, tenant_id: str, sha256: str) -> None:
        """Remove the blob; nothing happens if it is already gone."""
        ...

    def iter_blobs(self, tenant_id: str | None = None) -> Iterator[BlobInfo]:
        """Every blob of one tenant, or of all tenants, in no particular order."""
        ...

    def check(self) -> None:
        """Readiness probe: raise BlobStoreUnavailable unless the store can be used now.

        Creates the directory or bucket when it is missing.
        """
        ...
