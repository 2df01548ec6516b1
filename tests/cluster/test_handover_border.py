"""Drones flying along the border through three overlapping sectors keep their global id.

Three sector workers (a real ``Tracker`` and a ``HandoverAgent`` each, optionally a real
``Analyzer``) tile the straight stretch of the US-Mexico border east of Nogales (the
shipped Natural Earth line runs along 31.3272 N there) with 8 km cores and the stated
2 km margin. Each worker receives the simulated detections its extended area contains
(the membership rule) and talks to the others only through the hand-over messages on
a bus: the in-process bus here, a real nats-server at the end.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import numpy as np
import pytest

from skywarden import refdata
from skywarden.airspace import Analyzer, load_policy
from skywarden.airspace.analyzer import AnalyzerConfig
from skywarden.bus.base import Bus
from skywarden.bus.memory import InProcessBus
from skywarden.cluster.handover import HandoverAgent
from skywarden.cluster.handover_evidence import TrackerEvidence
from skywarden.cluster.handover_link import HandoverLink
from skywarden.cluster.overlap import SectorArea, SectorLayout
from skywarden.geo import LocalFrame
from skywarden.model import (
    Detection,
    Event,
    Identity,
    Position,
    SensorKind,
    TrackStatus,
    TrackUpdate,
)
from skywarden.tracking.tracker import Tracker

T0 = 1_767_225_600.0
BORDER_LAT = 31.3272362  # the shipped border line: straight from Nogales to the bootheel
CORE_W_DEG = 0.085  # about 8 km of longitude
LON0 = -110.6
NAMES = ("west", "centre", "east")
FRAME = LocalFrame(BORDER_LAT, LON0 + 1.5 * CORE_W_DEG, 1200.0)
Truth = tuple[np.ndarray, np.ndarray]


def layout() -> SectorLayout:
    areas = []
    for i, name in enumerate(NAMES):
        lo, hi = LON0 + i * CORE_W_DEG, LON0 + (i + 1) * CORE_W_DEG
        ring = [(lo, 31.20), (hi, 31.20), (hi, 31.46), (lo, 31.46)]
        areas.append(SectorArea.from_lonlat(name, ring))
    return SectorLayout(areas)


def boundary_x(i: int) -> float:
    """East coordinate (m, in FRAME) of the core boundary east of sector ``i``."""
    return float(FRAME.to_enu(BORDER_LAT, LON0 + (i + 1) * CORE_W_DEG, 1200.0)[0])


def scans(
    seed: int, truths: list[Truth], n: int, serials: tuple[str, ...] = ()
) -> list[list[Detection]]:
    """A radar (25 m sigma, Pd 0.9) and, for drones given a serial, Remote ID reports
    (5 m, 20 % loss) per second, from truth (east, north) arrays in FRAME at 120 m."""
    rng = np.random.default_rng(seed)
    out: list[list[Detection]] = []
    for k in range(n):
        scan = []
        for j, (x, y) in enumerate(truths):
            if rng.random() < 0.9:
                scan.append(_det(rng, x[k], y[k], 25.0, T0 + k, "radar", SensorKind.RADAR))
            if j < len(serials) and rng.random() > 0.2:
                ident = Identity(rid_serial=serials[j])
                scan.append(
                    _det(rng, x[k], y[k], 5.0, T0 + k - 0.5, "rid", SensorKind.REMOTE_ID, ident)
                )
        out.append(scan)
    return out


def _det(
    rng: np.random.Generator,
    x: float,
    y: float,
    sigma: float,
    t: float,
    sensor: str,
    kind: SensorKind,
    identity: Identity | None = None,
) -> Detection:
    e, n, u = x + rng.normal(0, sigma), y + rng.normal(0, sigma), 120 + rng.normal(0, sigma)
    lat, lon, alt = FRAME.to_geodetic(e, n, u)
    var = sigma**2
    cov = ((var, 0.0, 0.0), (0.0, var, 0.0), (0.0, 0.0, 4 * var))
    pos = Position(float(lat), float(lon), float(alt), cov)
    return Detection(t, sensor, kind, pos, identity=identity)


@dataclass
class Worker:
    """One sector worker: tracker -> hand-over agent -> (analyzer), on a bus."""

    sector: str
    tracker: Tracker
    agent: HandoverAgent
    link: HandoverLink
    analyzer: Analyzer | None = None
    reported: list[TrackUpdate] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    alive: bool = True
    sent: int = 0

    async def step(self, t: float, detections: list[Detection]) -> None:
        st = self.agent.on_updates(t, self.tracker.step(t, detections))
        self.reported += st.updates
        if self.analyzer is not None:
            self.events += self.agent.filter_events(self.analyzer.step(t, st.analysis).events)
        await self.link.send(st.messages)
        self.sent += len(st.messages)


class World:
    """Three workers fed from one stream of detections, stepping in lock step."""

    def __init__(self, bus: Bus, analyse: bool = False) -> None:
        self.layout = layout()
        self.bus = bus
        self.workers: dict[str, Worker] = {}
        policy = load_policy() if analyse else None
        for name in NAMES:
            area = self.layout[name]
            tracker = Tracker(area.frame)
            agent = HandoverAgent(name, self.layout, evidence=TrackerEvidence(tracker))
            an = None
            if policy is not None:
                an = Analyzer(
                    area.frame, [], refdata.border_line(), policy, AnalyzerConfig(extent_m=15_000)
                )
            self.workers[name] = Worker(name, tracker, agent, HandoverLink(agent, bus), an)

    def mine(self, sector: str, detections: list[Detection]) -> list[Detection]:
        """The detections the edge publishes to ``sector``: its extended area's."""
        area = self.layout[sector]
        return [
            d
            for d in detections
            if d.position is not None
            and bool(area.contains(d.position.lat, d.position.lon, "extended")[0])
        ]

    async def run(
        self,
        detections: list[list[Detection]],
        kill: dict[int, str] | None = None,
        after_scan: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        for w in self.workers.values():
            await w.link.start()
        kill = kill or {}
        for k, dets in enumerate(detections):
            if k in kill:
                self.workers[kill[k]].alive = False
            for w in self.workers.values():
                if w.alive:
                    await w.step(T0 + k, self.mine(w.sector, dets))
            await self.settle()
            if after_scan is not None:
                await after_scan(k)
        for w in self.workers.values():
            await w.link.close()

    async def settle(self) -> None:
        """Until every message sent has reached its reader (one event loop turn in
        process; a few milliseconds through a nats-server)."""
        end = time.monotonic() + 5.0
        while time.monotonic() < end:
            if sum(w.link.received for w in self.workers.values()) >= sum(
                w.sent for w in self.workers.values()
            ):
                return
            await asyncio.sleep(0 if isinstance(self.bus, InProcessBus) else 0.002)
        raise AssertionError("hand-over messages not delivered within 5 s")

    def owners(self) -> dict[int, list[str]]:
        """Scan index -> the sectors that reported a live update of any track then."""
        out: dict[int, list[str]] = {}
        for w in self.workers.values():
            for u in w.reported:
                if u.status != TrackStatus.ENDED:
                    out.setdefault(round(u.t - T0), []).append(w.sector)
        return out

    def ids(self) -> set[str]:
        return {u.track for w in self.workers.values() for u in w.reported}


def along_border(n: int, x0: float, speed: float, north_m: float) -> Truth:
    t = np.arange(n, dtype=float)
    return x0 + speed * t, np.full(n, north_m)


def _run(
    world: World, detections: list[list[Detection]], kill: dict[int, str] | None = None
) -> None:
    asyncio.run(world.run(detections, kill))


# --------------------------------------------------------------------------- tests


def test_one_drone_along_the_border_keeps_one_global_id_through_three_sectors() -> None:
    n = 760
    truth = along_border(n, boundary_x(0) - 6000, 25.0, 300.0)  # west core to east core
    world = World(InProcessBus(maxsize=10_000))
    _run(world, scans(7, [truth], n))
    assert len(world.ids()) == 1
    (gid,) = world.ids()
    assert gid.startswith("west:")  # minted at birth, by the sector it was born in
    owners = world.owners()
    assert all(len(s) == 1 for s in owners.values()), "two sectors reported one scan"
    order = [s[0] for _, s in sorted(owners.items())]
    changes = [a for a, b in itertools.pairwise(order) if a != b]
    assert changes == ["west", "centre"]  # west -> centre -> east, no flapping back
    assert order[-1] == "east"
    first = min(owners)
    assert len(owners) >= 0.97 * (n - first)  # the hand-overs leave no silent scans
    ups = [u for w in world.workers.values() for u in w.reported]
    assert not any(u.status == TrackStatus.ENDED for u in ups)  # handed over, never lost
    east = world.workers["east"].agent
    (rec,) = [tr for tr in east.tracks.values() if tr.role == "own"]
    assert rec.history["path"] == list(NAMES)
    assert rec.history["handovers"] == 2
    assert world.workers["west"].agent.stats.released == 1
    assert east.stats.received_authority == 1


def test_two_drones_crossing_the_overlap_side_by_side_keep_their_ids() -> None:
    n = 420
    a = along_border(n, boundary_x(0) - 5000, 22.0, 250.0)
    b = along_border(n, boundary_x(0) - 5050, 22.0, 400.0)  # 150 m apart, 50 m behind
    world = World(InProcessBus(maxsize=10_000))
    _run(world, scans(11, [a, b], n))
    ups = [u for w in world.workers.values() for u in w.reported]
    assert len(world.ids()) == 2
    follows: dict[str, set[int]] = {}
    for u in ups:
        x, y, _ = FRAME.to_enu(u.lat, u.lon, u.alt_m)
        k = round(u.t - T0)
        d = [np.hypot(x - tx[k], y - ty[k]) for tx, ty in (a, b)]
        follows.setdefault(u.track, set()).add(int(np.argmin(d)))
    assert sorted(map(sorted, follows.values())) == [[0], [1]], follows  # no swap
    assert {w.sector for w in world.workers.values() for u in w.reported} == {"west", "centre"}


@pytest.mark.parametrize("offset_m", [-400.0, 250.0, 600.0])
def test_a_crossing_in_the_overlap_is_reported_once(offset_m: float) -> None:
    # The drone crosses northbound `offset_m` east of the west/centre core boundary:
    # in west's core, right where west lets go (core + 250 m hysteresis), in centre's.
    n = 240
    t = np.arange(n, dtype=float)
    x = boundary_x(0) - 3500 + 20.0 * t
    y = np.clip((x - (boundary_x(0) + offset_m)) * 0.3, -300.0, 300.0)
    world = World(InProcessBus(maxsize=10_000), analyse=True)
    _run(world, scans(3, [(x, y)], n, ("1581F5FJD22A0000001",)))
    crossings = [
        (w.sector, e)
        for w in world.workers.values()
        for e in w.events
        if e.kind == "border_crossing"
    ]
    assert len(crossings) == 1, crossings
    sector, e = crossings[0]
    assert e.attrs["direction"] == "northbound"
    assert e.track in world.ids() and len(world.ids()) == 1
    assert sector == ("west" if offset_m < 0 else "centre") or offset_m == 250.0
    assert (
        world.workers["centre"].agent.stats.events_elsewhere
        + world.workers["west"].agent.stats.events_elsewhere
        >= 1
    )  # the other analyzer saw it too, and kept quiet


def test_a_receiver_that_restarts_from_its_snapshot_mid_handover_keeps_the_id() -> None:
    n = 330
    truth = along_border(n, boundary_x(0) - 3000, 25.0, 300.0)
    world = World(InProcessBus(maxsize=10_000))
    dets = scans(5, [truth], n)
    centre = world.workers["centre"]
    restarted: list[int] = []

    async def die_and_resume(k: int) -> None:
        roles = {tr.role for tr in centre.agent.tracks.values()}
        if restarted or k < 60 or roles != {"shadow"}:
            return
        # Centre's worker dies after accepting, before the release; a new one resumes
        # from the snapshot (through JSON, as it is stored) with the tracker's state.
        snap = json.loads(json.dumps(centre.agent.to_snapshot()))
        await centre.link.close()
        agent = HandoverAgent.from_snapshot(
            snap, world.layout, evidence=TrackerEvidence(centre.tracker)
        )
        received = centre.link.received
        centre.agent, centre.link = agent, HandoverLink(agent, world.bus)
        centre.link.received = received  # settle() counts across the restart
        await centre.link.start()
        restarted.append(k)

    asyncio.run(world.run(dets, after_scan=die_and_resume))
    assert restarted
    assert len(world.ids()) == 1
    assert centre.agent.stats.received_authority == 1
    assert any(u.track in world.ids() for u in centre.reported)


def test_an_owner_that_dies_mid_handover_is_claimed_by_its_neighbour() -> None:
    n = 330
    truth = along_border(n, boundary_x(0) - 3000, 25.0, 300.0)
    world = World(InProcessBus(maxsize=10_000))
    dets = scans(9, [truth], n)
    # The drone is about 700 m short of the core boundary at scan 92: centre has
    # accepted it, west has not let go; west's worker dies and nobody resumes it.
    _run(world, dets, kill={92: "west"})
    centre = world.workers["centre"]
    assert centre.agent.stats.claimed == 1
    assert len(world.ids()) == 1  # the claim kept the id west minted
    last_west = max(u.t for u in world.workers["west"].reported)
    first_centre = min(u.t for u in centre.reported)
    # Silent at most the owner-silence timeout plus the way to centre's core.
    assert first_centre - last_west <= centre.agent.config.owner_silent_s + 40


# --------------------------------------------------------------------------- nats


# nats_url: tests/cluster/conftest.py (a real nats-server with JetStream)


def test_the_hand_over_over_a_real_nats_server_keeps_the_id(nats_url: str) -> None:
    from skywarden.bus.jetstream import NatsBus

    n = 260
    truth = along_border(n, boundary_x(0) - 2500, 25.0, 300.0)
    dets = scans(13, [truth], n)

    async def go() -> World:
        world = World(await NatsBus.connect(nats_url, stream="HANDOVER", prefix="swh"))
        await world.run(dets)
        await world.bus.close()
        return world

    world = asyncio.run(go())
    assert len(world.ids()) == 1
    assert world.workers["west"].agent.stats.released == 1
    assert world.workers["centre"].agent.stats.received_authority == 1
    assert all(len(s) == 1 for s in world.owners().values())
