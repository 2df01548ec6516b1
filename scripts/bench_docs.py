"""Write docs/benchmarks.md from bench/results/*.json, so the published figures are the
measured ones and cannot go stale by hand.

Each benchmark writes its own JSON shape; this renders every list of flat records as a
table (nested dicts flattened to dotted keys) and every scalar at the top as a line, under
a short statement of method kept here. `tests/test_docs.py` checks the page is current:
run `python scripts/bench_docs.py` after a benchmark.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# What each benchmark measures and how it is run: the method stays with the figures.
METHOD: dict[str, str] = {
    "tracking": (
        "skywarden's tracker and Stone Soup on the same detections in the same run, one "
        "core: 100 scans at 1 Hz, Pd 0.9, 10 m noise, clutter, births and deaths; the same "
        "logic on both sides (constant velocity, a 99.9 % Mahalanobis gate, confirmation on "
        "4 detections, deletion after 3 misses). `python bench/tracking.py`."
    ),
    "decisions": (
        "The whole chain (simulate -> track -> analyze) on the El Paso scenario, scored "
        "against the simulator's truth: runway-pause minutes and the share no true drone "
        "caused, false zone entries and crossings per hour, crossing recall, time to pause. "
        "`python bench/decisions.py --seeds 1 2 3 4 5 6 --hours 2`."
    ),
    "airspace_eval": (
        "Border crossings and zone entries found end to end (simulator -> tracker -> "
        "analyzer) and with a noisy-truth stand-in for the tracker; a true event is found by "
        "a detected one of the same direction or zone within 60 s and 100 m. "
        "`python bench/airspace_eval.py --seeds 1 2 3 4 5 6 --hours 1`."
    ),
    "held_out": (
        "What held-out quiet hours bound: every unit the incursion rule counts in a quiet "
        "sample of a run with almost no incursions (`month run --per-month 1`, seeds no "
        "rule was shaped on) is false; pooled, a one-sided 95 % Poisson bound on their rate, "
        "times the reference month's quiet sector-hours, over its truth. Reads results "
        "only: `python bench/held_out.py --extra bench/results/month_seedN_....json`."
    ),
    "handover": (
        "Hand-over between three overlapping sectors (8 km cores, 2 km margin) on the "
        "shipped border line: a drone along the border through all three per seed (global "
        "ids its updates carry, scans two sectors both reported, scans nobody reported), "
        "and a border crossing swept across the west/centre switch point with a real "
        "analyzer per sector (crossings reported). `python bench/handover.py`; "
        "docs/handover.md."
    ),
    "airspace": (
        "Point-in-zone tests for the El Paso zones beside shapely's STRtree and a plain "
        "loop (all give the same pairs), and a whole analysis step for 10,000 drone tracks. "
        "`python bench/airspace.py`."
    ),
    "ingest": (
        "Parsing throughput per format on one core, beside a peer decoder where one exists "
        "(pyModeS, asterix-decoder). `python bench/ingest.py`."
    ),
    "laser": (
        "A live hold-fire decision against 1,000 tracks, beside a plain per-track loop "
        "giving the same answers. `python bench/laser.py`."
    ),
    "service": (
        "WebSocket clients on loopback following 1,000 live tracks at 1 Hz, each scan "
        "committed first, while the REST API is polled. `python bench/service.py`."
    ),
    "sim": (
        "The simulator's speed against real time, and the vectorised radar scan against a "
        "per-target loop. `python bench/sim.py`."
    ),
    "evidence": (
        "The evidence hash chain off vs on: records hashed (and written) per second, "
        "`skywarden run` over 300 s of El Paso, and the pipeline committing 120 scans into "
        "SQLite; CPU seconds of the process, best of 3 (the machine is shared). "
        "`python bench/evidence.py`."
    ),
    "cluster": (
        "The cluster on loopback (issue 17): per-detection CPU of a worker; 4 sectors on "
        "1, 2 and 4 `skywarden worker` processes (a drained backlog for the ceiling, a "
        "paced load for p50/p99 detection -> step latency); the kill test (SIGKILL a worker, "
        "a NATS node, PostgreSQL down) with detections lost and applied twice. "
        "`python bench/cluster.py`; docs/scaling.md reads it."
    ),
    "astray_bearings_week": (
        "Whose bearings a finder named astray by the per-finder follow test carried "
        "(wave 30): the reference week (seed 1, days 1-7, all sectors) run with "
        "`classifier.rf_bias.per_finder: true`; for each bearing the named finder gave "
        "while a unit's track carried the verdict, the drone whose true azimuth lies "
        "nearest is its emitter (own: the track's drone; ambiguous: the next within one "
        "sigma). `python bench/astray_bearings.py --from WEEK --out ...`."
    ),
    "astray_bearings_week_astray_w34": (
        "Wave 30's `astray_bearings_week` again in wave 34, on another machine from a tree "
        "at f227b80 (the reference week with `per_finder: true`): the same rows. "
        "`python bench/astray_bearings.py --from WEEK --out ...`."
    ),
    "astray_bearings_week_withhold": (
        "The same for the reference week run with `per_finder` and `astray_withhold` "
        "(wave 34): the bearings counted are those the named finder gave while the verdict "
        "held, which withholding kept from the track. "
        "`python bench/astray_bearings.py --from WEEK --out ...`."
    ),
    "month_diff_week_withhold": (
        "The reference week (seed 1, days 1-7, all sectors, 16 lanes) with `per_finder` "
        "against `per_finder` + `astray_withhold`, one tree (f227b80), unit by unit "
        "(wave 34). `python bench/month_diff.py WEEK_ASTRAY WEEK_WITHHOLD --out ...`."
    ),
    "month_warmup60": (
        "The reference month (seed 1, 30 days, `--quiet-s 300`, 16 lanes) with 60 s "
        "warm-ups instead of 120 (wave 31): the same plan, alone on the cores. Its "
        "backgrounds are not the 120 s month's (a run's simulator seed comes from its "
        "first second, which the warm-up moves). `python bench/month.py --days 30 "
        "--workers 2 --seed 1 --quiet-s 300 --lanes 16 --warmup-s 60 --dir DIR`."
    ),
    "month_warmup60_w35": (
        "The same 60 s warm-up month again (wave 35), on that wave's machine, alone on "
        "its two cores, from a copy of src/ at ccad154: the same units as wave 31's, "
        "64.3 min. The command of `month_warmup60`."
    ),
    "month_diff_warmup60": (
        "The 120 s and 60 s warm-up months unit by unit (wave 31): "
        "`python bench/month_diff.py MONTH120 MONTH60`."
    ),
    "month_warmup60_bins": (
        "Planned drones counted, by seconds from their window's opening to their "
        "crossing, at 120 s and 60 s warm-ups (wave 31): "
        "`python bench/month_warmup.py MONTH120 MONTH60`."
    ),
    "month_speed_wave33_gc": (
        "Wave 33: the sector process collecting garbage less often (young threshold "
        "20,000, set-up frozen) against its parent, both trees in 16 lanes side by side, "
        "one core each: 1.00x, so reverted. `python bench/month_speed.py --base 7bda47e "
        "--tree 34d0fe1 --days 10 --sectors S86 --lanes 16 --base-lanes 16`."
    ),
    "month_speed_wave33_evidence": (
        "Wave 33: every reported row's evidence lines made in one pass over the columns "
        "(the same text) against its parent, as above: 1.04x, the same tracks. "
        "`python bench/month_speed.py --base 02457b3 --tree 8018dce --days 10 --sectors "
        "S86 --lanes 16 --base-lanes 16`."
    ),
    "month_speed_wave33_bearing_sites": (
        "Wave 33: a DF group's bearings fitted for all its sites (lanes) at once against "
        "its parent, as above: 1.00x with the same tracks, so reverted. `python "
        "bench/month_speed.py --base 8018dce --tree 02cc70b --days 10 --sectors S86 "
        "--lanes 16 --base-lanes 16`."
    ),
    "month_warmup_fed60": (
        "The reference month on the very skies of the 120 s month (wave 32): each "
        "run's 120 s warm-up simulated and seeded as there, the chain fed only its last "
        "60 s, alone on the cores. `python bench/month.py --days 30 --workers 2 --seed 1 "
        "--quiet-s 300 --lanes 16 --warmup-s 120 --warmup-fed-s 60 --dir DIR`."
    ),
    "month_diff_warmup_fed60": (
        "The 120 s month and the same skies fed 60 s of warm-up, unit by unit (wave 32): "
        "`python bench/month_diff.py MONTH120 FED60` (month_units files of each)."
    ),
    "month_warmup_fed60_bins": (
        "Planned drones counted, by seconds from their window's opening to their "
        "crossing, on the same skies with 120 s of warm-up fed and 60 s (wave 32): "
        "`python bench/month_warmup.py MONTH120 FED60`."
    ),
    "month_week_behind": (
        "The count's left-behind test on the reference week (wave 35): every unit of the "
        "default rule at `rf_behind_s` 0 and 120, side by side, with the finders each "
        "unit's tracks left behind (the week re-run here with the per-finder test on)."
    ),
    "month_week_astray": (
        "The per-finder follow test on the reference week (wave 30): every unit of the "
        "default rule at `rf_astray_s` 0 and 120 (`bench/month_units.py --all`), side by "
        "side, with the finders each unit's tracks named astray."
    ),
}

MAX_ROWS = 40


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if v != v:  # NaN
            return "-"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.4g}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v):
        return ", ".join(_fmt(x) for x in v)
    if v is None:
        return "-"
    return str(v).replace("|", "\\|").replace("\n", " ")


def _flat(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(_flat(v, key + "."))
        elif isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v):
            continue
        else:
            out[key] = v
    return out


def _table(rows: list[Mapping[str, Any]]) -> list[str]:
    flat = [_flat(r) for r in rows[:MAX_ROWS]]
    cols: list[str] = []
    for r in flat:
        cols.extend(c for c in r if c not in cols)
    lines = ["| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
    lines += ["| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |" for r in flat]
    if len(rows) > MAX_ROWS:
        lines.append(f"\n({len(rows) - MAX_ROWS} more rows in the JSON)")
    return lines


def _is_records(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, Mapping) for x in v)


def _sections(d: Mapping[str, Any], path: str, depth: int = 0) -> Iterable[str]:
    scalars = {k: v for k, v in d.items() if not isinstance(v, (Mapping, list))}
    scalars.update({k: v for k, v in d.items() if isinstance(v, list) and not _is_records(v)
                    and all(not isinstance(x, (Mapping, list)) for x in v)})
    for k, v in scalars.items():
        yield f"- {k}: {_fmt(v)}"
    if scalars:
        yield ""
    for k, v in d.items():
        where = f"{path}.{k}" if path else k
        if _is_records(v):
            yield f"**{where}**"
            yield ""
            yield from _table(v)
            yield ""
        elif isinstance(v, Mapping) and depth < 2:
            if v and all(isinstance(x, Mapping) for x in v.values()) and all(
                not any(isinstance(y, (Mapping, list)) for y in x.values()) for x in v.values()
            ):
                yield f"**{where}**"
                yield ""
                yield from _table([{"": name, **dict(x)} for name, x in v.items()])
                yield ""
            else:
                yield f"**{where}**"
                yield ""
                yield from _sections(v, where, depth + 1)


def render(results: Path) -> str:
    out = [
        "# Benchmarks",
        "",
        "Generated by `python scripts/bench_docs.py` from `bench/results/*.json`: every",
        "figure below is what the last run of that benchmark wrote, with the machine and its",
        "load. The machine is a shared 2-core one, so figures vary between runs; each",
        "benchmark runs its named peer in the same run, which is the fair comparison. Run all",
        "of them with `make bench`.",
        "",
    ]
    for f in sorted(results.glob("*.json")):
        data = json.loads(f.read_text())
        name = f.stem
        out += [f"## {name}", ""]
        if name in METHOD:
            out += [METHOD[name], ""]
        out.append(f"Source: [`bench/results/{f.name}`](../bench/results/{f.name})")
        out.append("")
        if isinstance(data, Mapping):
            out += list(_sections(data, ""))
        elif _is_records(data):
            out += _table(data)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    p.add_argument("--check", action="store_true", help="exit 1 if --out is not current")
    a = p.parse_args(argv)
    text = render(a.results)
    if a.check:
        current = a.out.read_text() if a.out.exists() else ""
        if current != text:
            print(f"{a.out} is out of date: run python scripts/bench_docs.py", file=sys.stderr)
            return 1
        return 0
    a.out.write_text(text)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
