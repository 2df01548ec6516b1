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
"""

from __future__ import annotations

import argparse
import json
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
from skywarden.tracking.records import ScanGroup

ROOT = Path(__file__).resolve().parents[1]
LANE_SHIFT_M = 1.0e6
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
    args = ap.parse_args()
    rows = [measure(n, args) for n in args.lanes]
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
        t.add_row(
            str(r["lanes"]),
            str(r["rows_in_lane_core"]),
            f"{r['separate_ms_per_window_s']:.2f}",
            f"{r['lanes_ms_per_window_s']:.2f}",
            f"{r['speedup']:.2f}x",
            "yes" if r["same_states"] else "no",
        )
    Console().print(t)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
