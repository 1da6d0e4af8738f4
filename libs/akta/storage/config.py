"""Choosing the blob store from the URL a service is configured with."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from akta.storage.blobs import BlobStore
from akta.storage.local import LocalBlobStore
from akta.storage.s3 import S3BlobStore


def blob_store_from_url(url: str | None, data_dir: Path) -> BlobStore:
    """The blob store a URL names; nothing is contacted here (`check()` does that).

    - None or "": the directory `blobs` under `data_dir` (embedded mode).
    - `file:///absolute/path`: that directory.
    - `s3://ACCESS:SECRET@host:port/bucket?secure=false&region=us-east-1`: a bucket in S3 or
      MinIO; `secure` (TLS) defaults to true, `region` is optional. `http://` and `https://`
      are the same with TLS off or on. Percent-encode special characters in the secret.

    Raises ValueError for a URL it cannot use.
    """
    if not url:
        return LocalBlobStore(data_dir / "blobs")
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ValueError(f"a file blob store URL needs an absolute path, file:///path, not {url!r}")
        return LocalBlobStore(Path(unquote(parts.path)))
    if parts.scheme in ("s3", "http", "https"):
        return _s3_store(parts)
    raise ValueError(
        f"a blob store URL starts with file://, s3://, http:// or https://, not {parts.scheme!r}"
    )


def _s3_store(parts: SplitResult) -> S3BlobStore:
    endpoint = parts.netloc.rpartition("@")[2]
    bucket = parts.path.strip("/")
    if not endpoint or not bucket or "/" in bucket:
        raise ValueError(
            "an S3 blob store URL names a host and one bucket: s3://ACCESS:SECRET@host:port/bucket"
        )
    options = {name: values[-1] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}
    allowed = {"region", "secure"} if parts.scheme == "s3" else {"region"}
    if unknown := sorted(set(options) - allowed):
        raise ValueError(f"unknown S3 blob store URL options {unknown}; known: {sorted(allowed)}")
    if parts.scheme == "s3":
        secure = options.get("secure", "true").lower()
        if secure not in ("true", "false"):
            raise ValueError(f"secure= must be true or false, not {secure!r}")
    else:
        secure = "true" if parts.scheme == "https" else "false"
    return S3BlobStore(
        endpoint,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
        bucket,
        secure=secure == "true",
        region=options.get("region") or None,
    )
