"""The composition root in real mode: document bytes need a configured blob store; the parts
that never touch them (migrate, relay) start without one."""

import pytest

from akta_docstore.bootstrap import bootstrap
from akta_docstore.settings import DocstoreSettings


def _real_settings(tmp_path, **extra) -> DocstoreSettings:
    return DocstoreSettings(
        mode="real",
        data_dir=tmp_path,
        database_url="postgresql+psycopg://postgres@127.0.0.1:1/unused",
        bus_url="amqp://guest:guest@127.0.0.1:1/",
        **extra,
    )


def test_without_a_blob_store_the_api_and_the_worker_refuse_to_start(tmp_path):
    docstore = bootstrap(_real_settings(tmp_path))
    try:
        assert docstore.relay is not None  # migrate and relay need no blob store
        with pytest.raises(SystemExit, match="AKTA_DOCSTORE_BLOB_STORE_URL"):
            docstore.app  # noqa: B018
        with pytest.raises(SystemExit, match="AKTA_DOCSTORE_BLOB_STORE_URL"):
            docstore.worker()
    finally:
        docstore.database.engine.dispose()


def test_with_a_blob_store_the_api_and_the_worker_are_built(tmp_path):
    blobs = tmp_path / "blobs"
    docstore = bootstrap(_real_settings(tmp_path, blob_store_url=f"file://{blobs}"))
    try:
        assert docstore.app is not None
        assert docstore.worker() is not None
        assert docstore.renditions.blobs is docstore.blobs
    finally:
        docstore.database.engine.dispose()
