"""The composition root of the docstore service."""

from __future__ import annotations

import functools
from pathlib import Path

from akta.contracts.audit import DocstoreAuditRecorded
from akta.contracts.docstore import (
    DocumentChanged,
    DocumentCommented,
    DocumentCreated,
    DocumentTextExtracted,
    DocumentVersionStored,
    RenditionCompleted,
    RenditionFailed,
)
from akta.search import search_engine_from_url
from akta.service import Service
from akta.storage import BlobStore, blob_store_from_url
from akta_docstore.entrypoints.api import create_api
from akta_docstore.renditions.runner import RenditionRunner, rendition_loop
from akta_docstore.search.indexer import Indexer
from akta_docstore.service_layer.event_handlers import EVENT_HANDLERS
from akta_docstore.service_layer.unit_of_work import DocstoreUnitOfWork
from akta_docstore.settings import DocstoreSettings

PUBLISHED_EVENTS = (
    DocumentCreated,
    DocumentChanged,
    DocumentVersionStored,
    DocumentCommented,
    DocumentTextExtracted,
    RenditionCompleted,
    RenditionFailed,
    DocstoreAuditRecorded,
)
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class Docstore(Service):
    """The service with what only docstore has: the blob store, the search engine and its
    indexer, and the rendition runner."""

    def __init__(self, settings: DocstoreSettings) -> None:
        super().__init__(
            settings,
            MIGRATIONS_DIR,
            PUBLISHED_EVENTS,
            DocstoreUnitOfWork,
            build_api=create_api,
            event_handlers=EVENT_HANDLERS,
            background_loops=(rendition_loop,),
        )
        self.search = search_engine_from_url(settings.search_url, self.database)

    # Built on first use, so that `migrate` and `relay`, which never touch document bytes, run
    # without the blob store's keys (k8s gives them only to the API, the worker and fixity).
    @functools.cached_property
    def blobs(self) -> BlobStore:
        if self.settings.mode == "real" and not self.settings.blob_store_url:
            # The default directory would be inside a container's throw-away filesystem.
            raise SystemExit("docstore: real mode needs AKTA_DOCSTORE_BLOB_STORE_URL (s3://… or file:///…)")
        return blob_store_from_url(self.settings.blob_store_url, self.settings.data_dir)

    @functools.cached_property
    def indexer(self) -> Indexer:
        settings = self.settings
        return Indexer(self.search, self.blobs, settings.search_language, settings.index_text_max_characters)

    @functools.cached_property
    def renditions(self) -> RenditionRunner:
        return RenditionRunner(self.unit_of_work, self.blobs, self.settings)

    @functools.cached_property
    def app(self):
        self.blobs  # noqa: B018 -- fail at start, not at the first upload, when it is not configured
        return super().app

    def worker(self):
        self.blobs  # noqa: B018 -- as for the app
        return super().worker()

    def unit_of_work(self) -> DocstoreUnitOfWork:
        uow = super().unit_of_work()
        uow.indexer = self.indexer
        return uow

    def readiness_checks(self):
        return {**super().readiness_checks(), "blob_store": self.blobs.check, "search": self.search.check}


def bootstrap(settings: DocstoreSettings | None = None) -> Docstore:
    return Docstore(settings or DocstoreSettings())
