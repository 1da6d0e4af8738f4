"""An S3 store that keeps other bytes than it was sent is caught by the read-back: nothing stays
stored, and the error says it is the store's fault (502), not the upload's (4xx)."""

import io

import pytest

from akta.storage import StoreKeptOtherBytes
from tests.integration.storage.conftest import S3Backend

pytestmark = pytest.mark.integration


def test_an_object_the_store_corrupted_is_removed_and_reported_as_a_store_fault(moto_url, tmp_path, monkeypatch):
    backend = S3Backend(moto_url)
    try:
        store = backend.store
        upload = tmp_path / "brev.pdf"
        upload.write_bytes(b"%PDF-1.7 a letter to the parents of 4.B")
        sent = store.client.put_object

        def put_object_corrupted(bucket, key, data, length, **options):
            kept = bytearray(data.read())
            kept[0] ^= 0xFF  # one bit pattern changed on the way to the disks
            return sent(bucket, key, io.BytesIO(bytes(kept)), length, **options)

        monkeypatch.setattr(store.client, "put_object", put_object_corrupted)
        with pytest.raises(StoreKeptOtherBytes) as raised:
            store.put_file("t-1", upload)
        assert raised.value.status == 502
        assert backend.everything_under("t-1") == []
    finally:
        backend.close()
