"""Every shipped border sector through ``skywarden run``: crossings recall, false
crossings per hour and runway pause minutes.

For each sector (El Paso, Laredo - Nuevo Laredo, Nogales) and seed, runs the command
``skywarden run SCENARIO --out DIR --seed N --duration S`` (the same code path a user
runs: simulator -> tracker -> analyzer, scored against the simulator's truth by
``airspace/evaluate.py``) and reads its ``evaluation.json`` and ``incidents.json``.
Scores are summed over seeds with ``bench/airspace_eval.py``'s ``total``. Writes
``bench/results/sectors.json`` and prints the table.

    .venv/bin/python bench/sectors.py [--seeds 1 2] [--hours 1] [--sectors laredo nogales]
        [--new yuma=KNYL,MMML --new del-rio=KDRT,MMCC] [--workers 2] [--out FILE]

``--new NAME=ICAO,ICAO`` adds a sector no test was written for, made by
``skywarden sector new --airport ICAO ...`` into a temporary directory (the generation
is deterministic, so the row is reproducible from the airports alone). The table also
gives zone entries (recall and false entries per hour), summed the same way.

Pause minutes come from ``airspace/report.py restricted_minutes`` (minutes each runway
end had arrivals / departures paused): per hour of data, for the most affected runway
end (the larger of its arrivals and departures figures), and summed over every runway
end and both kinds. ``--table-only`` re-prints the table from the results file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from skywarden.airspace.evaluate import Score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from airspace_eval import _commit, total  # the bench next door

ROOT = Path(__file__).resolve().parents[1]
SECTORS = {
    "el-paso": ROOT / "scenarios" / "el-paso.yaml",
    "laredo": ROOT / "scenarios" / "laredo.yaml",
    "nogales": ROOT / "scenarios" / "nogales.yaml",
}
SCORE_FIELDS = (
    "truth",
    "found",
    "false",
    "hours",
    "observable",
    "found_observable",
    "false_on_drones",
    "false_on_others",
)


def _score(d: dict[str, Any]) -> Score:
    s = Score(str(d["kind"]))
    for k in SCORE_FIELDS:
        setattr(s, k, d[k])
    return s


def run_one(scenario: Path, seed: int, seconds: float, out: Path) -> dict[str, Any]:
    """One ``skywarden run``; its evaluation and pause minutes."""
    exe = Path(sys.executable).with_name("skywarden")
    cmd = [str(exe), "run", str(scenario), "--out", str(out), "--seed", str(seed)]
    cmd += ["--duration", f"{seconds:g}"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    ev = json.loads((out / "evaluation.json").read_text())
    meta = json.loads((out / "incidents.json").read_text()).get("meta", {})
    minutes = meta.get("restricted_minutes", {})
    pause = sum(float(v) for kinds in minutes.values() for v in kinds.values())
    return {
        "seed": seed,
        "hours": seconds / 3600.0,
        "wall_s": round(wall, 1),
        "scores": ev["scores"],
        "restricted_minutes": minutes,
        "pause_minutes": round(pause, 1),
        "updates": ev["updates"],
    }


def worst_end_minutes(minutes: dict[str, dict[str, float]]) -> float:
    """Minutes the most affected runway end had arrivals or departures paused."""
    return max((max(kinds.values()) for kinds in minutes.values() if kinds), default=0.0)


def new_sector(name: str, airports: list[str], into: Path) -> Path:
    """``skywarden sector new`` for ``airports``; the scenario file it wrote."""
    exe = Path(sys.executable).with_name("skywarden")
    out = into / f"{name}.yaml"
    cmd = [str(exe), "sector", "new", "--out", str(out)]
    for icao in airports:
        cmd += ["--airport", icao]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return out


def _parse_new(spec: str) -> tuple[str, list[str]]:
    name, sep, icaos = spec.partition("=")
    airports = [a.strip().upper() for a in icaos.split(",") if a.strip()]
    if not sep or not name or not airports:
        raise argparse.ArgumentTypeError(f"--new wants NAME=ICAO,ICAO, got {spec!r}")
    return name, airports


def summarise(name: str, runs: list[dict[str, Any]], scenario: str | None = None) -> dict[str, Any]:
    """One sector's runs summed over seeds (scores with airspace_eval's ``total``)."""
    crossings = total([_score(r["scores"]["border_crossing"]) for r in runs], "border_crossing")
    entries = total([_score(r["scores"]["zone_entry"]) for r in runs], "zone_entry")
    hours = sum(float(r["hours"]) for r in runs)
    pause = sum(float(r["pause_minutes"]) for r in runs)
    worst = sum(worst_end_minutes(r["restricted_minutes"]) for r in runs)
    return {
        "scenario": scenario or str(SECTORS[name].relative_to(ROOT)),
        "border_crossing": crossings.to_dict(),
        "zone_entry": entries.to_dict(),
        "hours": hours,
        "pause_minutes": round(pause, 1),
        "pause_minutes_per_hour": round(pause / hours, 1) if hours else None,
        "worst_end_pause_minutes_per_hour": round(worst / hours, 1) if hours else None,
        "runs": runs,
    }


def table(results: dict[str, dict[str, Any]], seeds: list[int], hours: float) -> Table:
    t = Table(title=f"skywarden run on each sector, seeds {seeds}, {hours:g} h each (tracker)")
    cols = (
        "sector",
        "true crossings",
        "found",
        "recall",
        "recall tracked",
        "false crossings/h",
        "zone entry recall",
        "false zone entries/h",
        "pause min/h, worst runway end",
        "pause min/h, all runway ends",
    )
    for col in cols:
        t.add_column(col)
    for name, s in results.items():
        c = s["border_crossing"]
        t.add_row(
            name,
            str(c["truth"]),
            str(c["found"]),
            str(c["recall"]),
            str(c["recall_observable"]),
            str(c["false_per_hour"]),
            str(s["zone_entry"]["recall"]) if "zone_entry" in s else "-",
            str(s["zone_entry"]["false_per_hour"]) if "zone_entry" in s else "-",
            str(s["worst_end_pause_minutes_per_hour"]),
            str(s["pause_minutes_per_hour"]),
        )
    return t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--sectors", nargs="+", choices=sorted(SECTORS), default=list(SECTORS))
    ap.add_argument(
        "--new",
        type=_parse_new,
        action="append",
        default=[],
        metavar="NAME=ICAO,ICAO",
        help="also run a sector generated by `skywarden sector new` for these airports",
    )
    ap.add_argument("--workers", type=int, default=1, help="runs at once (2 cores)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "sectors.json")
    ap.add_argument(
        "--table-only", action="store_true", help="re-print the table from the results file"
    )
    args = ap.parse_args()
    console = Console()
    out = args.out
    if args.table_only:
        doc = json.loads(out.read_text())
        results = {n: summarise(n, s["runs"], s.get("scenario")) for n, s in doc["sectors"].items()}
        console.print(table(results, doc["seeds"], doc["hours_each"]))
        return
    load_before = os.getloadavg()
    results = {}
    with tempfile.TemporaryDirectory(prefix="sectors-new-") as gen:
        scenarios = {name: SECTORS[name] for name in args.sectors}
        labels = {name: str(SECTORS[name].relative_to(ROOT)) for name in args.sectors}
        for name, airports in args.new:
            scenarios[name] = new_sector(name, airports, Path(gen))
            labels[name] = "skywarden sector new " + " ".join(f"--airport {a}" for a in airports)

        def one(job: tuple[str, int]) -> dict[str, Any]:
            name, seed = job
            with tempfile.TemporaryDirectory(prefix=f"sectors-{name}-") as tmp:
                r = run_one(scenarios[name], seed, args.hours * 3600.0, Path(tmp))
            console.print(f"{name} seed {seed}: {r['wall_s']} s")
            return r

        jobs = [(name, seed) for name in scenarios for seed in args.seeds]
        with ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
            done = list(pool.map(one, jobs))
        for name in scenarios:
            runs = [r for (n, _), r in zip(jobs, done, strict=True) if n == name]
            results[name] = summarise(name, runs, labels[name])
    console.print(table(results, args.seeds, args.hours))
    out.write_text(
        json.dumps(
            {
                "benchmark": "sectors",
                "commit": _commit(),
                "command": "skywarden run SCENARIO --out DIR --seed N --duration S",
                "seeds": args.seeds,
                "hours_each": args.hours,
                "criteria": "same direction, within 60 s and 100 m of the true crossing",
                "pause_minutes": "runway-end minutes paused (arrivals or departures), summed"
                " over runway ends (all) or of the most affected end (worst)",
                "loadavg_before": [round(v, 2) for v in load_before],
                "loadavg_after": [round(v, 2) for v in os.getloadavg()],
                "sectors": results,
            },
            indent=1,
        )
    )
    console.print(f"wrote {out}")


if __name__ == "__main__":
    main()
