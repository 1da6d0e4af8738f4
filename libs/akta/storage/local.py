"""The blob store as a directory tree, for embedded mode."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from akta.storage.blobs import BlobInfo, StoredBlob
from akta.storage.digests import hash_file, hash_stream
from akta.storage.errors import BlobNotFound, BlobStoreUnavailable, StoreKeptOtherBytes
from akta.storage.keys import blob_key, check_sha256, check_tenant_id, parse_blob_key


class LocalBlobStore:
    """Blobs as files under `root`, at the same relative paths as the S3 keys.

    A new blob is copied to a temporary file in its final directory while being hashed, fsynced,
    checked against the expected SHA-256 and only then renamed into place. Readers therefore
    never see a partial or wrong blob, and a crash leaves at most a hidden `.tmp` file, which
    `iter_blobs` ignores.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def put_file(self, tenant_id: str, path: Path, sha256: str | None = None) -> StoredBlob:
        """Store the file's bytes under their SHA-256, once per tenant; see `BlobStore.put_file`."""
        check_tenant_id(tenant_id)
        if sha256 is not None:
            check_sha256(sha256)
        digest = hash_file(path, sha256)
        target = self.root / blob_key(tenant_id, digest.sha256)
        if target.exists():
            return StoredBlob(tenant_id, digest.sha256, digest.size, newly_stored=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{digest.sha256}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as copy, path.open("rb") as source:
                copied = hash_stream(source, into=copy)
                copy.flush()
                os.fsync(copy.fileno())
            if copied.sha256 != digest.sha256:
                raise StoreKeptOtherBytes(
                    digest.sha256, copied.sha256, f"the copy of {path.name}, which changed while being stored,"
                )
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_directory(target.parent)
        return StoredBlob(tenant_id, digest.sha256, digest.size, newly_stored=True)

    def open(self, tenant_id: str, sha256: str) -> BinaryIO:
        """The blob's file opened for reading; BlobNotFound if there is none."""
        try:
            return (self.root / blob_key(tenant_id, sha256)).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(tenant_id, sha256) from None

    def stat(self, tenant_id: str, sha256: str) -> BlobInfo | None:
        try:
            size = (self.root / blob_key(tenant_id, sha256)).stat().st_size
        except FileNotFoundError:
            return None
        return BlobInfo(tenant_id, sha256, size)

    def delete(self, tenant_id: str, sha256: str) -> None:
        """Remove the blob's file if there is one."""
        (self.root / blob_key(tenant_id, sha256)).unlink(missing_ok=True)

    def iter_blobs(self, tenant_id: str | None = None) -> Iterator[BlobInfo]:
        """Every blob file of one tenant or of all; stray files in the tree are skipped."""
        tenants = "*" if tenant_id is None else check_tenant_id(tenant_id)
        for path in self.root.glob(f"{tenants}/sha256/*/*/*"):
            parsed = parse_blob_key(path.relative_to(self.root).as_posix())
            if parsed is None:
                continue
            try:
                size = path.stat().st_size
            except FileNotFoundError:  # deleted while we were listing
                continue
            yield BlobInfo(parsed[0], parsed[1], size)

    def check(self) -> None:
        """Raise BlobStoreUnavailable unless the root directory exists (it is created) and is writable."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise BlobStoreUnavailable(
                f"the blob directory {self.root} cannot be created: {error}"
            ) from error
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise BlobStoreUnavailable(f"the blob directory {self.root} is not writable")


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable, not only the file's bytes.
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
