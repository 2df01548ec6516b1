"""Benchmark: how fast the El Paso simulator runs, and what vectorising the sensors buys.

Two measurements, side by side in the same run:

* **radar scan** at 10 / 100 / 1,000 targets: ``Radar.scan`` (one vectorised pass, two
  PROJ calls for all targets) against the obvious per-target loop of the same model
  (scalar PROJ call and scalar draws per target); both give the same detection count
  law, the loop is the reference a reader would write first.
* **whole simulation** (truth, five sensor kinds, JSON records, no disk) at the scenario's
  traffic and at 4x and 16x its rates and counts: simulated seconds per wall-clock
  second, i.e. the headroom for a live service replaying it in real time.

    .venv/bin/python bench/sim.py        # prints a table, writes bench/results/sim.json

The machine is shared; the load average is recorded with the figures.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from skywarden.geo import enu_to_bearing_elevation
from skywarden.sim import Simulation, load_scenario, parse_scenario
from skywarden.sim.calibration import ring
from skywarden.sim.scenario import RadarConfig, Scenario
from skywarden.sim.sensors.radar import Radar
from skywarden.sim.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "el-paso.yaml"
RESULTS = ROOT / "bench" / "results" / "sim.json"


def naive_radar_scan(radar: Radar, snap: Snapshot) -> int:
    """The same radar model, one target at a time (the reference implementation)."""
    c = radar.cfg
    rng = radar.rng
    hits = 0
    for i in range(len(snap)):
        e, n, u = radar.frame.to_enu(float(snap.lat[i]), float(snap.lon[i]), float(snap.alt[i]))
        r, az, el = (float(v) for v in enu_to_bearing_elevation(e, n, u))
        in_view = c.range_min_m <= r <= c.range_max_m and c.elevation_min_deg <= el
        if not in_view:
            continue
        pd = float(radar.pd(np.array([r]), np.array([snap.rcs_m2[i]]))[0])
        if rng.uniform() < pd:
            mr = r + rng.normal(0.0, c.sigma_range_m)
            maz = az + rng.normal(0.0, c.sigma_azimuth_deg)
            mel = el + rng.normal(0.0, c.sigma_elevation_deg)
            radar.frame.to_geodetic(
                mr * np.cos(np.radians(mel)) * np.sin(np.radians(maz)),
                mr * np.cos(np.radians(mel)) * np.cos(np.radians(maz)),
                mr * np.sin(np.radians(mel)),
            )
            hits += 1
    return hits


def _time(fn: Any, repeat: int) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_radar() -> list[dict[str, Any]]:
    scn = load_scenario(SCENARIO)
    cfg = next(s for s in scn.sensors if isinstance(s, RadarConfig))
    rows = []
    for n in (10, 100, 1000):
        radar = Radar(cfg, np.random.default_rng(1))
        snap = ring(radar.frame, n, 5_000.0, rcs_m2=0.01)
        repeat = max(3, 2000 // n)
        vec = _time(lambda r=radar, s=snap: r.scan(s), repeat)
        loop = _time(lambda r=radar, s=snap: naive_radar_scan(r, s), max(3, repeat // 10))
        rows.append(
            {
                "targets": n,
                "vectorised_ms": vec * 1e3,
                "per_target_loop_ms": loop * 1e3,
                "speedup": loop / vec,
            }
        )
    return rows


def scaled(scn: Scenario, k: float) -> Scenario:
    """The scenario with every traffic rate and count multiplied by ``k``."""
    doc = scn.model_dump(mode="json", exclude={"source"})
    tr = doc["traffic"]
    tr["smugglers"]["per_hour"] *= k
    tr["overflights"]["per_hour"] *= k
    for fam in ("surveillance", "hobby", "birds"):
        tr[fam]["count"] = round(tr[fam]["count"] * k)
    for flow in tr["airports"]:
        flow["arrivals_per_hour"] = min(60.0, flow["arrivals_per_hour"] * k)
        flow["departures_per_hour"] = min(60.0, flow["departures_per_hour"] * k)
    return parse_scenario(doc)


def bench_simulation(duration_s: float = 600.0) -> list[dict[str, Any]]:
    base = load_scenario(SCENARIO)
    rows = []
    for k in (1, 4, 16):
        scn = scaled(base, k)
        sim = Simulation(scn, seed=1, duration_s=duration_s)
        truth = dets = 0
        t0 = time.perf_counter()
        for step in sim.steps():
            truth += len(step.truth)
            dets += len(step.detections)
            for p in step.truth:
                json.dumps(p.to_dict())
            for d in step.detections:
                json.dumps(d.to_dict())
        wall = time.perf_counter() - t0
        rows.append(
            {
                "traffic": f"{k}x",
                "targets_mean": truth / sim.n_ticks,
                "detections_per_s": dets / sim.n_ticks,
                "wall_s": wall,
                "sim_s_per_wall_s": sim.n_ticks / wall,
            }
        )
    return rows


def main() -> None:
    console = Console()
    load = os.getloadavg()
    radar_rows = bench_radar()
    sim_rows = bench_simulation()

    t1 = Table(title="radar scan: vectorised vs per-target loop (median ms per scan)")
    for col in ("targets", "vectorised ms", "per-target loop ms", "speedup"):
        t1.add_column(col, justify="right")
    for r in radar_rows:
        t1.add_row(
            str(r["targets"]),
            f"{r['vectorised_ms']:.2f}",
            f"{r['per_target_loop_ms']:.2f}",
            f"{r['speedup']:.0f}x",
        )
    console.print(t1)
    t2 = Table(title="whole simulation, 600 s of El Paso (records built and JSON-encoded)")
    for col in (
        "traffic",
        "targets in the air",
        "detections / s",
        "wall s",
        "simulated s per wall s",
    ):
        t2.add_column(col, justify="right")
    for r in sim_rows:
        t2.add_row(
            r["traffic"],
            f"{r['targets_mean']:.0f}",
            f"{r['detections_per_s']:.0f}",
            f"{r['wall_s']:.1f}",
            f"{r['sim_s_per_wall_s']:.0f}",
        )
    console.print(t2)
    console.print(f"load average at start {load[0]:.1f} (2 cores, shared)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "load_average_at_start": load[0],
                },
                "radar_scan": radar_rows,
                "simulation_600s": sim_rows,
            },
            indent=2,
        )
        + "\n"
    )
    console.print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
