"""Benchmark: what the month's tracker would gain from running windows in lockstep lanes.

The month's tracker steps once per simulated second with ~20 live tracks and ~9 sensor
groups, and spends most of each step on the fixed cost of its numpy calls, not on the
tracks (``docs/notes/wave11.md``). This bench measures that directly, side by side in
one run, on the same synthetic sky:

* **separate**: ``L`` tracker cores, one per window (the month's shape today), each with
  ``n`` targets;
* **lanes**: one core holding all ``L`` windows' targets at once, each window's sky
  shifted 1,000 km east of the previous one so that no gate ever pairs across windows.

Each simulated second every core gets ``groups`` radar-like position groups (a plot per
target with 30 m noise, plus ``clutter`` false plots per window and group, so tracks are
born and dropped as in the month). Figures are CPU milliseconds per window-second;
``lanes / separate`` is the speed-up one core per sector would buy if its windows ran in
lockstep. The synthetic sky has no bearings, identities or classifier inputs, so it
measures the core's position path (gating, GNN, IMM, bookkeeping, spawning), which is
most of its work in the month.

    .venv/bin/python bench/tracker_lanes.py [--targets 20] [--lanes 1 4 16 64]
        [--groups 6] [--clutter 1] [--seconds 90] [--out bench/results/tracker_lanes.json]

``--from SECTOR_DIR`` replays a month sector's own detections instead (radar, DF
bearings, Remote ID, ADS-B, visual; ``detections.jsonl[.gz]`` and ``windows.json`` of a
``month run``): its first ``L`` window runs, each cut to the shortest's length, through
``L`` cores and through one core in lanes (times counted from each run's start, which is
exact; positions and DF sites shifted by 1,000 km, which is not: the last bits differ),
with ``skywarden.tracking.lanes`` (the month's lanes): each sensor's groups of one
second, a direction finder's bearings too, as one group.
Real windows do not share a sensor timing (airport radars report every 4-5 s, from the
run's own start), so the lane core also predicts a track at another lane's group times:
the bench reports how far the lanes' final tracks are from the separate cores'.

    .venv/bin/python bench/tracker_lanes.py --from MONTH/sectors/S86 --lanes 1 4 16
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from skywarden.model import SensorKind
from skywarden.tracking.core import TrackerCore
from skywarden.tracking.lanes import LANE_SHIFT_M, into_lane, merge_lanes
from skywarden.tracking.records import ScanGroup

ROOT = Path(__file__).resolve().parents[1]
BOX_M = 30_000.0
NOISE = np.array([30.0, 30.0, 20.0])
WARM_S = 15


class Sky:
    """``n`` targets flying straight at drone speeds over a 30 km box, seeded."""

    def __init__(self, n: int, seed: int, shift_m: float = 0.0) -> None:
        rng = np.random.default_rng(seed)
        self.rng = rng
        self.shift = np.array([shift_m, 0.0, 0.0])
        self.p0 = np.column_stack(
            [rng.uniform(0, BOX_M, n), rng.uniform(0, BOX_M, n), rng.uniform(50, 300, n)]
        )
        self.v = np.column_stack([rng.normal(0, 10, n), rng.normal(0, 10, n), np.zeros(n)])

    def plots(self, t: float, clutter: int) -> np.ndarray:
        rng = self.rng
        z = self.p0 + self.v * t + rng.normal(0.0, 1.0, self.p0.shape) * NOISE
        junk = np.column_stack(
            [
                rng.uniform(0, BOX_M, clutter),
                rng.uniform(0, BOX_M, clutter),
                rng.uniform(20, 500, clutter),
            ]
        )
        return np.vstack([z, junk]) + self.shift


def groups_at(skies: list[Sky], t: float, n_groups: int, clutter: int) -> list[ScanGroup]:
    """One position group per radar: every sky's plots at the radar's time."""
    out = []
    for r in range(n_groups):
        tg = t + 0.1 * r
        z = np.vstack([s.plots(tg, clutter) for s in skies])
        cov = np.broadcast_to(np.diag(NOISE**2), (z.shape[0], 3, 3)).copy()
        out.append(ScanGroup(t=tg, sensor=f"radar-{r}", kind=SensorKind.RADAR, z=z, R=cov))
    return out


def cpu_per_window_s(cores: list[tuple[TrackerCore, list[Sky]]], args: argparse.Namespace) -> float:
    """CPU ms per window-second over the measured seconds (after a warm-up)."""
    lanes = sum(len(skies) for _, skies in cores)
    used = 0.0
    for k in range(WARM_S + args.seconds):
        t = float(k)
        for core, skies in cores:
            groups = groups_at(skies, t, args.groups, args.clutter)
            t0 = time.process_time()
            core.step(t + 0.9, groups)
            if k >= WARM_S:
                used += time.process_time() - t0
    return 1000.0 * used / (args.seconds * lanes)


def same_states(separate: list[tuple[TrackerCore, list[Sky]]], lanes: TrackerCore) -> bool:
    """Whether the lane core ends with exactly the separate cores' track states (each
    lane's shifted back): the lanes then changed the cost, not the tracking."""
    x = lanes.table.a["x"] if lanes.table.n else np.zeros((0, 6))
    lane_of = np.floor((x[:, 0] + LANE_SHIFT_M / 2) / LANE_SHIFT_M).astype(int)
    for i, (core, _) in enumerate(separate):
        mine = x[lane_of == i].copy()
        mine[:, 0] -= i * LANE_SHIFT_M
        theirs = core.table.a["x"] if core.table.n else np.zeros((0, 6))
        if mine.shape != theirs.shape:
            return False
        if not np.allclose(np.sort(mine, axis=0), np.sort(theirs, axis=0), rtol=0, atol=1e-6):
            return False
    return True


def measure(lanes: int, args: argparse.Namespace) -> dict[str, Any]:
    seeds = range(1000 * lanes, 1000 * lanes + lanes)
    separate = [(TrackerCore(), [Sky(args.targets, s)]) for s in seeds]
    together = [
        (TrackerCore(), [Sky(args.targets, s, i * LANE_SHIFT_M) for i, s in enumerate(seeds)])
    ]
    sep = cpu_per_window_s(separate, args)
    lan = cpu_per_window_s(together, args)
    live = together[0][0].table.n
    return {
        "same_states": same_states(separate, together[0][0]),
        "lanes": lanes,
        "targets_per_window": args.targets,
        "rows_in_lane_core": live,
        "separate_ms_per_window_s": sep,
        "lanes_ms_per_window_s": lan,
        "speedup": sep / lan,
    }


def _runs(windows: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """The sector's runs (``sim.month.runs``: touching windows are one sky), as (start,
    end), from its ``windows.json`` entries."""
    from skywarden.sim.month_windows import Window, runs

    ws = sorted(
        (Window(w["start_t"], w["end_t"], w["kind"], w["weight"]) for w in windows),
        key=lambda w: w.start,
    )
    return [(r[0].start, r[-1].end) for r in runs(ws)]


def _load_runs(sector: Path, n_runs: int) -> tuple[Any, list[float], list[list[list[Any]]]]:
    """The sector's frame, its runs' start times and, per run, its detections bucketed
    by second from its start."""
    from skywarden.geo import LocalFrame
    from skywarden.model import Detection

    meta = json.loads((sector / "sector.json").read_text())
    o = meta["origin"]
    frame = LocalFrame(o["lat"], o["lon"], o["alt_m"])
    spans = _runs(json.loads((sector / "windows.json").read_text())["windows"])[:n_runs]
    length = int(min(b - a for a, b in spans))
    buckets: list[list[list[Any]]] = [[[] for _ in range(length)] for _ in spans]
    path = next(
        p for p in (sector / "detections.jsonl", sector / "detections.jsonl.gz") if p.exists()
    )
    last = spans[-1][0] + length
    with gzip.open(path, "rt") if path.suffix == ".gz" else path.open() as fh:
        for line in fh:
            rec = json.loads(line)
            t = float(rec["t"])
            if t >= last:
                break
            for i, (a, _) in enumerate(spans):
                k = math.ceil(t - a)  # the scan at a + k holds detections up to it
                if 0 <= k < length:
                    buckets[i][k].append(Detection.from_dict(rec))
                    break
    return frame, [a for a, _ in spans], buckets


def replay(lanes: int, args: argparse.Namespace) -> dict[str, Any]:
    """A sector's first ``lanes`` runs: separate cores against one core in lanes."""
    from skywarden.tracking.config import TrackerConfig
    from skywarden.tracking.scan import scan_groups

    frame, starts, buckets = _load_runs(args.from_dir, lanes)
    cfg = TrackerConfig()
    length = len(buckets[0])
    scans = [[scan_groups(frame, cfg, b[k]) for k in range(length)] for b in buckets]
    sep_s = 0.0
    separate = [TrackerCore(cfg) for _ in scans]
    for i, core in enumerate(separate):
        t0 = time.process_time()
        for k in range(length):
            core.step(float(k), [into_lane(g, 0, starts[i]) for g in scans[i][k]])
        sep_s += time.process_time() - t0
    one = TrackerCore(cfg)
    moved = [
        [[into_lane(g, i, starts[i]) for g in scans[i][k]] for i in range(lanes)]
        for k in range(length)
    ]
    t0 = time.process_time()
    for k in range(length):
        one.step(float(k), merge_lanes(moved[k]))
    lane_s = time.process_time() - t0
    return {
        "lanes": lanes,
        "seconds_per_run": length,
        "rows_in_lane_core": one.table.n,
        "separate_ms_per_window_s": 1000.0 * sep_s / (lanes * length),
        "lanes_ms_per_window_s": 1000.0 * lane_s / (lanes * length),
        "speedup": sep_s / lane_s,
        **_distance(separate, one),
    }


def _distance(separate: list[TrackerCore], one: TrackerCore) -> dict[str, Any]:
    """Rows per lane and how far the lane core's final positions are from the separate
    cores' (each row to the nearest, metres)."""
    x = one.table.a["x"] if one.table.n else np.zeros((0, 6))
    lane_of = np.floor((x[:, 0] + LANE_SHIFT_M / 2) / LANE_SHIFT_M).astype(int)
    rows_same, worst = True, 0.0
    for i, core in enumerate(separate):
        mine = x[lane_of == i, :3] - [i * LANE_SHIFT_M, 0.0, 0.0]
        theirs = core.table.a["x"][:, :3] if core.table.n else np.zeros((0, 3))
        rows_same &= mine.shape == theirs.shape
        if len(mine) and len(theirs):
            d = np.sqrt(((mine[:, None, :] - theirs[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
            worst = max(worst, float(d.max()))
    return {"same_rows_per_lane": bool(rows_same), "worst_position_gap_m": worst}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--targets", type=int, default=20, help="targets per window (month: ~20 tracks)"
    )
    ap.add_argument("--lanes", type=int, nargs="+", default=[1, 4, 16, 64])
    ap.add_argument("--groups", type=int, default=6, help="position groups a second")
    ap.add_argument("--clutter", type=int, default=1, help="false plots per window and group")
    ap.add_argument("--seconds", type=int, default=90)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "tracker_lanes.json")
    ap.add_argument("--from", dest="from_dir", type=Path, help="a month sector directory")
    args = ap.parse_args()
    if args.from_dir is not None and args.out == ap.get_default("out"):
        args.out = ROOT / "bench" / "results" / "tracker_lanes_replay.json"
    rows = [(replay if args.from_dir else measure)(n, args) for n in args.lanes]
    doc = {
        "bench": "tracker_lanes",
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": list(os.getloadavg()),
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n")
    t = Table(title="tracker core CPU per window-second: separate cores against one core in lanes")
    for c in ("lanes", "rows in the lane core", "separate ms", "lanes ms", "speed-up", "same"):
        t.add_column(c, justify="right")
    for r in rows:
        same = r.get("same_states")
        if same is None:  # a replay: rows per lane alike, and the worst position gap
            label = "rows alike" if r["same_rows_per_lane"] else "rows differ"
            same_txt = f"{label}, {r['worst_position_gap_m']:.2g} m"
        else:
            same_txt = "yes" if same else "no"
        t.add_row(
            str(r["lanes"]),
            str(r["rows_in_lane_core"]),
            f"{r['separate_ms_per_window_s']:.2f}",
            f"{r['lanes_ms_per_window_s']:.2f}",
            f"{r['speedup']:.2f}x",
            same_txt,
        )
    Console().print(t)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
