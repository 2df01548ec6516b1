"""The hash chain: the documented byte layout, determinism, and what a break names."""

from __future__ import annotations

import hashlib
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from skywarden.evidence.chain import GENESIS, Break, Chain, Kind, Record, Verified, link, verify

T0 = 1_770_778_800.0


def by_the_docstring(prev: bytes, i: int, t: float, kind: int, raw: bytes) -> bytes:
    """The layout of docs/evidence.md, written out independently of the module."""
    body = b"skywarden/evidence-chain/v1\x00" + prev + i.to_bytes(8, "big")
    body += struct.pack(">d", t) + bytes([kind]) + len(raw).to_bytes(8, "big") + raw
    return hashlib.sha256(body).digest()


def chained(raws: list[bytes], t0: float = T0) -> list[Record]:
    c = Chain()
    return [c.append(t0 + k, Kind.DETECTION, r) for k, r in enumerate(raws)]


def test_a_link_is_the_documented_layout() -> None:
    raw = b'{"t":1770778800.0,"sensor":"r1"}'
    assert link(GENESIS, 0, T0, Kind.DETECTION, raw) == by_the_docstring(GENESIS, 0, T0, 0, raw)
    h0 = link(GENESIS, 0, T0, Kind.DETECTION, raw)
    assert link(h0, 1, T0 + 0.5, Kind.REJECTED, b"x") == by_the_docstring(h0, 1, T0 + 0.5, 2, b"x")


def test_the_same_records_give_the_same_chain() -> None:
    raws = [f"line {k}".encode() for k in range(50)]
    a, b = chained(raws), chained(raws)
    assert [r.hash for r in a] == [r.hash for r in b]
    assert len({r.hash for r in a}) == 50


def test_length_prefixes_keep_concatenations_apart() -> None:
    ab_c = chained([b"ab", b"c"])[-1].hash
    a_bc = chained([b"a", b"bc"])[-1].hash
    assert ab_c != a_bc


def test_time_and_kind_are_covered() -> None:
    base = link(GENESIS, 0, T0, Kind.DETECTION, b"r")
    assert link(GENESIS, 0, T0 + 1e-6, Kind.DETECTION, b"r") != base
    assert link(GENESIS, 0, T0, Kind.REJECTED, b"r") != base


def test_an_intact_chain_verifies_to_its_head() -> None:
    recs = chained([b"a", b"b", b"c"])
    res = verify((r, f"#{r.index}") for r in recs)
    assert res == Verified(3, recs[-1].hash)


def test_a_changed_record_is_named() -> None:
    recs = chained([bytes([k]) * 10 for k in range(20)])
    bad = Record(7, recs[7].t, recs[7].kind, b"forged", recs[7].hash)
    res = verify((bad if r.index == 7 else r, f"line {r.index + 1}") for r in recs)
    assert isinstance(res, Break)
    assert (res.index, res.t, res.where, res.found) == (7, recs[7].t, "line 8", recs[7].hash)
    assert res.expected != res.found
    assert "record 7 (line 8)" in res.describe()


def test_a_dropped_record_is_named() -> None:
    recs = chained([bytes([k]) for k in range(10)])
    res = verify((r, "") for r in recs if r.index != 4)
    assert isinstance(res, Break)
    assert res.index == 4
    assert "missing" in res.why


def test_a_segment_verifies_from_the_head_before_it() -> None:
    recs = chained([bytes([k]) for k in range(10)])
    res = verify(((r, "") for r in recs[4:]), prev=bytes.fromhex(recs[3].hash), start=4)
    assert res == Verified(6, recs[-1].hash)


@settings(deadline=None)  # a loaded 2-core machine: no per-example time limit
@given(
    st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=12),
    st.data(),
)
def test_any_flipped_byte_breaks_at_its_record(raws: list[bytes], data: st.DataObject) -> None:
    recs = chained(raws)
    k = data.draw(st.integers(0, len(recs) - 1))
    pos = data.draw(st.integers(0, len(recs[k].raw) - 1))
    raw = bytearray(recs[k].raw)
    raw[pos] ^= 0x01
    forged = [Record(r.index, r.t, r.kind, bytes(raw), r.hash) if r.index == k else r for r in recs]
    res = verify((r, "") for r in forged)
    assert isinstance(res, Break)
    assert res.index == k
