"""The blob store in S3 or MinIO through the minio client, for real mode."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import urllib3
from minio import Minio
from minio.error import MinioException, S3Error
from minio.helpers import check_bucket_name

from akta.storage.blobs import BlobInfo, StoredBlob
from akta.storage.digests import CHUNK_SIZE, Digest, hash_file, hash_stream
from akta.storage.errors import BlobNotFound, BlobStoreUnavailable, StoreKeptOtherBytes
from akta.storage.keys import blob_key, check_sha256, check_tenant_id, parse_blob_key, tenant_prefix

_MISSING = {"NoSuchKey", "NoSuchBucket"}


class S3BlobStore:
    """Blobs as objects in one bucket, keyed `<tenant_id>/sha256/<ab>/<cd>/<sha256>`.

    Writes are verified by reading back: after the upload the object is downloaded and hashed,
    and if its bytes are not the expected ones it is removed and StoreKeptOtherBytes is raised. That
    costs a second transfer, but checks what the store really holds, with any S3 server. The
    alternatives do not: the client signs the payload's hash only over plain HTTP, and the
    `x-amz-checksum-sha256` header is not checked by every server (moto ignores it) and covers
    single parts, not the object, in a multipart upload.

    Nothing is contacted on construction. The bucket is created, when missing, by `check()` and
    by the first `put_file`. Every failure to reach or use the server is BlobStoreUnavailable.
    """

    def __init__(
        self,
        endpoint: str,
        access_key: str | None,
        secret_key: str | None,
        bucket: str,
        *,
        secure: bool = True,
        region: str | None = None,
    ) -> None:
        check_bucket_name(bucket, strict=True)
        self.endpoint = endpoint
        self.bucket = bucket
        self.client = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=_http_client(),
        )
        self._bucket_ready = False

    def put_file(self, tenant_id: str, path: Path, sha256: str | None = None) -> StoredBlob:
        """Store the file's bytes under their SHA-256, once per tenant; see `BlobStore.put_file`."""
        check_tenant_id(tenant_id)
        if sha256 is not None:
            check_sha256(sha256)
        digest = hash_file(path, sha256)
        key = blob_key(tenant_id, digest.sha256)
        with _reaching(self.endpoint):
            if not self._bucket_ready:
                self._create_bucket_if_missing()
            if self._object_size(key) is not None:
                return StoredBlob(tenant_id, digest.sha256, digest.size, newly_stored=False)
            with path.open("rb") as source:
                # One part at a time: the client holds each part in memory, and with several
                # upload threads it queues parts without bound, i.e. reads the whole file.
                self.client.put_object(self.bucket, key, source, digest.size, num_parallel_uploads=1)
            stored = self._read_back(key)
            if stored != digest:
                self.client.remove_object(self.bucket, key)
                raise StoreKeptOtherBytes(digest.sha256, stored.sha256, "the object read back from the store")
        return StoredBlob(tenant_id, digest.sha256, digest.size, newly_stored=True)

    def open(self, tenant_id: str, sha256: str) -> BinaryIO:
        """The object's bytes streamed from the server; closing the stream releases the connection."""
        key = blob_key(tenant_id, sha256)
        with _reaching(self.endpoint):
            try:
                response = self.client.get_object(self.bucket, key)
            except S3Error as error:
                if error.code in _MISSING:
                    raise BlobNotFound(tenant_id, sha256) from None
                raise
        return io.BufferedReader(_ObjectReader(response, self.endpoint), CHUNK_SIZE)

    def stat(self, tenant_id: str, sha256: str) -> BlobInfo | None:
        key = blob_key(tenant_id, sha256)
        with _reaching(self.endpoint):
            size = self._object_size(key)
        return None if size is None else BlobInfo(tenant_id, sha256, size)

    def delete(self, tenant_id: str, sha256: str) -> None:
        """Remove the object if there is one."""
        key = blob_key(tenant_id, sha256)
        with _reaching(self.endpoint):
            try:
                self.client.remove_object(self.bucket, key)
            except S3Error as error:
                if error.code not in _MISSING:
                    raise

    def iter_blobs(self, tenant_id: str | None = None) -> Iterator[BlobInfo]:
        """Every blob object of one tenant or of all; other objects in the bucket are skipped."""
        prefix = None if tenant_id is None else tenant_prefix(tenant_id)
        with _reaching(self.endpoint):
            try:
                for item in self.client.list_objects(self.bucket, prefix=prefix, recursive=True):
                    parsed = parse_blob_key(item.object_name)
                    if parsed is not None:
                        yield BlobInfo(parsed[0], parsed[1], item.size)
            except S3Error as error:
                if error.code != "NoSuchBucket":
                    raise

    def check(self) -> None:
        """Raise BlobStoreUnavailable unless the server answers; create the bucket if it is missing."""
        with _reaching(self.endpoint):
            self._create_bucket_if_missing()

    def _create_bucket_if_missing(self) -> None:
        if not self.client.bucket_exists(self.bucket):
            try:
                self.client.make_bucket(self.bucket)
            except S3Error as error:
                if error.code != "BucketAlreadyOwnedByYou":  # else another process was quicker
                    raise
        self._bucket_ready = True

    def _object_size(self, key: str) -> int | None:
        try:
            return self.client.stat_object(self.bucket, key).size
        except S3Error as error:
            if error.code in _MISSING:
                return None
            raise

    def _read_back(self, key: str) -> Digest:
        response = self.client.get_object(self.bucket, key)
        try:
            return hash_stream(response)
        finally:
            response.close()
            response.release_conn()


class _ObjectReader(io.RawIOBase):
    """A GET response as a raw stream; closing it gives the connection back to the pool."""

    def __init__(self, response: urllib3.BaseHTTPResponse, endpoint: str) -> None:
        super().__init__()
        self._response = response
        self._endpoint = endpoint

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        with _reaching(self._endpoint):
            return self._response.readinto(buffer)

    def close(self) -> None:
        if not self.closed:
            self._response.close()
            self._response.release_conn()
        super().close()


@contextmanager
def _reaching(endpoint: str) -> Iterator[None]:
    try:
        yield
    except S3Error as error:
        raise BlobStoreUnavailable(
            f"the object store at {endpoint} refused: {error.code}: {error.message}"
        ) from error
    except (MinioException, urllib3.exceptions.HTTPError) as error:
        raise BlobStoreUnavailable(f"the object store at {endpoint} cannot be reached: {error}") from error


def _http_client() -> urllib3.PoolManager:
    # The client's default waits five minutes to connect and retries five times; a readiness
    # probe or a request must fail within seconds when the store is down. TLS is verified
    # against the system's CA store, where operators put the CA of a private MinIO.
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=5, read=60),
        maxsize=10,
        retries=urllib3.Retry(total=3, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
    )
