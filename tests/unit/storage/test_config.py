import pytest

from akta.storage import blob_store_from_url
from akta.storage.local import LocalBlobStore
from akta.storage.s3 import S3BlobStore


def test_without_a_url_blobs_go_under_the_data_directory(tmp_path):
    for url in (None, ""):
        store = blob_store_from_url(url, tmp_path)
        assert isinstance(store, LocalBlobStore)
        assert store.root == tmp_path / "blobs"


def test_a_file_url_names_the_directory(tmp_path):
    store = blob_store_from_url(f"file://{tmp_path}/my%20blobs", tmp_path / "unused")
    assert isinstance(store, LocalBlobStore)
    assert store.root == tmp_path / "my blobs"


@pytest.mark.parametrize(
    "url",
    [
        "s3://AKIA:s%2Fcret@minio.internal:9000/akta-blobs?secure=false&region=eu-north-1",
        "s3://AKIA:secret@minio.internal:9000/akta-blobs/",
        "http://AKIA:secret@minio.internal:9000/akta-blobs",
        "https://AKIA:secret@minio.internal:9000/akta-blobs?region=eu-north-1",
    ],
)
def test_an_s3_url_names_endpoint_and_bucket_without_contacting_them(url, tmp_path):
    store = blob_store_from_url(url, tmp_path)
    assert isinstance(store, S3BlobStore)
    assert (store.endpoint, store.bucket) == ("minio.internal:9000", "akta-blobs")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://host/blobs",
        "file://relative/blobs",
        "s3://key:secret@host:9000",
        "s3://key:secret@host:9000/bucket/folder",
        "s3://key:secret@host:9000/bucket?secure=maybe",
        "s3://key:secret@host:9000/bucket?sekure=false",
        "http://key:secret@host:9000/bucket?secure=true",
        "s3://key:secret@host:9000/No_Such_Bucket_Name",
    ],
)
def test_a_url_that_cannot_work_is_refused_at_start(url, tmp_path):
    with pytest.raises(ValueError):
        blob_store_from_url(url, tmp_path)
