"""The edge: scans cut into batches with stable ids; with NATS away, spooled and then
replayed in order, never reordered behind newer messages."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from skywarden.cluster import codec
from skywarden.cluster.edge import Edge, MemorySpool, SpoolFullError
from skywarden.model import Detection, Position, SensorKind
from skywarden.stages import Scan

T0 = 1_770_778_800.0


def _scan(k: int, n: int) -> Scan:
    dets = [
        Detection(T0 + k - 0.5, f"r{i}", SensorKind.RADAR, Position(31.7, -106.4, 1300.0))
        for i in range(n)
    ]
    return Scan(T0 + k, dets)


class FlakyJetStream:
    """Stores what it is given while ``up``; raises like nats-py while down."""

    def __init__(self) -> None:
        self.up = True
        self.stored: list[tuple[str, str, bytes]] = []

    async def publish(self, subject: str, payload: bytes, **kw: Any) -> None:
        if not self.up:
            raise ConnectionError("nats: no servers available for connection")
        self.stored.append((subject, kw["headers"]["Nats-Msg-Id"], payload))


def test_scans_become_batches_with_increasing_ids_and_a_closing_part() -> None:
    edge = Edge(FlakyJetStream(), "e1", "west", boot=5, max_per_batch=3)
    parts = edge.batches(_scan(1, 7))
    assert [len(b.detections) for b in parts] == [3, 3, 1]
    assert [b.last for b in parts] == [False, False, True]
    assert [b.msg_id for b in parts] == ["e1:5:1", "e1:5:2", "e1:5:3"]
    empty = edge.batches(_scan(2, 0))
    assert len(empty) == 1 and empty[0].last and empty[0].msg_id == "e1:5:4"


def test_nats_away_spools_then_replays_in_order() -> None:
    js = FlakyJetStream()
    edge = Edge(js, "e1", "west", MemorySpool(), boot=1, max_per_batch=2)

    async def go() -> None:
        await edge.publish_scan(_scan(1, 2))
        js.up = False
        await edge.publish_scan(_scan(2, 3))
        await edge.publish_scan(_scan(3, 1))
        assert len(edge.spool) == 3 and len(js.stored) == 1
        js.up = True
        await edge.publish_scan(_scan(4, 1))  # drains the spool first, then sends this

    asyncio.run(go())
    ids = [mid for _, mid, _ in js.stored]
    assert ids == ["e1:1:1", "e1:1:2", "e1:1:3", "e1:1:4", "e1:1:5"]
    ts = [codec.decode_batch(p).t for _, _, p in js.stored]
    assert ts == sorted(ts)
    assert len(edge.spool) == 0
    assert (edge.counters.spooled, edge.counters.drained) == (3, 3)


def test_a_full_memory_spool_refuses_and_names_its_limit() -> None:
    spool = MemorySpool(max_bytes=10)
    spool.append("a", b"12345")
    with pytest.raises(SpoolFullError, match="of 10 bytes"):
        spool.append("b", b"123456")
    spool.ack("a")
    spool.append("b", b"123456")
    assert [m for m, _ in spool.pending()] == ["b"]
