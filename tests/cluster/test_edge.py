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


def _layout() -> Any:
    from skywarden.cluster.overlap import SectorArea, SectorLayout

    def ring(lo: float, hi: float) -> list[tuple[float, float]]:
        return [(lo, 31.6), (hi, 31.6), (hi, 31.8), (lo, 31.8)]

    return SectorLayout(
        [SectorArea.from_lonlat("west", ring(-106.6, -106.4)),
         SectorArea.from_lonlat("east", ring(-106.4, -106.2))]
    )  # fmt: skip


def _at(k: int, lons: list[float]) -> Scan:
    dets = [
        Detection(T0 + k - 0.5, f"r{i}", SensorKind.RADAR, Position(31.7, lon, 1300.0))
        for i, lon in enumerate(lons)
    ]
    return Scan(T0 + k, dets)


def test_a_layout_routes_each_detection_to_every_sector_holding_it() -> None:
    js = FlakyJetStream()
    edge = Edge(js, "e1", "west", boot=3, layout=_layout(), linger_s=2.0)
    # -106.41 is in west's core and east's 2 km margin; -106.55 only in west.
    scans = [_at(1, [-106.55, -106.41]), _at(2, [-106.55]), _at(3, []), _at(4, []), _at(5, [])]

    async def go() -> None:
        for s in scans:
            await edge.publish_scan(s)

    asyncio.run(go())
    got = [(subj, mid, codec.decode_batch(p)) for subj, mid, p in js.stored]
    ids = [mid for _, mid, _ in got]
    assert len(set(ids)) == len(ids)  # one id per message, across both subjects
    assert all(subj == f"sw.det.{b.sector}" for subj, _, b in got)
    per: dict[str, list[tuple[float, int]]] = {}
    for _, _, b in got:
        per.setdefault(b.sector, []).append((b.t - T0, len(b.detections)))
    assert per["west"] == [(1, 2), (2, 1), (3, 0), (4, 0), (5, 0)]  # home: every scan
    # east: the overlap detection, then empty scans for 2 s of linger, then silence
    assert per["east"] == [(1, 1), (2, 0), (3, 0)]
    east = [d.position for _, _, b in got if b.sector == "east" for d in b.detections]
    assert [p.lon for p in east if p is not None] == [-106.41] and None not in east


def test_without_a_layout_the_messages_are_unchanged() -> None:
    a, b = FlakyJetStream(), FlakyJetStream()
    plain = Edge(a, "e1", "west", boot=9)
    # a layout edge whose detections all lie in its home sector only
    routed = Edge(b, "e1", "west", boot=9, layout=_layout())

    async def go() -> None:
        for k in range(3):
            await plain.publish_scan(_at(k, [-106.55]))
            await routed.publish_scan(_at(k, [-106.55]))

    asyncio.run(go())
    assert [(s, m) for s, m, _ in a.stored] == [(s, m) for s, m, _ in b.stored]
    assert [codec.decode_batch(p).detections for *_, p in a.stored] == [
        codec.decode_batch(p).detections for *_, p in b.stored
    ]


def test_a_home_sector_missing_from_the_layout_is_refused() -> None:
    with pytest.raises(codec.CodecError, match="'north' is not in the layout"):
        Edge(FlakyJetStream(), "e1", "north", layout=_layout())


def test_a_spooled_routed_batch_drains_to_its_own_subject() -> None:
    js = FlakyJetStream()
    edge = Edge(js, "e1", "west", boot=1, layout=_layout())

    async def go() -> None:
        js.up = False
        await edge.publish_scan(_at(1, [-106.41]))
        js.up = True
        await edge.publish_scan(_at(2, []))

    asyncio.run(go())
    assert [(s, codec.decode_batch(p).sector) for s, _, p in js.stored][:2] == [
        ("sw.det.west", "west"),
        ("sw.det.east", "east"),
    ]
