"""Prometheus metrics of the rendition loop (served by the worker's --metrics-port)."""

from prometheus_client import Counter, Histogram

RENDITIONS = Counter(
    "akta_docstore_renditions_total",
    "Rendition attempts by kind and outcome (done, needsocr, deferred, failed)",
    ["kind", "outcome"],
)
RENDITION_SECONDS = Histogram(
    "akta_docstore_rendition_seconds",
    "Time to make one rendition, conversion included",
    ["kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
