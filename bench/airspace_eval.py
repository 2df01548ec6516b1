"""Evaluation: border crossings and zone entries found on simulated El Paso nights.

For each seed, runs ``scenarios/el-paso.yaml`` through the simulator, the tracker and
the analyzer (:func:`skywarden.airspace.chain.run_chain`) and matches detected events to
the simulator's truth: a true event is *found* by a detected event of the same kind and
direction (crossings) or zone (entries) within 60 s and 100 m. Reported per seed and in
total, for the whole chain (``recall``) and for the events the tracker had a track on
(``recall_observable``: the airspace stage's own share), with false events per hour
split into those on real drones and those on other targets classed as drones.

The same seeds also run with the truth stand-in (noisy truth instead of the tracker)
to show the airspace logic alone, labelled as such.

    .venv/bin/python bench/airspace_eval.py [--seeds 1 2 3 4] [--hours 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from skywarden.airspace.chain import run_chain
from skywarden.airspace.evaluate import Score

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "el-paso.yaml"


def total(scores: list[Score], kind: str) -> Score:
    t = Score(kind)
    for s in scores:
        t.truth += s.truth
        t.found += s.found
        t.false += s.false
        t.hours += s.hours
        t.observable += s.observable
        t.found_observable += s.found_observable
        t.false_on_drones += s.false_on_drones
        t.false_on_others += s.false_on_others
        t.dt_s += s.dt_s
        t.dist_m += s.dist_m
    return t


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        return out.stdout.strip()
    except OSError:
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    ap.add_argument("--hours", type=float, default=1.0)
    args = ap.parse_args()
    console = Console()
    load_before = os.getloadavg()
    runs = []
    by_source: dict[str, dict[str, list[Score]]] = {}
    for tracker in (True, False):
        for seed in args.seeds:
            t0 = time.perf_counter()
            res = run_chain(SCENARIO, seed=seed, duration_s=args.hours * 3600.0, tracker=tracker)
            wall = time.perf_counter() - t0
            runs.append(
                {
                    "seed": seed,
                    "source": res.source,
                    "hours": args.hours,
                    "wall_s": round(wall, 1),
                    "seconds": {k: round(v, 1) for k, v in res.seconds.items()},
                    "updates": res.n_updates,
                    "scores": {k: s.to_dict() for k, s in res.scores.items()},
                }
            )
            for kind, s in res.scores.items():
                by_source.setdefault(res.source, {}).setdefault(kind, []).append(s)
            console.print(f"seed {seed} {res.source}: {wall:.0f} s")
    totals = {
        src: {kind: total(sc, kind).to_dict() for kind, sc in kinds.items()}
        for src, kinds in by_source.items()
    }
    table = Table(title=f"El Paso, seeds {args.seeds}, {args.hours:g} h each")
    cols = (
        "source",
        "events",
        "true",
        "found",
        "recall",
        "tracked",
        "recall tracked",
        "false/h",
        "false drone/other",
        "median s / m",
    )
    for c in cols:
        table.add_column(c)
    for src, kinds in totals.items():
        for kind, d in kinds.items():
            table.add_row(
                src,
                kind,
                str(d["truth"]),
                str(d["found"]),
                str(d["recall"]),
                str(d["observable"]),
                str(d["recall_observable"]),
                str(d["false_per_hour"]),
                f"{d['false_on_drones']}/{d['false_on_others']}",
                f"{d['median_dt_s']} / {d['median_dist_m']}",
            )
    console.print(table)
    out = ROOT / "bench" / "results" / "airspace_eval.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "airspace_eval",
                "commit": _commit(),
                "scenario": "scenarios/el-paso.yaml",
                "criteria": "same direction (crossings) or zone (entries), within 60 s and 100 m",
                "loadavg_before": [round(v, 2) for v in load_before],
                "loadavg_after": [round(v, 2) for v in os.getloadavg()],
                "totals": totals,
                "runs": runs,
            },
            indent=1,
        )
    )
    console.print(f"wrote {out}")


if __name__ == "__main__":
    main()
