"""The blob stores the contract suite runs against: a local directory; moto's S3 server, always
(it is installed with the test requirements, so it never skips); and a real MinIO when
AKTA_TEST_MINIO_URL is set, e.g. `s3://minioadmin:minioadmin@127.0.0.1:9000?secure=false`
(each test uses a bucket of its own, created and removed, whatever bucket the URL names)."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from minio.error import S3Error

from akta.storage.blobs import BlobStore
from akta.storage.config import blob_store_from_url
from akta.storage.errors import BlobStoreUnavailable
from akta.storage.local import LocalBlobStore
from akta.storage.s3 import S3BlobStore
from tests.conftest import unavailable
from tests.support.processes import Processes, base_environment, free_port

MINIO_URL = os.environ.get("AKTA_TEST_MINIO_URL")


class LocalBackend:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.store = LocalBlobStore(directory / "blobs")

    def write_behind_the_stores_back(self, key: str, data: bytes) -> None:
        path = self.store.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def everything_under(self, tenant_id: str) -> list[str]:
        """Every file under the tenant's directory, blob or not."""
        root = self.store.root
        return sorted(
            path.relative_to(root).as_posix() for path in (root / tenant_id).rglob("*") if path.is_file()
        )

    def new_store(self) -> BlobStore:
        return LocalBlobStore(self.directory / f"other-{uuid.uuid4().hex[:8]}" / "blobs")

    def unreachable_store(self) -> BlobStore:
        blocker = self.directory / "a-file"
        blocker.write_text("the blob directory cannot be created under a file")
        return LocalBlobStore(blocker / "blobs")

    def close(self) -> None:
        pass


class S3Backend:
    """A fresh bucket per test on the server `url` points at."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stores: list[S3BlobStore] = []
        self.store = self.new_store()

    @property
    def client(self):
        return self.store.client

    def write_behind_the_stores_back(self, key: str, data: bytes) -> None:
        self.client.put_object(self.store.bucket, key, io.BytesIO(data), len(data))

    def everything_under(self, tenant_id: str) -> list[str]:
        objects = self.client.list_objects(self.store.bucket, prefix=f"{tenant_id}/", recursive=True)
        try:
            return sorted(item.object_name for item in objects)
        except S3Error as error:
            if error.code == "NoSuchBucket":  # nothing was ever written
                return []
            raise

    def new_store(self) -> S3BlobStore:
        bucket = f"akta-test-{uuid.uuid4().hex[:12]}"
        store = blob_store_from_url(urlsplit(self.url)._replace(path=f"/{bucket}").geturl(), Path("unused"))
        assert isinstance(store, S3BlobStore)
        self.stores.append(store)
        return store

    def unreachable_store(self) -> BlobStore:
        return S3BlobStore(f"127.0.0.1:{free_port()}", "key", "secret", "akta-test-unreachable", secure=False)

    def close(self) -> None:
        for store in self.stores:
            try:
                for item in store.client.list_objects(store.bucket, recursive=True):
                    store.client.remove_object(store.bucket, item.object_name)
                store.client.remove_bucket(store.bucket)
            except S3Error as error:
                if error.code != "NoSuchBucket":
                    raise


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory) -> Iterator[str]:
    """moto's S3 server on a free port for the whole session, as a blob store URL without bucket."""
    port = free_port()
    processes = Processes(tmp_path_factory.mktemp("moto"))
    processes.start("moto", ["moto_server", "-H", "127.0.0.1", "-p", str(port)], base_environment())
    try:
        processes.wait_ready(f"http://127.0.0.1:{port}/", timeout=60)
        yield f"s3://test:test@127.0.0.1:{port}/?secure=false&region=us-east-1"
    finally:
        processes.stop_all()


@pytest.fixture(params=["local", "moto", "minio"])
def backend(request, tmp_path):
    """One blob store to run a contract test against, with ways to reach around it."""
    if request.param == "local":
        backend = LocalBackend(tmp_path)
    elif request.param == "moto":
        backend = S3Backend(request.getfixturevalue("moto_url"))
    else:
        if not MINIO_URL:
            pytest.skip("AKTA_TEST_MINIO_URL is not set, so there is no real MinIO to test against")
        backend = S3Backend(MINIO_URL)
        try:
            backend.store.check()
        except BlobStoreUnavailable as error:
            unavailable(f"MinIO is not reachable: {error}")
    yield backend
    backend.close()
