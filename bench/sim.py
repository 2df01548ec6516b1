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

Two more measurements, each on its own flag (they take minutes, not seconds):

* ``--class-reports``: what the border towers' class reports look like on El Paso
  nights (simulator only): the realised P(declared | true) per true kind, and the mean
  stated confidence, from the simulator's answer key (which target each plot was).
* ``--chain``: the whole chain (simulate -> current tracker -> analyzer) scored against
  truth, to measure a simulator change apart from tracker changes: crossings found,
  false crossings and false zone entries per hour, and the share of bird tracks classed
  drone. A track is attributed to the truth target it is most often nearest to (within
  300 m of the track at an update; otherwise "clutter").

    .venv/bin/python bench/sim.py --class-reports --seeds 1 2 --hours 1
    .venv/bin/python bench/sim.py --chain --seeds 1 2 --hours 1 [--scenario FILE]

The machine is shared; the load average is recorded with the figures.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import platform
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from skywarden.geo import enu_to_bearing_elevation
from skywarden.sim import Simulation, load_scenario, parse_scenario
from skywarden.sim.calibration import ring
from skywarden.sim.scenario import CLASSIFIER_CLASSES, RadarConfig, Scenario
from skywarden.sim.sensors.radar import Radar
from skywarden.sim.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "el-paso.yaml"
RESULTS = ROOT / "bench" / "results" / "sim.json"
RESULTS_CLASS = ROOT / "bench" / "results" / "sim_class_reports.json"
RESULTS_CHAIN = ROOT / "bench" / "results" / "sim_chain.json"
ATTRIBUTION_M = 300.0


def naive_radar_scan(radar: Radar, snap: Snapshot) -> int:
    """The same radar model, one target at a time (the reference implementation)."""
    c = radar.cfg
    rng = radar.rng
    hits = 0
    for i in range(len(snap)):
        e, n, u = radar.frame.to_enu(float(snap.lat[i]), float(snap.lon[i]), float(snap.alt[i]))
        r, az, el = (float(np.asarray(v)) for v in enu_to_bearing_elevation(e, n, u))
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


def bench_class_reports(scenario: Path, seeds: list[int], hours: float) -> dict[str, Any]:
    """Realised class-report frequencies per true kind over whole runs (simulator only)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    conf: dict[str, list[float]] = defaultdict(list)
    for seed in seeds:
        sim = Simulation(load_scenario(scenario), seed=seed, duration_s=hours * 3600.0)
        for step in sim.steps():
            kind_of = {p.target: str(p.kind) for p in step.truth}
            for sensor in sim.sensors:
                if not isinstance(sensor, Radar) or sensor.classifier is None:
                    continue
                mine = [d for d in step.detections if d.sensor == sensor.id]
                truth = [kind_of[t] for t in sensor.last_seen]
                truth += ["clutter"] * (len(mine) - len(truth))  # false alarms come last
                for d, k in zip(mine, truth, strict=True):
                    counts[k][d.attrs["class_report"]] += 1
                    conf[k].append(float(d.attrs["class_confidence"]))
    return {
        "scenario": str(scenario.relative_to(ROOT) if scenario.is_relative_to(ROOT) else scenario),
        "seeds": seeds,
        "hours": hours,
        "plots": {k: sum(c.values()) for k, c in counts.items()},
        "declared_given_true": {
            k: {d: round(c[d] / max(sum(c.values()), 1), 4) for d in CLASSIFIER_CLASSES}
            for k, c in counts.items()
        },
        "mean_confidence": {k: round(float(np.mean(v)), 3) for k, v in conf.items() if v},
    }


def chain_run(scenario: Path, seed: int, hours: float) -> dict[str, Any]:
    """One seed through simulate -> tracker -> analyzer, with bird tracks attributed."""
    from skywarden.airspace.chain import run_chain

    frame = load_scenario(scenario).frame
    cur: dict[str, Any] = {"xy": np.zeros((0, 2)), "ids": []}
    kind_of: dict[str, str] = {}
    near: dict[str, Counter[str]] = defaultdict(Counter)
    n_up: Counter[str] = Counter()
    n_drone: Counter[str] = Counter()

    def on_truth(step: Any) -> None:
        snap = step.snapshot
        x, y, _ = frame.to_enu(snap.lat, snap.lon, np.zeros(len(snap)))
        cur["xy"] = np.column_stack([x, y]) if len(snap) else np.zeros((0, 2))
        cur["ids"] = [tg.id for tg in snap.targets]
        kind_of.update({tg.id: str(tg.kind) for tg in snap.targets})

    def on_updates(t: float, ups: list[Any]) -> None:
        xy = cur["xy"]
        for u in ups:
            tid = "none"
            if len(xy):
                d = np.hypot(xy[:, 0] - u.state[0], xy[:, 1] - u.state[1])
                i = int(np.argmin(d))
                tid = cur["ids"][i] if d[i] <= ATTRIBUTION_M else "none"
            near[u.track][tid] += 1
            n_up[u.track] += 1
            cp = u.class_probs
            n_drone[u.track] += int(bool(cp) and max(cp, key=lambda k: cp[k]) == "drone")

    t0 = time.perf_counter()
    res = run_chain(
        scenario, seed=seed, duration_s=hours * 3600.0, on_updates=on_updates, on_truth=on_truth
    )
    wall = time.perf_counter() - t0
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for trk, c in near.items():
        tid = c.most_common(1)[0][0]
        pk = per_kind["clutter" if tid == "none" else kind_of[tid]]
        pk["tracks"] += 1
        pk["updates"] += n_up[trk]
        pk["updates_drone"] += n_drone[trk]
        pk["tracks_ever_drone"] += int(n_drone[trk] > 0)
        pk["tracks_mostly_drone"] += int(2 * n_drone[trk] > n_up[trk])
    return {
        "seed": seed,
        "hours": hours,
        "wall_s": round(wall, 1),
        "scores": {k: s.to_dict() for k, s in res.scores.items()},
        "by_truth_kind": {k: dict(v) for k, v in per_kind.items()},
    }


def chain_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals over seeds: the four figures the simulator's notes report."""
    hours = sum(r["hours"] for r in runs)
    bc = [r["scores"]["border_crossing"] for r in runs]
    ze = [r["scores"]["zone_entry"] for r in runs]
    birds = [r["by_truth_kind"].get("bird", {}) for r in runs]
    b_up = sum(b.get("updates", 0) for b in birds)
    b_tr = sum(b.get("tracks", 0) for b in birds)
    return {
        "hours": hours,
        "crossings_true": sum(s["truth"] for s in bc),
        "crossings_found": sum(s["found"] for s in bc),
        "false_crossings_per_h": round(sum(s["false"] for s in bc) / hours, 2),
        "false_zone_entries_per_h": round(sum(s["false"] for s in ze) / hours, 2),
        "bird_tracks": b_tr,
        "bird_track_updates_classed_drone": round(
            sum(b.get("updates_drone", 0) for b in birds) / max(b_up, 1), 3
        ),
        "bird_tracks_mostly_drone": round(
            sum(b.get("tracks_mostly_drone", 0) for b in birds) / max(b_tr, 1), 3
        ),
    }


def main_evidence(args: argparse.Namespace) -> None:
    console = Console()
    load = os.getloadavg()
    scenario = Path(args.scenario).resolve()
    if args.class_reports:
        rep = bench_class_reports(scenario, args.seeds, args.hours)
        t = Table(title=f"class reports, border towers: P(declared | true), {rep['scenario']}")
        for col in ("true", "plots", *CLASSIFIER_CLASSES, "mean confidence"):
            t.add_column(col, justify="right")
        for k, row in rep["declared_given_true"].items():
            t.add_row(
                k,
                str(rep["plots"][k]),
                *(f"{row[c]:.3f}" for c in CLASSIFIER_CLASSES),
                f"{rep['mean_confidence'].get(k, float('nan')):.2f}",
            )
        console.print(t)
        rep["load_average_at_start"] = load[0]
        RESULTS_CLASS.write_text(json.dumps(rep, indent=1) + "\n")
        console.print(f"wrote {RESULTS_CLASS.relative_to(ROOT)}")
    if args.chain:
        runs = []
        for seed in args.seeds:
            runs.append(chain_run(scenario, seed, args.hours))
            console.print(f"seed {seed}: {runs[-1]['wall_s']:.0f} s")
        summ = chain_summary(runs)
        t = Table(title=f"whole chain on {scenario.name}, seeds {args.seeds}, {args.hours:g} h")
        for col in summ:
            t.add_column(col.replace("_", " "), justify="right")
        t.add_row(*(str(v) for v in summ.values()))
        console.print(t)
        RESULTS_CHAIN.write_text(
            json.dumps(
                {
                    "scenario": str(scenario),
                    "attribution_m": ATTRIBUTION_M,
                    "load_average_at_start": load[0],
                    "total": summ,
                    "runs": runs,
                },
                indent=1,
            )
            + "\n"
        )
        console.print(f"wrote {RESULTS_CHAIN.relative_to(ROOT)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--class-reports", action="store_true", help="class reports on El Paso")
    ap.add_argument("--chain", action="store_true", help="whole-chain figures")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--scenario", default=str(SCENARIO))
    args = ap.parse_args()
    if args.class_reports or args.chain:
        main_evidence(args)
        return
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
