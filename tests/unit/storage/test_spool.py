import hashlib
import io

import pytest

from akta.storage import BlobTooLarge, spool_upload
from akta.storage.digests import CHUNK_SIZE


class Trickle(io.RawIOBase):
    """A request body that arrives a few bytes per read, like a slow client."""

    def __init__(self, data: bytes, step: int = 7) -> None:
        self._data = data
        self._position = 0
        self._step = step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self._step if size < 0 else min(size, self._step)
        chunk = self._data[self._position : self._position + size]
        self._position += len(chunk)
        return chunk


class Endless(io.RawIOBase):
    """A body that never ends; counts what was taken from it."""

    bytes_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.bytes_read += size
        return b"x" * size


class Disconnecting(io.RawIOBase):
    """A client that goes away after the first chunk."""

    calls = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls > 1:
            raise OSError("client disconnected")
        return b"x" * size


def test_the_upload_is_copied_with_its_sha256_and_size(tmp_path):
    data = bytes(range(256)) * (3 * CHUNK_SIZE // 256) + b"tail"
    with spool_upload(io.BytesIO(data), tmp_path, max_bytes=len(data)) as spooled:
        assert spooled.path.parent == tmp_path
        assert spooled.path.read_bytes() == data
        assert spooled.sha256 == hashlib.sha256(data).hexdigest()
        assert spooled.size == len(data)
    assert not spooled.path.exists()


def test_a_body_arriving_a_few_bytes_at_a_time_is_read_to_its_end(tmp_path):
    data = b"a letter from the municipality" * 100
    spooled = spool_upload(Trickle(data), tmp_path, max_bytes=10_000)
    assert spooled.path.read_bytes() == data
    assert spooled.sha256 == hashlib.sha256(data).hexdigest()


def test_an_empty_body(tmp_path):
    spooled = spool_upload(io.BytesIO(b""), tmp_path, max_bytes=10)
    assert (spooled.size, spooled.sha256) == (0, hashlib.sha256(b"").hexdigest())


def test_exactly_the_limit_is_accepted(tmp_path):
    assert spool_upload(io.BytesIO(b"x" * 100), tmp_path, max_bytes=100).size == 100


def test_one_byte_over_the_limit_is_refused_and_the_partial_file_deleted(tmp_path):
    with pytest.raises(BlobTooLarge) as raised:
        spool_upload(io.BytesIO(b"x" * 101), tmp_path, max_bytes=100)
    assert raised.value.limit == 100
    assert str(raised.value) == "the content is larger than the limit of 100 bytes"
    assert list(tmp_path.iterdir()) == []


def test_reading_stops_as_soon_as_the_limit_is_passed(tmp_path):
    body = Endless()
    limit = 5 * CHUNK_SIZE // 2
    with pytest.raises(BlobTooLarge):
        spool_upload(body, tmp_path, max_bytes=limit)
    assert body.bytes_read == limit + 1
    assert list(tmp_path.iterdir()) == []


def test_a_body_that_fails_halfway_leaves_no_file(tmp_path):
    with pytest.raises(OSError, match="client disconnected"):
        spool_upload(Disconnecting(), tmp_path, max_bytes=10 * CHUNK_SIZE)
    assert list(tmp_path.iterdir()) == []
