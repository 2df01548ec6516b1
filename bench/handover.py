"""Benchmark: does a track keep one global id through three sectors, and is a border
crossing in the overlap reported exactly once? (issue 17, hand-over)

Three sectors with 8 km cores and the stated 2 km margin tile the straight stretch of the
shipped border line east of Nogales (31.3272 N). Each has a real ``Tracker`` and a
``HandoverAgent``; each receives the simulated detections its extended area holds; the
hand-over messages go through JSON from one agent to the other after every scan.

1. **continuity**: per seed, one drone flying east along the border through all three
   sectors, at a random speed (10-40 m/s) and distance from the line (100-800 m either
   side), radar plots at Pd 0.9 with 25 m noise. Counted: global ids the drone's
   updates carry (1 is right), scans two sectors both reported (0 is right), scans
   nobody reported after the first report beside the same count for one tracker over
   the whole strip on the same detections (equal: the hand-over loses no scan),
   hand-overs, messages, and the agents' CPU time per scan against the trackers'.
2. **pairs**: per seed, two drones side by side (80-200 m apart, the same speed, one up
   to 50 m behind) through the west/centre overlap: global ids (2 is right) and ids
   that followed both drones at some time (swaps; 0 is right).
3. **crossing sweep**: one drone crossing the border northbound at points every
   ``--step`` metres from 1 km before to 1 km after the west/centre core boundary, with
   a real ``Analyzer`` per sector on ``HandoverStep.analysis`` and
   ``HandoverAgent.filter_events``: ``border_crossing`` events reported (1 is right).

    .venv/bin/python bench/handover.py                  # 10 seeds, 50 m sweep
    .venv/bin/python bench/handover.py --seeds 3 --step 250
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from skywarden import refdata
from skywarden.airspace import Analyzer, load_policy
from skywarden.airspace.analyzer import AnalyzerConfig
from skywarden.cluster.handover import HandoverAgent
from skywarden.cluster.handover_evidence import TrackerEvidence
from skywarden.cluster.overlap import SectorArea, SectorLayout
from skywarden.geo import LocalFrame
from skywarden.model import Detection, Event, Identity, Position, SensorKind, TrackUpdate
from skywarden.tracking.tracker import Tracker

OUT = Path(__file__).resolve().parent / "results" / "handover.json"
T0 = 1_767_225_600.0
LAT, LON0, W = 31.3272362, -110.6, 0.085
NAMES = ("west", "centre", "east")
FRAME = LocalFrame(LAT, LON0 + 1.5 * W, 1200.0)


def layout() -> SectorLayout:
    def ring(i: int) -> list[tuple[float, float]]:
        lo, hi = LON0 + i * W, LON0 + (i + 1) * W
        return [(lo, 31.2), (hi, 31.2), (hi, 31.46), (lo, 31.46)]

    return SectorLayout(SectorArea.from_lonlat(n, ring(i)) for i, n in enumerate(NAMES))


def boundary_x(i: int) -> float:
    return float(FRAME.to_enu(LAT, LON0 + (i + 1) * W, 1200.0)[0])


def detections(
    rng: np.random.Generator, x: np.ndarray, y: np.ndarray, rid: bool
) -> list[list[Detection]]:
    """Per scan, radar plots (and Remote ID reports) of the drones at x[k], y[k] (arrays
    of shape (n,) for one drone, (n, m) for m drones)."""
    x2, y2 = x.reshape(len(x), -1), y.reshape(len(y), -1)
    out = []
    for k in range(len(x)):
        scan = []
        for (sigma, kind, p, ident), j in (
            (s, j)
            for j in range(x2.shape[1])
            for s in (
                (25.0, SensorKind.RADAR, 0.9, None),
                (5.0, SensorKind.REMOTE_ID, 0.8 if rid else 0.0, Identity(rid_serial="1581F5")),
            )
        ):
            if rng.random() < p:
                e, n = x2[k, j] + rng.normal(0, sigma), y2[k, j] + rng.normal(0, sigma)
                lat, lon, alt = FRAME.to_geodetic(e, n, 120 + rng.normal(0, sigma))
                cov = ((sigma**2, 0, 0), (0, sigma**2, 0), (0, 0, 4 * sigma**2))
                pos = Position(float(lat), float(lon), float(alt), cov)
                scan.append(Detection(T0 + k, str(kind), kind, pos, identity=ident))
        out.append(scan)
    return out


def run(
    dets: list[list[Detection]], analyse: bool
) -> tuple[dict[str, list[TrackUpdate]], list[Event], dict[str, Any]]:
    lay = layout()
    trackers = {n: Tracker(lay[n].frame) for n in NAMES}
    agents = {n: HandoverAgent(n, lay, evidence=TrackerEvidence(trackers[n])) for n in NAMES}
    policy = load_policy() if analyse else None
    analyzers = {
        n: Analyzer(lay[n].frame, [], refdata.border_line(), policy, AnalyzerConfig(15_000))
        for n in NAMES
        if policy is not None
    }
    reported: dict[str, list[TrackUpdate]] = {n: [] for n in NAMES}
    events: list[Event] = []
    cpu = {"tracker_s": 0.0, "agent_s": 0.0, "messages": 0}
    for k, scan in enumerate(dets):
        out = []
        for n in NAMES:
            mine = [
                d
                for d in scan
                if d.position and n in lay.sectors_of(d.position.lat, d.position.lon)
            ]
            c0 = time.process_time()
            ups = trackers[n].step(T0 + k, mine)
            c1 = time.process_time()
            st = agents[n].on_updates(T0 + k, ups)
            cpu["tracker_s"] += c1 - c0
            cpu["agent_s"] += time.process_time() - c1
            reported[n] += st.updates
            if n in analyzers:
                events += agents[n].filter_events(analyzers[n].step(T0 + k, st.analysis).events)
            out += st.messages
        cpu["messages"] += len(out)
        for m in out:
            agents[m.to].on_message(json.loads(json.dumps(m.to_dict())))
    stats = {n: agents[n].stats for n in NAMES}
    cpu["handovers"] = sum(s.released for s in stats.values())
    cpu["claims"] = sum(s.claimed for s in stats.values())
    return reported, events, cpu


def continuity(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    speed = float(rng.uniform(10, 40))
    north = float(rng.uniform(100, 800) * rng.choice([-1, 1]))
    x0, x1 = boundary_x(0) - 4000, boundary_x(1) + 4000
    n = int((x1 - x0) / speed)
    x = x0 + speed * np.arange(n)
    dets = detections(rng, x, np.full(n, north), rid=False)
    reported, _, cpu = run(dets, analyse=False)
    one = Tracker(FRAME)  # the baseline: one tracker over the whole strip, no hand-over
    alone = {k for k, scan in enumerate(dets) if one.step(T0 + k, scan)}
    ids = {u.track for ups in reported.values() for u in ups}
    per_scan: dict[int, int] = {}
    for ups in reported.values():
        for u in ups:
            per_scan[round(u.t - T0)] = per_scan.get(round(u.t - T0), 0) + 1
    first = min(per_scan) if per_scan else n
    return {
        "seed": seed,
        "speed_ms": round(speed, 1),
        "north_m": round(north),
        "scans": n,
        "global_ids": len(ids),
        "double_scans": sum(1 for c in per_scan.values() if c > 1),
        "silent_scans": (n - first) - len(per_scan),
        "silent_scans_one_tracker": (n - min(alone, default=n)) - len(alone),
        "handovers": cpu["handovers"],
        "claims": cpu["claims"],
        "messages": cpu["messages"],
        "agent_ms_per_scan": round(1e3 * cpu["agent_s"] / n, 3),
        "tracker_ms_per_scan": round(1e3 * cpu["tracker_s"] / n, 3),
    }


def pair(seed: int) -> dict[str, Any]:
    """Two drones side by side (80-200 m apart, the same speed) through the west/centre
    overlap: each global id must follow one drone (a swap gives an id both)."""
    rng = np.random.default_rng(1000 + seed)
    gap = float(rng.uniform(80, 200))
    speed = float(rng.uniform(10, 30))
    n = int(7000 / speed)
    x = boundary_x(0) - 3500 + speed * np.arange(n)
    xs = np.column_stack([x, x - rng.uniform(0, 50)])
    ys = np.column_stack([np.full(n, 200.0), np.full(n, 200.0 + gap)])
    reported, _, _ = run(detections(rng, xs, ys, rid=False), analyse=False)
    follows: dict[str, set[int]] = {}
    for ups in reported.values():
        for u in ups:
            ex, ny, _ = FRAME.to_enu(u.lat, u.lon, u.alt_m)
            k = round(u.t - T0)
            d = np.hypot(xs[k] - ex, ys[k] - ny)
            follows.setdefault(u.track, set()).add(int(np.argmin(d)))
    return {
        "seed": seed,
        "gap_m": round(gap),
        "speed_ms": round(speed, 1),
        "global_ids": len(follows),
        "swapped_ids": sum(len(v) > 1 for v in follows.values()),
    }


def crossing(offset_m: float, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    n = 260
    x = boundary_x(0) - 3500 + 20.0 * np.arange(n)
    y = np.clip((x - (boundary_x(0) + offset_m)) * 0.3, -300.0, 300.0)
    _, events, _ = run(detections(rng, x, y, rid=True), analyse=True)
    cross = [e for e in events if e.kind == "border_crossing"]
    return {"offset_m": offset_m, "seed": seed, "crossings_reported": len(cross)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--step", type=float, default=50.0)
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    cont = [continuity(s) for s in range(1, a.seeds + 1)]
    pairs = [pair(s) for s in range(1, a.seeds + 1)]
    sweep = [crossing(float(o), 100 + i) for i, o in enumerate(np.arange(-1000, 1000.1, a.step))]
    print("seed speed north scans ids double silent silent_1 handovers msgs agent_ms tracker_ms")
    for r in cont:
        print(*(r[k] for k in r if k != "claims"))
    print("pairs: seed gap speed ids swapped")
    for r in pairs:
        print(*r.values())
    bad = [r for r in sweep if r["crossings_reported"] != 1]
    print(f"crossing sweep: {len(sweep)} points, {len(bad)} not reported exactly once: {bad}")
    result = {
        "continuity": cont,
        "pairs": pairs,
        "crossing_points": len(sweep),
        "crossings_not_once": len(bad),
        "crossing_sweep_step_m": a.step,
        "runs_with_one_global_id": sum(r["global_ids"] == 1 for r in cont),
        "runs": len(cont),
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
