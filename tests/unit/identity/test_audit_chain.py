"""The hash chain on plain records: append, verify, and each kind of tampering named."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from akta_identity.audit import chain

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _record(n: int, tenant_id: str = "t-1") -> dict:
    return {
        "tenant_id": tenant_id,
        "record_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "service": "cases",
        "actor": "user:u-1",
        "action": "read",
        "entity_type": "case",
        "entity_id": f"case-{n}",
        "outcome": "success",
        "occurred_at": START + timedelta(minutes=n),
        "client_ip": "10.0.0.7",
        "user_agent": "Mozilla/5.0",
        "correlation_id": f"corr-{n}",
        "details": {"number": "2026/000001", "page": n, "screened": False, "note": None},
    }


def _chain(length: int) -> tuple[list[dict], tuple[int, str]]:
    records, head = [], (0, chain.GENESIS_HASH)
    for n in range(1, length + 1):
        linked = chain.chained(_record(n), head[0] + 1, head[1])
        records.append(linked)
        head = (linked["sequence"], linked["hash"])
    return records, head


def test_appending_links_each_record_to_the_previous_one():
    records, head = _chain(3)
    assert [r["sequence"] for r in records] == [1, 2, 3]
    assert records[0]["previous_hash"] == chain.GENESIS_HASH
    assert records[1]["previous_hash"] == records[0]["hash"]
    assert records[2]["previous_hash"] == records[1]["hash"]
    assert head == (3, records[2]["hash"])
    assert len({r["hash"] for r in records}) == 3


def test_an_intact_chain_verifies():
    records, head = _chain(5)
    assert chain.first_broken_link(records, head) is None


def test_an_empty_chain_verifies():
    assert chain.first_broken_link([], None) is None


def test_the_hash_does_not_depend_on_key_order_or_time_zone():
    record = chain.chained(_record(1), 1, chain.GENESIS_HASH)
    reordered = dict(reversed(list(record.items())))
    reordered["occurred_at"] = record["occurred_at"].astimezone(datetime.now().astimezone().tzinfo)
    reordered["details"] = dict(reversed(list(record["details"].items())))
    assert chain.link_hash(chain.GENESIS_HASH, reordered) == record["hash"]


def test_the_canonical_form_is_sorted_compact_json_with_utc_times():
    text = chain.canonical_json(chain.chained(_record(1), 1, chain.GENESIS_HASH))
    assert text.startswith('{"action":"read","actor":"user:u-1","client_ip":"10.0.0.7","correlation_id":"corr-1"')
    assert '"occurred_at":"2026-03-01T08:01:00.000000+00:00"' in text
    assert ", " not in text and '": ' not in text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("actor", "user:someone-else"),
        ("outcome", "denied"),
        ("occurred_at", START + timedelta(days=1)),
        ("client_ip", None),
        ("details", {"number": "2026/000001", "page": 3, "screened": True, "note": None}),
        ("tenant_id", "t-2"),
    ],
)
def test_an_edited_field_is_named_at_its_sequence(field, value):
    records, head = _chain(5)
    records[2] = {**records[2], field: value}
    broken = chain.first_broken_link(records, head)
    assert broken == chain.BrokenLink(3, records[2]["record_id"], broken.problem)
    assert "changed" in broken.problem


def test_an_edited_record_with_a_recomputed_hash_breaks_the_next_link():
    records, head = _chain(5)
    forged = {**records[1], "actor": "user:someone-else"}
    forged["hash"] = chain.link_hash(forged["previous_hash"], forged)
    records[1] = forged
    broken = chain.first_broken_link(records, head)
    assert (broken.sequence, broken.record_id) == (3, records[2]["record_id"])
    assert "previous_hash" in broken.problem


def test_a_deleted_record_is_named_by_its_sequence():
    records, head = _chain(5)
    del records[3]
    broken = chain.first_broken_link(records, head)
    assert (broken.sequence, broken.record_id) == (4, None)
    assert "record 4 is missing" in broken.problem


def test_a_deleted_first_record_is_found():
    records, head = _chain(3)
    broken = chain.first_broken_link(records[1:], head)
    assert broken.sequence == 1


def test_records_deleted_from_the_end_are_found_through_the_head():
    records, head = _chain(5)
    broken = chain.first_broken_link(records[:3], head)
    assert broken.sequence == 4
    assert "missing from the end" in broken.problem


def test_a_missing_head_is_found():
    records, _ = _chain(2)
    assert chain.first_broken_link(records, None).sequence == 1


def test_a_replaced_last_record_is_found_through_the_head():
    records, head = _chain(3)
    forged = {**records[2], "action": "delete"}
    forged["hash"] = chain.link_hash(forged["previous_hash"], forged)
    broken = chain.first_broken_link([*records[:2], forged], head)
    assert (broken.sequence, broken.record_id) == (3, forged["record_id"])


def test_reordered_records_are_found_where_the_order_changes():
    records, head = _chain(5)
    second, third = records[1], records[2]
    # Swap the two records' places, renumbering them as an editor of the table would have to.
    records[1] = {**third, "sequence": 2}
    records[2] = {**second, "sequence": 3}
    broken = chain.first_broken_link(records, head)
    assert (broken.sequence, broken.record_id) == (2, third["record_id"])


def test_the_genesis_value_never_changes():
    # Every stored chain starts from it: changing it would break them all.
    assert chain.GENESIS_HASH == "2e3f69e53acd2f11d22544fd70d84f635c792f45ccfacad7dfe82918b8d06287"
