"""Fixity checks: are the bytes in the store still the bytes that were recorded?"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from akta.storage.blobs import BlobInfo, BlobStore
from akta.storage.digests import hash_stream
from akta.storage.errors import BlobNotFound

# What the records (e.g. document versions) say is stored: the same fields as what a store lists,
# so `store.iter_blobs()` can be checked too.
ExpectedBlob = BlobInfo


@dataclass(frozen=True)
class FixityMismatch:
    expected: ExpectedBlob
    actual_sha256: str
    actual_size: int


@dataclass
class FixityReport:
    checked: int = 0
    ok: int = 0
    mismatched: list[FixityMismatch] = field(default_factory=list)
    missing: list[ExpectedBlob] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.mismatched and not self.missing


def verify_fixity(store: BlobStore, expected: Iterable[ExpectedBlob]) -> FixityReport:
    """Re-read each expected blob from `store`, hashing it as it streams, and report those whose
    bytes or size differ from what was recorded and those that are gone.

    Passing `store.iter_blobs()` as `expected` checks that every stored blob still hashes to its name.
    BlobStoreUnavailable is raised, not reported: an unreachable store says nothing about fixity.
    """
    report = FixityReport()
    for blob in expected:
        report.checked += 1
        try:
            with store.open(blob.tenant_id, blob.sha256) as stream:
                actual = hash_stream(stream)
        except BlobNotFound:
            report.missing.append(blob)
            continue
        if actual.sha256 == blob.sha256 and actual.size == blob.size:
            report.ok += 1
        else:
            report.mismatched.append(FixityMismatch(blob, actual.sha256, actual.size))
    return report
