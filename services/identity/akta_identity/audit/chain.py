"""The hash chain, pure Python: each record's hash covers the previous record's hash and its own
fields, so changing, removing or reordering any record breaks every link after it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = hashlib.sha256(b"akta audit chain genesis").hexdigest()

HASHED_FIELDS = (
    "tenant_id",
    "sequence",
    "record_id",
    "event_id",
    "service",
    "actor",
    "action",
    "entity_type",
    "entity_id",
    "outcome",
    "occurred_at",
    "client_ip",
    "user_agent",
    "correlation_id",
    "details",
)


def canonical_json(record: Mapping[str, Any]) -> str:
    """The hashed fields of `record` as JSON with sorted keys, fixed separators, UTC times."""
    values = {name: record[name] for name in HASHED_FIELDS}
    values["occurred_at"] = _utc_iso(values["occurred_at"])
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def link_hash(previous_hash: str, record: Mapping[str, Any]) -> str:
    return hashlib.sha256(f"{previous_hash}\n{canonical_json(record)}".encode()).hexdigest()


def chained(record: Mapping[str, Any], sequence: int, previous_hash: str) -> dict[str, Any]:
    """`record` as the next link after `previous_hash`: with its sequence and both hashes."""
    linked = {**record, "sequence": sequence, "previous_hash": previous_hash}
    linked["hash"] = link_hash(previous_hash, linked)
    return linked


@dataclass(frozen=True)
class BrokenLink:
    sequence: int
    record_id: str | None
    problem: str


def first_broken_link(
    records: Iterable[Mapping[str, Any]], head: tuple[int, str] | None
) -> BrokenLink | None:
    """Walk one tenant's records in sequence order and name the first that does not chain.

    `head` is the chain's (last sequence, last hash) as recorded when appending; it catches
    records removed from the end, which no later link could reveal."""
    expected_sequence, previous_hash, record_id = 1, GENESIS_HASH, None
    for record in records:
        sequence, record_id = record["sequence"], record["record_id"]
        if sequence != expected_sequence:
            return BrokenLink(
                expected_sequence, None, f"record {expected_sequence} is missing (the next one is {sequence})"
            )
        if record["previous_hash"] != previous_hash:
            return BrokenLink(
                sequence, record_id, f"its previous_hash is not the hash of record {sequence - 1}: "
                "a record before it was removed, replaced or moved"
            )
        if link_hash(previous_hash, record) != record["hash"]:
            return BrokenLink(sequence, record_id, "its fields do not match its hash: the record was changed")
        expected_sequence, previous_hash = sequence + 1, record["hash"]
    last = expected_sequence - 1
    head_sequence, head_hash = head if head is not None else (0, GENESIS_HASH)
    if head_sequence > last:
        return BrokenLink(last + 1, None, f"records {last + 1} to {head_sequence} are missing from the end")
    if head_sequence < last:
        return BrokenLink(
            head_sequence + 1, None, f"records {head_sequence + 1} to {last} are beyond the chain head"
        )
    if head_hash != previous_hash:
        return BrokenLink(last, record_id, "its hash is not the one the chain head recorded: it was replaced")
    return None


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")
