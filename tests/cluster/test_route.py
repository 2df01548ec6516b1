"""Hand-over with real routing: two edges (``Edge(layout=...)``, as ``skywarden edge
--layout``) whose sites both see the overlap of the west and centre sectors, three
workers on a real nats-server with the hand-over hooks, a drone flying along the border
through the overlap. Each sector hears both edges there (``cluster.reorder`` puts their
scans in time order); the drone keeps one global id, every routed detection is applied
once, and, in the second test, across a worker handing the centre sector to another
(restored from its snapshot, re-reading what was not acknowledged)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.cluster import test_handover_worker as hw

from nats_throwaway import start_nats
from skywarden.bus.jetstream import NatsBus
from skywarden.cluster import codec, sectors, topology
from skywarden.cluster.edge import Edge
from skywarden.cluster.handover_hook import HandoverHooks
from skywarden.cluster.worker import Options, Worker
from skywarden.model import SensorKind, TrackStatus
from skywarden.service.sources import SectorInfo
from skywarden.stages import Scan

N = 220
SITES = {"site-w": ("west", SensorKind.RADAR), "site-c": ("centre", SensorKind.REMOTE_ID)}


@pytest.fixture
def nats_url(tmp_path: Path) -> Iterator[str]:
    """A nats-server per test: each test's streams, leases and snapshots start empty."""
    proc, url = start_nats(tmp_path / "jetstream")
    yield url
    proc.terminate()
    proc.wait(10)


async def _until(cond: Any, what: str, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, what
        await asyncio.sleep(0.01)


def _run(nats_url: str, swap_at: int | None) -> tuple[dict[str, dict[int, Any]], dict[str, int]]:
    """Publish the drone's scans through both edges; the steps per sector and the
    detections routed to each sector. ``swap_at``: scan at which the centre sector's
    worker stops and another takes the sector over."""
    lay = hw.layout()
    scans = hw.drone_scans(N)
    routed = dict.fromkeys(hw.NAMES, 0)
    opts = Options(snapshot_every=7)  # snapshots mid-flight, batches left unacknowledged

    async def go() -> dict[str, dict[int, Any]]:
        topo = await topology.connect(nats_url, lease_ttl_s=6.0)
        steps: dict[str, dict[int, Any]] = {s: {} for s in hw.NAMES}

        async def on_step(m: Any) -> None:
            st = codec.decode_step(m.data)
            assert st.step not in steps[st.sector], f"{st.sector} step {st.step} twice"
            steps[st.sector][st.step] = st

        subs = [
            await topo.js.subscribe(codec.out_subject(s), cb=on_step, ordered_consumer=True)
            for s in hw.NAMES
        ]
        edges = {n: Edge(topo.js, n, home, layout=lay) for n, (home, _) in SITES.items()}
        for s in hw.NAMES:  # the sectors' definitions, as each home edge announces its own
            await topo.sectors.put(s, sectors.to_json(SectorInfo(s, lay[s].frame, [], [], 12e3)))
        buses: list[NatsBus] = []
        hooks: list[HandoverHooks] = []
        workers: list[tuple[Worker, asyncio.Event, asyncio.Task[None]]] = []

        async def start(name: str, sector: str) -> None:
            bus = await NatsBus.connect(nats_url, stream="SW_HANDOVER", prefix="swh")
            h = HandoverHooks(lay, bus)
            w = Worker(topo, name, [sector], options=opts, on_updates=h)
            stop = asyncio.Event()
            buses.append(bus)
            hooks.append(h)
            workers.append((w, stop, asyncio.create_task(w.run(stop))))

        def applied(sector: str) -> float:
            runs = [w.runs[sector] for w, stop, _ in workers if sector in w.runs]
            return max((r.applied.t for r in runs if not r.stopped()), default=float("-inf"))

        for s in hw.NAMES:
            await start(f"w-{s}", s)
        try:
            for k, dets in enumerate(scans):
                if k == swap_at:
                    old = next(x for x in workers if x[0].name == "w-centre")
                    old[1].set()
                    await old[2]
                    await start("w-centre-2", "centre")
                for name, (_, kind) in SITES.items():
                    mine = [d for d in dets if d.kind == kind]
                    for s, ds in lay.route(mine).items():
                        routed[s] += len(ds)
                    await edges[name].publish_scan(Scan(hw.T0 + k, mine))
                # Paced: every sector within a few scans of the edges (as real time keeps them)
                due = hw.T0 + k - 4
                for s in hw.NAMES:
                    if k >= 4 and routed[s]:  # east hears nothing: the drone stays away
                        await _until(lambda s=s, due=due: applied(s) >= due, f"{s} at scan {k}")
            for s in hw.NAMES:  # the last held scans are released when the stream is quiet
                await _until(
                    lambda s=s: sum(st.detections for st in steps[s].values()) >= routed[s],
                    f"{s}: {sum(st.detections for st in steps[s].values())} of {routed[s]}",
                )
            await asyncio.sleep(0.5)  # nothing more arrives (a double would show here)
        finally:
            for _, stop, _ in workers:
                stop.set()
            await asyncio.wait_for(asyncio.gather(*(t for *_, t in workers)), 30)
            for sub in subs:
                await sub.unsubscribe()
            for h in hooks:
                await h.aclose()
            for b in buses:
                await b.close()
            await topo.close()
        return steps

    return asyncio.run(go()), routed


def _check(steps: dict[str, dict[int, Any]], routed: dict[str, int]) -> None:
    # every sector's steps are consecutive; the detections they applied are the routed ones
    for s in hw.NAMES:
        assert sorted(steps[s]) == list(range(1, len(steps[s]) + 1)), s
        assert sum(st.detections for st in steps[s].values()) == routed[s], s
    assert routed["west"] and routed["centre"]  # both sectors heard the drone ...
    merged = [st for st in steps["centre"].values() if st.stream_hi - st.stream_lo > 1]
    assert merged  # ... and scans of both edges were applied together in one step
    reported = {
        s: [u for st in steps[s].values() for u in st.updates if u.status != TrackStatus.ENDED]
        for s in hw.NAMES
    }
    ids = {u.track for ups in reported.values() for u in ups}
    assert len(ids) == 1, ids  # one global id, across the hand-over
    assert next(iter(ids)).startswith("west:")
    by_t: dict[float, list[str]] = {}
    for s, ups in reported.items():
        for u in ups:
            by_t.setdefault(u.t, []).append(s)
    assert all(len(v) == 1 for v in by_t.values())  # one sector reports each scan
    assert reported["west"] and reported["centre"]
    assert max(u.t for u in reported["west"]) < min(u.t for u in reported["centre"])


@pytest.mark.filterwarnings("ignore::skywarden.errors.GuessWarning")  # no airports here
def test_two_routing_edges_one_global_id_every_detection_once(nats_url: str) -> None:
    steps, routed = _run(nats_url, None)
    _check(steps, routed)


@pytest.mark.filterwarnings("ignore::skywarden.errors.GuessWarning")
def test_a_sector_taken_over_mid_overlap_applies_nothing_twice(nats_url: str) -> None:
    steps, routed = _run(nats_url, 95)  # the drone is in the overlap, centre shadows it
    _check(steps, routed)
    assert {st.worker for st in steps["centre"].values()} == {"w-centre", "w-centre-2"}
