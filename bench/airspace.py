"""Benchmark: airspace analysis of 10,000 tracks per second against the El Paso zones.

Runs on one core (affinity pinned, BLAS threads 1). Two parts, same machine, same run:

1. **Zone tests** (point-in-zone for every track update, floor/ceiling and the sloped
   3 degree corridor ceilings included), three implementations side by side, answers
   checked equal:

   * ``ZoneIndex.memberships`` - a 500 m cell grid marked inside/boundary/outside per
     zone by the STRtree at construction, one prepared ``contains_xy`` call for points
     in boundary cells, numpy vertical tests (what the analyzer uses);
   * ``STRtree bbox + contains_xy`` - a Point per update, the STRtree's bulk
     bounding-box query, one prepared ``contains_xy`` call (the first version of it);
   * ``STRtree.query(predicate="within")`` - shapely 2's own predicate query on points,
     then the same numpy vertical tests (the obvious vectorised peer);
   * ``naive loop`` - one shapely ``contains`` per point per zone in Python (the
     reference; timed on a subset and reported per update).

2. **Whole analysis step** (``Analyzer.step``: ingest, zones, border crossings, loiter,
   drop, group, closing, threat scores, incidents, policy) on 10,000 drone tracks flying
   straight lines across the sector, one scan per second, 30 scans.

    .venv/bin/python bench/airspace.py     # prints tables, writes bench/results/airspace.json
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import contextlib
import json
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import shapely
from rich.console import Console
from rich.table import Table

from skywarden import refdata
from skywarden.airspace import Analyzer, ZoneIndex, load_policy, sector_zones
from skywarden.geo import LocalFrame
from skywarden.model import TrackStatus, TrackUpdate

ROOT = Path(__file__).resolve().parents[1]
FRAME = LocalFrame(31.76, -106.43, 1150.0)  # the El Paso scenario's sector origin
AIRPORTS = ["KELP", "KBIF", "MMCS"]
N_TRACKS = 10_000
N_SCANS = 30


def random_points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-30_000, 30_000, n)
    y = rng.uniform(-30_000, 30_000, n)
    z = rng.uniform(1100, 1800, n)  # ground to ~2,100 ft above it: where drones fly
    return x, y, z


def best_rate(fn, n: int, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    """Updates per second of the fastest of ``repeat`` runs (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return n / min(times)


def peer_predicate(index: ZoneIndex, x: np.ndarray, y: np.ndarray, z: np.ndarray):  # type: ignore[no-untyped-def]
    pi, zi = index.tree.query(shapely.points(x, y), predicate="within")
    ok = (z[pi] >= index.floor[zi]) & (z[pi] <= index.ceiling_at(zi, x[pi], y[pi]))
    return pi[ok], zi[ok]


def peer_bbox(index: ZoneIndex, x: np.ndarray, y: np.ndarray, z: np.ndarray):  # type: ignore[no-untyped-def]
    pi, zi = index.tree.query(shapely.points(x, y))
    ok = shapely.contains_xy(index.polygons[zi], x[pi], y[pi])
    pi, zi = pi[ok], zi[ok]
    ok = (z[pi] >= index.floor[zi]) & (z[pi] <= index.ceiling_at(zi, x[pi], y[pi]))
    return pi[ok], zi[ok]


def naive(index: ZoneIndex, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> set[tuple[int, int]]:
    out = set()
    for i in range(len(x)):
        p = shapely.Point(x[i], y[i])
        for k, poly in enumerate(index.polygons):
            if poly.contains(p):
                c = index.ceiling_at(np.array([k]), x[i : i + 1], y[i : i + 1])[0]
                if index.floor[k] <= z[i] <= c:
                    out.add((i, k))
    return out


def zone_part(index: ZoneIndex) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for n in (10_000, 100_000):
        x, y, z = random_points(n, seed=n)
        pi, zi = index.memberships(x, y, z)
        mine = set(zip(pi.tolist(), zi.tolist(), strict=True))
        qi, qz = peer_predicate(index, x, y, z)
        same = mine == set(zip(qi.tolist(), qz.tolist(), strict=True))
        bi, bz = peer_bbox(index, x, y, z)
        same_b = mine == set(zip(bi.tolist(), bz.tolist(), strict=True))
        rows.append(
            {
                "method": "ZoneIndex.memberships",
                "points": n,
                "pairs": len(pi),
                "updates_per_s": best_rate(lambda x=x, y=y, z=z: index.memberships(x, y, z), n),
                "agrees": True,
            }
        )
        rows.append(
            {
                "method": "STRtree bbox + contains_xy",
                "points": n,
                "pairs": len(bi),
                "updates_per_s": best_rate(lambda x=x, y=y, z=z: peer_bbox(index, x, y, z), n),
                "agrees": same_b,
            }
        )
        rows.append(
            {
                "method": "STRtree.query(within) peer",
                "points": n,
                "pairs": len(qi),
                "updates_per_s": best_rate(lambda x=x, y=y, z=z: peer_predicate(index, x, y, z), n),
                "agrees": same,
            }
        )
    n = 2000
    x, y, z = random_points(n, seed=7)
    t0 = time.perf_counter()
    ref = naive(index, x, y, z)
    dt = time.perf_counter() - t0
    pi, zi = index.memberships(x, y, z)
    rows.append(
        {
            "method": "naive loop (reference)",
            "points": n,
            "pairs": len(ref),
            "updates_per_s": n / dt,
            "agrees": ref == set(zip(pi.tolist(), zi.tolist(), strict=True)),
        }
    )
    return rows


def make_scans(seed: int = 3) -> list[list[TrackUpdate]]:
    """N_TRACKS drones on straight legs across the sector, 1 Hz, as tracker output."""
    rng = np.random.default_rng(seed)
    n = N_TRACKS
    x, y, _ = random_points(n, seed)
    z = rng.uniform(1170, 1300, n)
    heading = rng.uniform(0, 2 * np.pi, n)
    speed = rng.uniform(5, 20, n)
    vx, vy = speed * np.sin(heading), speed * np.cos(heading)
    vz = np.zeros(n)
    probs = {"drone": 0.9, "manned": 0.0, "bird": 0.05, "unknown": 0.05}
    t0 = 1_770_778_800.0
    scans = []
    for s in range(N_SCANS):
        px, py = x + vx * s, y + vy * s
        lat, lon, _ = FRAME.to_geodetic(px, py, z - FRAME.alt0_m)
        scans.append(
            [
                TrackUpdate(
                    t=t0 + s,
                    track=f"T{i:06d}",
                    status=TrackStatus.CONFIRMED,
                    lat=float(lat[i]),
                    lon=float(lon[i]),
                    alt_m=float(z[i]),
                    velocity=(float(vx[i]), float(vy[i]), float(vz[i])),
                    state=(),
                    cov=None,
                    class_probs=probs,
                )
                for i in range(n)
            ]
        )
    return scans


def analysis_part(zones: list) -> dict[str, object]:  # type: ignore[type-arg]
    t0 = time.perf_counter()
    scans = make_scans()
    build_s = time.perf_counter() - t0
    an = Analyzer(FRAME, zones, refdata.border_line(), load_policy())
    times, events, recs = [], 0, 0
    kinds: dict[str, int] = {}
    scores = 0
    for ups in scans:
        t1 = time.perf_counter()
        out = an.step(ups[0].t, ups)
        times.append(time.perf_counter() - t1)
        events += len(out.events)
        recs += len(out.recommendations)
        scores += len(out.scores)
        for e in out.events:
            kinds[e.kind] = kinds.get(e.kind, 0) + 1
    steady = times[1:]
    med = statistics.median(steady)
    return {
        "tracks": N_TRACKS,
        "scans": N_SCANS,
        "build_updates_s": round(build_s, 2),
        "first_step_s": round(times[0], 4),
        "median_step_s": round(med, 4),
        "p95_step_s": round(float(np.percentile(steady, 95)), 4),
        "updates_per_s": round(N_TRACKS / med),
        "scores_per_step": scores / N_SCANS,
        "events": events,
        "events_by_kind": kinds,
        "recommendation_versions": recs,
        "incidents": len(an.incidents),
        "real_time_at_1hz": med < 1.0,
    }


def main() -> None:
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {0})
    console = Console()
    load_before = os.getloadavg()
    zones = sector_zones(FRAME, airports=AIRPORTS)
    index = ZoneIndex(FRAME, zones)
    zrows = zone_part(index)
    table = Table(title=f"zone tests: {len(zones)} El Paso zones, one core")
    for col in ("method", "points", "pairs in zones", "updates/s", "agrees"):
        table.add_column(col)
    for r in zrows:
        table.add_row(
            str(r["method"]),
            f"{r['points']:,}",
            f"{r['pairs']:,}",
            f"{r['updates_per_s']:,.0f}",
            "yes" if r["agrees"] else "NO",
        )
    console.print(table)
    a = analysis_part(zones)
    by_kind = a["events_by_kind"]
    assert isinstance(by_kind, dict)
    t2 = Table(title=f"Analyzer.step: {N_TRACKS:,} drone tracks, {N_SCANS} one-second scans")
    t2.add_column("measure")
    t2.add_column("value", justify="right")
    for k in (
        "median_step_s",
        "p95_step_s",
        "first_step_s",
        "updates_per_s",
        "scores_per_step",
        "events",
        "recommendation_versions",
        "incidents",
        "real_time_at_1hz",
    ):
        t2.add_row(k, str(a[k]))
    t2.add_row(
        "events by kind", ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items()))
    )
    console.print(t2)
    load_after = os.getloadavg()
    result = {
        "benchmark": "airspace",
        "machine": {
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "pinned_to_one_core": True,
            "loadavg_before": [round(v, 2) for v in load_before],
            "loadavg_after": [round(v, 2) for v in load_after],
        },
        "shapely": shapely.__version__,
        "numpy": np.__version__,
        "zones": len(zones),
        "zone_tests": [
            {**r, "updates_per_s": round(float(r["updates_per_s"]))}  # type: ignore[arg-type]
            for r in zrows
        ],
        "analysis": a,
    }
    out = ROOT / "bench" / "results" / "airspace.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    console.print(f"load average before/after: {load_before} / {load_after}; wrote {out}")


if __name__ == "__main__":
    main()
