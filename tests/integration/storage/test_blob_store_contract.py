"""One contract for every blob store: a local directory, moto's S3 server and (when configured)
a real MinIO run the same tests through the `backend` fixture."""

import hashlib
import os
import tracemalloc
import uuid
from pathlib import Path

import pytest

from akta.storage import (
    BlobInfo,
    BlobNotFound,
    BlobStoreUnavailable,
    ChecksumMismatch,
    ExpectedBlob,
    FixityMismatch,
    InvalidBlobKey,
    StoredBlob,
    verify_fixity,
)
from akta.storage.keys import blob_key

pytestmark = pytest.mark.integration

MIB = 1024 * 1024


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_with(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def put(backend, tenant_id: str, directory: Path, data: bytes) -> BlobInfo:
    stored = backend.store.put_file(tenant_id, file_with(directory / uuid.uuid4().hex, data))
    return BlobInfo(stored.tenant_id, stored.sha256, stored.size)


def new_tenant() -> str:
    return str(uuid.uuid4())


def test_a_multi_megabyte_file_goes_in_and_streams_back_in_chunks(backend, tenant_id, tmp_path):
    source = tmp_path / "scan.pdf"
    hasher = hashlib.sha256()
    with source.open("wb") as out:
        for _ in range(32):  # several parts of an S3 multipart upload
            chunk = os.urandom(MIB)
            hasher.update(chunk)
            out.write(chunk)
    size, sha256 = 32 * MIB, hasher.hexdigest()

    tracemalloc.start()
    try:
        stored = backend.store.put_file(tenant_id, source)
        read_back, largest_read = hashlib.sha256(), 0
        with backend.store.open(tenant_id, sha256) as stream:
            while chunk := stream.read(64 * 1024):
                read_back.update(chunk)
                largest_read = max(largest_read, len(chunk))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert stored == StoredBlob(tenant_id, sha256, size, newly_stored=True)
    assert read_back.hexdigest() == sha256
    assert largest_read == 64 * 1024
    assert peak < size / 2, f"{peak / MIB:.1f} MiB held in memory at once for a {size // MIB} MiB file"
    assert backend.store.stat(tenant_id, sha256) == BlobInfo(tenant_id, sha256, size)


def test_the_same_bytes_are_stored_once(backend, tenant_id, tmp_path):
    data = b"minutes of the school board, 3 March"
    first = backend.store.put_file(tenant_id, file_with(tmp_path / "a.txt", data), sha256_of(data))
    again = backend.store.put_file(tenant_id, file_with(tmp_path / "b.txt", data))

    assert first.newly_stored and not again.newly_stored
    assert (again.sha256, again.size) == (sha256_of(data), len(data))
    assert backend.everything_under(tenant_id) == [blob_key(tenant_id, sha256_of(data))]


def test_a_wrong_checksum_is_refused_and_nothing_is_left_behind(backend, tenant_id, tmp_path):
    data, claimed = b"the real content", sha256_of(b"what the client said it sent")

    with pytest.raises(ChecksumMismatch) as raised:
        backend.store.put_file(tenant_id, file_with(tmp_path / "upload", data), claimed)

    assert (raised.value.expected, raised.value.actual) == (claimed, sha256_of(data))
    assert backend.everything_under(tenant_id) == []
    assert backend.store.stat(tenant_id, claimed) is None
    assert backend.store.stat(tenant_id, sha256_of(data)) is None


def test_a_wrong_checksum_is_refused_even_when_the_claimed_blob_exists(backend, tenant_id, tmp_path):
    stored = put(backend, tenant_id, tmp_path, b"first document")

    with pytest.raises(ChecksumMismatch):
        backend.store.put_file(tenant_id, file_with(tmp_path / "other", b"other document"), stored.sha256)


def test_tenants_never_share_a_blob(backend, tmp_path):
    tenant_a, tenant_b = new_tenant(), new_tenant()
    data = b"a decision about a pupil"
    blob = put(backend, tenant_a, tmp_path, data)

    with pytest.raises(BlobNotFound):
        backend.store.open(tenant_b, blob.sha256)
    assert backend.store.stat(tenant_b, blob.sha256) is None
    assert list(backend.store.iter_blobs(tenant_b)) == []
    backend.store.delete(tenant_b, blob.sha256)
    assert backend.store.stat(tenant_a, blob.sha256) == blob

    again = backend.store.put_file(tenant_b, file_with(tmp_path / "same", data))
    assert again.newly_stored  # the same bytes, but B gets its own copy
    assert backend.everything_under(tenant_b) == [blob_key(tenant_b, blob.sha256)]


def test_delete_is_idempotent(backend, tenant_id, tmp_path):
    blob = put(backend, tenant_id, tmp_path, b"to be disposed of")

    backend.store.delete(tenant_id, blob.sha256)
    backend.store.delete(tenant_id, blob.sha256)
    backend.store.delete(tenant_id, sha256_of(b"never stored"))

    assert backend.store.stat(tenant_id, blob.sha256) is None
    with pytest.raises(BlobNotFound):
        backend.store.open(tenant_id, blob.sha256)
    assert backend.everything_under(tenant_id) == []


def test_blobs_are_listed_per_tenant_and_stray_objects_are_not_blobs(backend, tmp_path):
    tenant_a, tenant_b = new_tenant(), new_tenant()
    a_blobs = {put(backend, tenant_a, tmp_path, data) for data in (b"one", b"two")}
    b_blobs = {put(backend, tenant_b, tmp_path, b"three")}
    stray = sha256_of(b"stray")
    backend.write_behind_the_stores_back(f"{tenant_a}/sha256/{stray[:2]}/{stray[2:4]}/notes.txt", b"x")
    backend.write_behind_the_stores_back(f"{tenant_a}/sha256/00/00/{stray}", b"misplaced")

    assert set(backend.store.iter_blobs(tenant_a)) == a_blobs
    assert set(backend.store.iter_blobs(tenant_b)) == b_blobs
    assert set(backend.store.iter_blobs()) == a_blobs | b_blobs
    assert list(backend.store.iter_blobs(new_tenant())) == []


def test_fixity_finds_damaged_and_missing_blobs(backend, tenant_id, tmp_path):
    intact = put(backend, tenant_id, tmp_path, b"intact")
    damaged = put(backend, tenant_id, tmp_path, b"damaged later")
    lost = put(backend, tenant_id, tmp_path, b"lost later")
    backend.write_behind_the_stores_back(blob_key(tenant_id, damaged.sha256), b"bit rot")
    backend.store.delete(tenant_id, lost.sha256)

    records = [ExpectedBlob(blob.tenant_id, blob.sha256, blob.size) for blob in (intact, damaged, lost)]
    report = verify_fixity(backend.store, records)

    assert (report.checked, report.ok) == (3, 1)
    assert report.mismatched == [FixityMismatch(damaged, sha256_of(b"bit rot"), len(b"bit rot"))]
    assert report.missing == [lost]
    assert not report.passed


def test_fixity_of_everything_stored_passes_when_nothing_is_damaged(backend, tenant_id, tmp_path):
    for data in (b"a", b"b", b"c"):
        put(backend, tenant_id, tmp_path, data)

    report = verify_fixity(backend.store, backend.store.iter_blobs(tenant_id))

    assert (report.checked, report.ok, report.passed) == (3, 3, True)


def test_keys_outside_the_layout_are_refused(backend, tenant_id, tmp_path):
    path = file_with(tmp_path / "doc", b"content")
    good = sha256_of(b"content")
    for attempt in (
        lambda: backend.store.put_file("../other-tenant", path),
        lambda: backend.store.put_file(tenant_id, path, "../../etc/passwd"),
        lambda: backend.store.open(tenant_id, "../" + good[3:]),
        lambda: backend.store.open("..", good),
        lambda: backend.store.stat("Tenant", good),
        lambda: backend.store.delete(tenant_id, good.upper()),
        lambda: list(backend.store.iter_blobs("../")),
    ):
        with pytest.raises(InvalidBlobKey):
            attempt()


def test_a_new_store_prepares_its_directory_or_bucket_on_first_write(backend, tenant_id, tmp_path):
    store = backend.new_store()
    blob = store.put_file(tenant_id, file_with(tmp_path / "doc", b"first document ever"))

    with store.open(tenant_id, blob.sha256) as stream:
        assert stream.read() == b"first document ever"
    store.check()


def test_check_passes_when_the_store_can_be_used(backend):
    backend.store.check()
    backend.store.check()


def test_check_fails_when_the_store_cannot_be_reached(backend):
    with pytest.raises(BlobStoreUnavailable):
        backend.unreachable_store().check()
