"""What can go wrong storing and reading blobs; each kind maps to one HTTP status."""

from __future__ import annotations

from akta.errors import AktaError, InvalidField, NotFound


class BlobTooLarge(AktaError):
    status = 413
    title = "Content too large"
    problem_type = "urn:akta:problem:too-large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"the content is larger than the limit of {limit} bytes", limit=limit)
        self.limit = limit


class BlobNotFound(NotFound):
    def __init__(self, tenant_id: str, sha256: str) -> None:
        super().__init__(f"no blob with SHA-256 {sha256} is stored for tenant {tenant_id}")
        self.tenant_id = tenant_id
        self.sha256 = sha256


class ChecksumMismatch(AktaError):
    status = 422
    title = "Checksum mismatch"
    problem_type = "urn:akta:problem:checksum-mismatch"

    def __init__(self, expected: str, actual: str, what: str = "the content") -> None:
        super().__init__(
            f"{what} has SHA-256 {actual}, not the expected {expected}",
            expected_sha256=expected,
            actual_sha256=actual,
        )
        self.expected = expected
        self.actual = actual


class StoreKeptOtherBytes(AktaError):
    """The store holds other bytes than it was given: the store's fault, not the client's, so
    a 502 (the upload may simply be tried again), never a 4xx."""

    status = 502
    title = "Bad gateway"
    problem_type = "urn:akta:problem:store-fault"

    def __init__(self, expected: str, actual: str, what: str) -> None:
        super().__init__(f"{what} has SHA-256 {actual}, not {expected}: nothing was stored; try again")
        self.expected = expected
        self.actual = actual


class InvalidBlobKey(InvalidField):
    """A tenant id or SHA-256 that cannot be part of a blob's key."""


class BlobStoreUnavailable(AktaError):
    status = 503
    title = "Service unavailable"
    problem_type = "urn:akta:problem:unavailable"
