"""Blobs (document bytes) by SHA-256 per tenant: a local directory in embedded mode, S3/MinIO in
real mode, behind one `BlobStore` interface chosen from a URL by `blob_store_from_url`."""

from akta.storage.blobs import BlobInfo, BlobStore, StoredBlob
from akta.storage.config import blob_store_from_url
from akta.storage.errors import (
    BlobNotFound,
    BlobStoreUnavailable,
    BlobTooLarge,
    ChecksumMismatch,
    InvalidBlobKey,
    StoreKeptOtherBytes,
)
from akta.storage.fixity import ExpectedBlob, FixityMismatch, FixityReport, verify_fixity
from akta.storage.spool import SpooledFile, spool_upload

__all__ = [
    "BlobInfo",
    "BlobNotFound",
    "BlobStore",
    "BlobStoreUnavailable",
    "BlobTooLarge",
    "ChecksumMismatch",
    "ExpectedBlob",
    "FixityMismatch",
    "FixityReport",
    "InvalidBlobKey",
    "SpooledFile",
    "StoreKeptOtherBytes",
    "StoredBlob",
    "blob_store_from_url",
    "spool_upload",
    "verify_fixity",
]
