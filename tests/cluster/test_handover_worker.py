"""The hand-over inside real cluster workers: three ``Worker`` s on a real nats-server,
one sector each, with ``HandoverHooks`` as their ``on_updates``; edges publish each
detection on every sector whose extended area holds it; a drone flies along the border
from the west sector into the centre one and keeps its global id in the steps the
workers publish (``sw.trk.<sector>``)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np
import pytest

from skywarden.bus.jetstream import NatsBus
from skywarden.cluster import codec, topology
from skywarden.cluster.edge import Edge
from skywarden.cluster.handover_hook import HandoverHooks
from skywarden.cluster.overlap import SectorArea, SectorLayout
from skywarden.cluster.worker import Worker
from skywarden.geo import LocalFrame
from skywarden.model import Detection, Identity, Position, SensorKind, TrackStatus
from skywarden.service.sources import SectorInfo
from skywarden.stages import Scan

T0 = 1_767_225_600.0
LAT, LON0, W = 31.3272362, -110.6, 0.085  # the shipped border line east of Nogales
NAMES = ("west", "centre", "east")
FRAME = LocalFrame(LAT, LON0 + W, 1200.0)  # origin on the west/centre core boundary


def layout() -> SectorLayout:
    def ring(i: int) -> list[tuple[float, float]]:
        lo, hi = LON0 + i * W, LON0 + (i + 1) * W
        return [(lo, 31.2), (hi, 31.2), (hi, 31.46), (lo, 31.46)]

    return SectorLayout(SectorArea.from_lonlat(n, ring(i)) for i, n in enumerate(NAMES))


def drone_scans(n: int) -> list[list[Detection]]:
    """A drone with Remote ID flying east along the border, crossing it northbound
    150 m past the west/centre core boundary: where west still owns the track."""
    rng = np.random.default_rng(21)
    out = []
    for k in range(n):
        tx = -2500.0 + 25.0 * k
        ty = float(np.clip((tx - 150.0) * 0.3, -300.0, 300.0))
        scan = []
        for sigma, kind, p in ((25.0, SensorKind.RADAR, 0.9), (5.0, SensorKind.REMOTE_ID, 0.8)):
            if rng.random() < p:
                x, y = tx + rng.normal(0, sigma), ty + rng.normal(0, sigma)
                lat, lon, alt = FRAME.to_geodetic(x, y, 120.0 + rng.normal(0, sigma))
                v = sigma**2
                pos = Position(
                    float(lat), float(lon), float(alt), ((v, 0, 0), (0, v, 0), (0, 0, 4 * v))
                )
                ident = (
                    Identity(rid_serial="1581F5FJD22A0000001")
                    if kind == SensorKind.REMOTE_ID
                    else None
                )
                scan.append(Detection(T0 + k, str(kind), kind, pos, identity=ident))
        out.append(scan)
    return out


@pytest.mark.filterwarnings("ignore::skywarden.errors.GuessWarning")  # no airports here
def test_workers_hand_a_drone_over_with_its_global_id(nats_url: str) -> None:
    lay = layout()
    n = 220
    scans = drone_scans(n)

    withheld: dict[str, int] = {}
    seeded: dict[str, bool] = {}  # the worker handed each hook its tracker

    async def go() -> dict[str, dict[int, Any]]:
        topo = await topology.connect(nats_url, lease_ttl_s=6.0)
        hbus = await NatsBus.connect(nats_url, stream="SW_HANDOVER", prefix="swh")
        hooks = HandoverHooks(lay, hbus)
        steps: dict[str, dict[int, Any]] = {s: {} for s in NAMES}

        async def on_step(m: Any) -> None:
            st = codec.decode_step(m.data)
            steps[st.sector][st.step] = st

        subs = [
            await topo.js.subscribe(codec.out_subject(s), cb=on_step, ordered_consumer=True)
            for s in NAMES
        ]
        edges = {s: Edge(topo.js, f"edge-{s}", s) for s in NAMES}
        for s, e in edges.items():
            await e.announce(topo.sectors, SectorInfo(s, lay[s].frame, [], [], 12_000.0))
        stop = asyncio.Event()
        workers = [Worker(topo, f"w-{s}", [s], on_updates=hooks) for s in NAMES]
        tasks = [asyncio.create_task(w.run(stop)) for w in workers]
        try:
            for k, dets in enumerate(scans):
                routed = lay.route(dets)  # the membership rule, as an edge applies it
                for s, e in edges.items():
                    await e.publish_scan(Scan(T0 + k, routed[s]))
                # Lock step, as real-time pacing keeps sectors within a scan of each other.
                end = time.monotonic() + 30
                while any(k + 1 not in steps[s] for s in NAMES):
                    assert time.monotonic() < end, (
                        f"scan {k}: steps {[len(v) for v in steps.values()]}"
                    )
                    await asyncio.sleep(0.005)
        finally:
            stop.set()
            await asyncio.gather(*tasks)
            for sub in subs:
                await sub.unsubscribe()
            withheld.update({s: h.agent.stats.events_elsewhere for s, h in hooks.hooks.items()})
            seeded.update({s: h.agent.evidence is not None for s, h in hooks.hooks.items()})
            await hooks.aclose()
            await hbus.close()
            await topo.close()
        return steps

    steps = asyncio.run(go())
    reported = {
        s: [u for st in steps[s].values() for u in st.updates if u.status != TrackStatus.ENDED]
        for s in NAMES
    }
    ids = {u.track for ups in reported.values() for u in ups}
    assert len(ids) == 1, ids
    (gid,) = ids
    assert gid.startswith("west:")
    by_t: dict[float, list[str]] = {}
    for s, ups in reported.items():
        for u in ups:
            by_t.setdefault(u.t, []).append(s)
    assert all(len(v) == 1 for v in by_t.values())
    assert reported["west"] and reported["centre"]
    assert max(u.t for u in reported["west"]) < min(u.t for u in reported["centre"])
    assert gid.startswith("west:Twest-")  # the worker's local ids carry the sector too
    # Both workers' analyzers saw the crossing (centre's track was a shadow then); it
    # is published once, by the sector that owned the track when it crossed.
    crossings = [
        (s, e)
        for s in NAMES
        for st in steps[s].values()
        for e in st.events
        if e.kind == "border_crossing"
    ]
    assert [(s, e.track, e.attrs["direction"]) for s, e in crossings] == [
        ("west", gid, "northbound")
    ]
    assert withheld["centre"] >= 1  # centre's analyzer saw it too, and kept quiet
    assert seeded == {s: True for s in NAMES}
