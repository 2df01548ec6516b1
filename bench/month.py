"""The border-wide month through the whole chain, counted three ways against its truth.

Runs ``skywarden month run --out DIR --days N --workers W`` (the command a user runs:
every sensed sector's incursion windows and sampled quiet time through simulator ->
tracker -> analyzer with its response policy), then counts the month with
``skywarden.analytics.compute_stats`` (the ``skywarden stats`` code) and compares with
``truth_incursions.jsonl``. Writes ``bench/results/month.json`` and prints the table:

* wall time per stage: simulate, track, analyze (the analyzer's response policy, the
  "response" stage, runs inside it and is included), counting; each sector process
  times its own stages, so under contention these are wall seconds *inside* the
  processes; ``cpu_s`` is the processes' CPU time, the figure to extrapolate from;
* incursions in truth (all, and in sensed stretches), counted under each rule (alert,
  track, de-duplicated incursion; each event weighted by its window's weight, see
  docs/month.md), the coverage-adjusted estimate with its interval, and each count's
  error against truth;
* the simulated share: seconds simulated in incursion windows and in quiet samples,
  and the mean quiet-sample weight (what was sampled rather than simulated).

    .venv/bin/python bench/month.py [--days 1] [--workers 2] [--seed 1] [--quiet-s 300]
        [--surveillance-share 0]
        [--sectors S80,S81] [--dir DIR | --from DIR] [--out FILE] [--table-only]

``--from DIR`` re-counts an existing month directory without running it; ``--dir DIR``
keeps the month there (default: a temporary directory, removed after counting).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from airspace_eval import _commit  # the bench next door
from month_split import estimate_split, split_row

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("simulate", "track", "analyze")
#: truth roles of drones that are not the month's incursions (sim/traffic/drones.py)
BACKGROUND_DRONES = ("hobby", "surveillance", "smuggler")
#: the background roles whose flights launch in Mexico (hobby pilots stand in the US)
LAUNCH_IN_MEXICO = ("surveillance", "smuggler")


def month_command(args: argparse.Namespace, month: Path) -> list[str]:
    """The ``skywarden month run`` command line for ``args`` (see :func:`parser`)."""
    exe = Path(sys.executable).with_name("skywarden")
    cmd = [str(exe), "month", "run", "--out", str(month), "--days", f"{args.days:g}"]
    cmd += ["--workers", str(args.workers), "--seed", str(args.seed)]
    cmd += ["--quiet-s", f"{args.quiet_s:g}"]
    if args.surveillance_share:
        cmd += ["--surveillance-share", f"{args.surveillance_share:g}"]
    if args.warmup_s is not None:
        cmd += ["--warmup-s", f"{args.warmup_s:g}"]
    if args.warmup_fed_s is not None:
        cmd += ["--warmup-fed-s", f"{args.warmup_fed_s:g}"]
    if args.sectors:
        cmd += ["--sectors", args.sectors]
    if args.resume:
        cmd += ["--resume"]
    if args.lanes is not None:
        cmd += ["--lanes", str(args.lanes)]
    if args.tracker_config is not None:
        cmd += ["--tracker-config", str(args.tracker_config)]
    return cmd


def run_month(args: argparse.Namespace, month: Path) -> float:
    """``skywarden month run``; its wall seconds."""
    cmd = month_command(args, month)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t0


def truth_records(month: Path) -> list[dict[str, Any]]:
    """The month's ``truth_incursions.jsonl``, one record per planned incursion."""
    lines = (month / "truth_incursions.jsonl").read_text().splitlines()
    return [json.loads(x) for x in lines]


def truth_counts(month: Path) -> dict[str, Any]:
    """Incursions in truth: all, in sensed stretches, in simulated sectors, re-crossing.

    A month stopped part-way (some sensed sectors not finished: analytics leaves them out
    of the counts and the coverage) is compared on what it covers: ``sensed`` and ``all``
    then hold the truth of the finished sectors' stretches (plus the unsensed ones for
    ``all``), and ``whole_border_all`` the whole border's.
    """
    recs = truth_records(month)
    todo = unfinished(month)
    scope = [r for r in recs if r["sector"] not in todo]
    out: dict[str, Any] = {
        "all": len(scope),
        "sensed": sum(r["sector"] is not None for r in scope),
        "unsensed": sum(r["sector"] is None for r in scope),
        "simulated": sum(bool(r.get("simulated")) for r in scope),
        "recross": sum(bool(r["recross"]) for r in scope),
    }
    if todo:
        out["whole_border_all"] = len(recs)
        out["unfinished_sectors"] = sorted(todo)
    return out


def unfinished(month: Path) -> set[str]:
    """Sensed, simulated sectors of the plan without a finished run directory."""
    border = json.loads((month / "border.json").read_text())
    return {
        str(s["id"])
        for s in border["sectors"]
        if s.get("simulated")
        and not (month / "sectors" / str(s["id"]) / "incidents.json").is_file()
    }


def count(month: Path, params: Any = None) -> tuple[dict[str, Any] | None, float, Any]:
    """The counts engineer's ``stats_of`` on the month (the ``skywarden stats`` code),
    its wall seconds, and the loaded material (the diagnostics below reuse it);
    ``params``, a ``CountingRule`` (None: the default rule)."""
    try:
        from skywarden.analytics import sources
        from skywarden.analytics.stats import stats_of
    except ImportError:
        return None, 0.0, None
    t0 = time.perf_counter()
    mat = sources.load(month)
    stats = stats_of(mat, params=params)
    return stats.model_dump(), time.perf_counter() - t0, mat


def sampling(border: dict[str, Any], todo: AbstractSet[str] = frozenset()) -> dict[str, Any]:
    """Simulated seconds by window kind and the quiet samples' mean weight, over the
    finished sectors (``todo``: the plan's sectors a stopped month has not run, which
    the counts leave out, so their samples must not be in the hours either)."""
    inc = quiet = warmup = unfed = 0.0
    weights: list[tuple[float, float]] = []
    done = [s for s in border["sectors"] if str(s["id"]) not in todo]
    for s in done:
        for w in s.get("windows", []):
            span = float(w["end_t"]) - float(w["start_t"])
            if w["kind"] == "incursion":
                inc += span
            elif w["kind"] == "warmup":  # simulated, counted with weight 0
                warmup += span
                unfed += float(w["start_t"]) - float(w.get("sky_from_t", w["start_t"]))
            else:
                quiet += span
                weights.append((span, float(w["weight"])))
    sensed = sum(1 for s in done if s.get("simulated"))
    full = sensed * (float(border["end_t"]) - float(border["start_t"]))
    wq = sum(a * b for a, b in weights) / quiet if quiet else None
    return {
        "sectors_simulated": sensed,
        "sector_seconds_in_span": full,
        "incursion_window_s": inc,
        "quiet_sample_s": quiet,
        "warmup_s": warmup,
        "simulated_share": round((inc + quiet + warmup + unfed) / full, 5) if full else None,
        "quiet_mean_weight": round(wq, 2) if wq is not None else None,
        "quiet_s_per_day": border["sampling"]["quiet_s_per_day"],
        "warmup_s_per_window": border["sampling"].get("warmup_s", 0.0),
        **(
            {"warmup_fed_s": border["sampling"]["warmup_fed_s"], "warmup_unfed_s": unfed}
            if "warmup_fed_s" in border["sampling"]
            else {}
        ),
    }


def composition(units: dict[str, list[Any]]) -> dict[str, Any]:
    """Per rule: units in incursion windows (weight 1) and the weighted count from quiet
    samples with its Poisson standard error (sqrt of the sum of squared weights); units
    in warm-ups (weight 0) are not counted units (analytics leaves them out)."""
    out: dict[str, Any] = {}
    for rule, us in units.items():
        quiet = [u.weight for u in us if u.weight > 1.0]
        out[rule] = {
            "in_windows": sum(1 for u in us if 0.0 < u.weight <= 1.0),
            "quiet_units": len(quiet),
            "from_quiet_samples": round(sum(quiet), 1),
            "from_quiet_samples_se": round(sum(w * w for w in quiet) ** 0.5, 1),
        }
    return out


def attribution(
    month: Path,
    units: dict[str, list[Any]],
    roles: dict[str, str] | None = None,
    targets: dict[str, str] | None = None,
) -> dict[str, dict[str, float]]:
    """Per list of units, what they were (weighted): the role of the nearest true target
    at the unit's time within 300 m ("month drone" for a month incursion, else the truth
    role: bird, hobby, surveillance...; "nothing" beyond 300 m). ``roles`` and
    ``targets`` collect each unit's role and target id. A diagnostic that reads the
    simulator's truth; the counts themselves never do."""
    import gzip
    from collections import defaultdict

    from skywarden.geo import distance_m

    want: dict[str, set[float]] = defaultdict(set)
    for us in units.values():
        for u in us:
            want[_sector_dir(u)].add(float(round(u.t)))
    rows: dict[tuple[str, float], list[dict[str, Any]]] = defaultdict(list)
    for sector, times in want.items():
        path = month / "sectors" / sector / "truth.jsonl.gz"
        if not path.is_file():
            continue
        with gzip.open(path, "rt") as fh:
            for line in fh:
                t = float(line[5 : line.index(",")])  # lines start {"t":T,
                if t in times:
                    rows[(sector, t)].append(json.loads(line))
    out: dict[str, dict[str, float]] = {}
    for name, us in units.items():
        tally: dict[str, float] = defaultdict(float)
        for u in us:
            best = (300.0, "nothing", "")
            for r in rows.get((_sector_dir(u), float(round(u.t))), []):
                d = float(distance_m(u.lat, u.lon, r["lat"], r["lon"]))
                if d < best[0]:
                    role = "month drone" if str(r["target"]).startswith("inc-") else r["role"]
                    best = (d, role, str(r["target"]))
            tally[best[1]] += u.weight
            if roles is not None:
                roles[u.id] = best[1]
            if targets is not None:
                targets[u.id] = best[2]
        out[name] = {k: round(v, 1) for k, v in sorted(tally.items())}
    return out


def by_family(
    month: Path, counted: list[Any], apart: list[Any], targets: dict[str, str]
) -> dict[str, dict[str, int]]:
    """Per incursion family (smuggler, watcher): the planned flights in truth and over
    sensed stretches whose sectors ran; those a counted unit was attributed to, over
    such stretches and elsewhere (``counted_unsensed``: an unsensed stretch, or a sector
    ``--sectors`` left out, that a neighbour's sensors saw); those only set apart. By
    the attribution above: a diagnostic that reads truth."""
    truth = [json.loads(line) for line in (month / "truth_incursions.jsonl").open()]
    family = {t["id"]: t.get("family", "smuggler") for t in truth}
    got = {targets.get(u.id, "") for u in counted}
    held = {targets.get(u.id, "") for u in apart} - got
    out: dict[str, dict[str, int]] = {}
    for f in sorted(set(family.values())):
        mine = [t for t in truth if family[t["id"]] == f]
        # over sensed stretches whose sectors ran (``--sectors`` runs only some)
        seen = [t for t in mine if t["sector"] and t.get("simulated", True)]
        seen_ids = {t["id"] for t in seen}
        out[f] = {
            "truth": len(mine),
            "sensed": len(seen),
            "counted_sensed": sum(1 for t in seen if t["id"] in got),
            "counted_unsensed": sum(1 for t in mine if t["id"] in got - seen_ids),
            "set_apart": sum(1 for t in mine if t["id"] in held),
        }
    return out


def background_truth(month: Path, finished: set[str]) -> dict[str, Any]:
    """Northbound border crossings of the scenario's own drones (hobby, surveillance and
    smuggler flights that are not the month's planned incursions) in the simulated
    windows, weighted like the counts (1 in incursion windows, quiet time / sampled quiet
    time in quiet samples, 0 in warm-ups), from each sector's ``truth.jsonl.gz``.

    These are real drone incursions the month's truth file does not list: a count that
    finds them is right, so the comparison "against every drone that crossed" adds them.
    The same crossing seen by two overlapping sectors' simulations is found in both;
    kept once when the two are within 60 s and 1 km (the duplicate rule's gates).
    """
    import gzip

    from skywarden import refdata
    from skywarden.airspace.evaluate import TruthEvents
    from skywarden.airspace.zone_index import ZoneIndex
    from skywarden.geo import LocalFrame, distance_m
    from skywarden.model import TruthPoint

    border = refdata.border_line()
    found: list[tuple[float, float, float, str, float, str]] = []
    for sector in sorted(finished):
        run = month / "sectors" / sector
        origin = json.loads((run / "sector.json").read_text())["origin"]
        frame = LocalFrame(float(origin["lat"]), float(origin["lon"]), float(origin["alt_m"]))
        wins = json.loads((run / "windows.json").read_text())["windows"]
        te = TruthEvents(frame, ZoneIndex(frame, []), border)
        t_prev: float | None = None
        batch: list[TruthPoint] = []
        roles: dict[str, str] = {}
        with gzip.open(run / "truth.jsonl.gz", "rt") as fh:
            for line in fh:
                if '"kind":"drone"' not in line or '"target":"inc-' in line:
                    continue
                p = TruthPoint.from_dict(json.loads(line))
                if t_prev is None or p.t != t_prev:
                    te.step(batch)
                    batch = []
                    if t_prev is not None and p.t - t_prev > 2.0:  # a new run of windows
                        found += _crossings(te, roles, wins, sector)
                        te = TruthEvents(frame, ZoneIndex(frame, []), border)
                    t_prev = p.t
                roles[p.target] = p.role
                batch.append(p)
        te.step(batch)
        found += _crossings(te, roles, wins, sector)
    found.sort()
    kept: list[tuple[float, float, float, str, float, str]] = []
    for c in found:  # the same crossing simulated by two overlapping sectors: once
        if any(
            k[5] != c[5] and abs(k[0] - c[0]) <= 60.0 and distance_m(k[1], k[2], c[1], c[2]) <= 1e3
            for k in kept[-50:]
        ):
            continue
        kept.append(c)
    by_role: dict[str, float] = {}
    for _, _, _, role, w, _ in kept:
        by_role[role] = by_role.get(role, 0.0) + w
    return {
        "weighted": round(sum(c[4] for c in kept), 1),
        "crossings": sum(1 for c in kept if c[4] > 0.0),
        "by_role": {k: round(v, 1) for k, v in sorted(by_role.items())},
    }


def _crossings(
    te: Any, roles: dict[str, str], wins: list[dict[str, Any]], sector: str
) -> list[tuple[float, float, float, str, float, str]]:
    out = []
    for e in te.events:
        if e.kind != "border_crossing" or e.key != "northbound":
            continue
        w = next(
            (float(x["weight"]) for x in wins if float(x["start_t"]) <= e.t <= float(x["end_t"])),
            0.0,
        )
        out.append((e.t, e.lat, e.lon, roles.get(e.target, "?"), w, sector))
    return out


def _sector_dir(u: Any) -> str:
    """The sector whose run simulated the unit (its first track's), not the owner of the
    stretch it is reported under."""
    return str(u.tracks[0].split("/", 1)[0]) if u.tracks else str(u.sector)


def set_apart(mat: Any, params: Any = None) -> dict[str, dict[str, Any]]:
    """The units the incursion rule set apart, weighted, per kind: ``suspected`` (step
    4, by reason: evidence, position or across), ``from_us`` and ``origin_unseen`` (step 5)."""
    from collections import defaultdict

    from skywarden.analytics import counting

    out: dict[str, dict[str, Any]] = {}
    judged = [
        (u, k, why or "")
        for u, k, why in counting.judged(mat, params=params)
        if k and u.weight > 0.0
    ]
    for kind in ("suspected", "from_us", "origin_unseen"):
        us = [(u, why) for u, k, why in judged if k == kind]
        entry: dict[str, Any] = {
            "count": round(sum(u.weight for u, _ in us), 1),
            "units": len(us),
        }
        if kind == "suspected":
            reasons: dict[str, float] = defaultdict(float)
            for u, why in us:
                reasons[_reason_kind(why)] += u.weight
            entry["by_reason"] = {k: round(v, 1) for k, v in sorted(reasons.items())}
        entry["_units"] = [u for u, _ in us]
        entry["_why"] = {u.id: why for u, why in us}
        out[kind] = entry
    return out


def _reason_kind(why: str) -> str:
    """The kind of step 4's reason: evidence, position at the line, or not shown across."""
    if why.startswith("independent"):
        return "evidence"
    return "across" if why.startswith("not shown") else "position"


def periods(mat: Any, month: Path, split_days: float, params: Any = None) -> list[dict[str, Any]]:
    """The incursion rule and the estimate before and after ``split_days`` into the
    month, against the truth of each part: the evidence check's thresholds were chosen
    on the first two days of an earlier run, so the later days are the held-out test."""
    from skywarden.analytics.stats import stats_of

    border = json.loads((month / "border.json").read_text())
    t0, t1 = float(border["start_t"]), float(border["end_t"])
    cut = t0 + split_days * 86400.0
    recs = truth_records(month)
    todo = unfinished(month)  # a month stopped part-way: compared on what it covers
    out = []
    for a, b, name in ((t0, cut, f"days 1-{split_days:g}"), (cut, t1, f"after day {split_days:g}")):
        if b <= a:
            continue
        st = stats_of(mat.clipped(a, b), params=params)
        truth = [r for r in recs if a <= float(r["t"]) < b and r["sector"] not in todo]
        cov = st.coverage
        entry: dict[str, Any] = {
            "period": name,
            "truth_all": len(truth),
            "truth_sensed": sum(r["sector"] is not None for r in truth),
            "counted": {c.rule: c.count for c in st.counts},
        }
        if cov is not None:
            entry["estimate"] = {"estimated": cov.estimated, "low": cov.low, "high": cov.high}
            entry["estimate_error_vs_all_truth"] = _err(cov.estimated, len(truth))
        entry["incursion_error_vs_sensed_truth"] = _err(
            st.count("incursion"), entry["truth_sensed"]
        )
        inc = next(c for c in st.counts if c.rule == "incursion")
        entry["set_apart"] = {
            "suspected": inc.suspected,
            "from_us": inc.from_us,
            "origin_unseen": inc.origin_unseen,
        }
        out.append(entry)
    return out


def _err(counted: float, truth: int) -> float | None:
    return round((counted - truth) / truth, 4) if truth else None


def summarise(
    month: Path,
    wall: float,
    stats: dict[str, Any] | None,
    count_s: float,
    mat: Any = None,
    split_days: float = 2.0,
    params: Any = None,
) -> dict[str, Any]:
    border = json.loads((month / "border.json").read_text())
    runs = border.get("sector_runs", [])
    stage = {
        k: round(sum(float(r.get("seconds", {}).get(k, 0.0)) for r in runs), 1) for k in STAGES
    }
    cpu = round(sum(float(r.get("cpu_s", 0.0)) for r in runs), 1)
    truth = truth_counts(month)
    days = float(border["days"])
    out: dict[str, Any] = {
        "days": days,
        "seed": border["seed"],
        "wall_s": round(wall, 1),
        "stage_s": {**stage, "respond": "inside analyze", "count": round(count_s, 1)},
        "cpu_s": cpu,
        "month_estimate": {
            "wall_s_same_load": round(wall * 30.0 / days, 0) if wall else None,
            "cpu_s": round(cpu * 30.0 / days, 0),
            "wall_s_two_free_cores": round(cpu * 30.0 / days / 2.0, 0),
            "note": "linear in days (windows scale with incursions, quiet samples with days)",
        },
        "sampling": sampling(border, unfinished(month)),
        "truth": truth,
    }
    if stats is None:
        out["counts"] = "skywarden.analytics not available on this branch"
        return out
    counts = {c["rule"]: c for c in stats["counts"]}
    out["counts"] = {
        rule: {
            "count": c["count"],
            "units": c.get("units"),
            "method": c["method"],
            "error_vs_sensed_truth": _err(c["count"], truth["sensed"]),
            "error_vs_all_truth": _err(c["count"], truth["all"]),
        }
        for rule, c in counts.items()
    }
    from skywarden.analytics import RULES, counting

    units: dict[str, list[Any]] = {rule: counting.count(mat, rule, params=params) for rule in RULES}
    apart = set_apart(mat, params)
    out["composition"] = composition(units)
    roles: dict[str, str] = {}
    targets: dict[str, str] = {}
    apart_units = {k: v.pop("_units") for k, v in apart.items()}
    out["attribution"] = attribution(month, {**units, **apart_units}, roles=roles, targets=targets)
    out["families"] = by_family(
        month, units["incursion"], [u for us in apart_units.values() for u in us], targets
    )
    for kind, entry in apart.items():
        why = entry.pop("_why")
        # the month's planned drones a check set apart, each with its reason: its cost
        # (suspected: every real drone, background ones too)
        keep = ("month drone",) if kind != "suspected" else None
        entry["real_drones"] = [
            {"unit": k, "what": roles.get(k), "why": w}
            for k, w in sorted(why.items())
            if (roles.get(k) in keep if keep else roles.get(k) not in (None, "bird", "nothing"))
        ]
        out[kind] = entry
    out["periods"] = periods(mat, month, split_days, params)
    # Background drones (the scenario's own hobby, surveillance and smuggler flights, not
    # the month's) cross the line too: true drone incursions the truth file does not list.
    counted_bg = sum(
        v for k, v in out["attribution"]["incursion"].items() if k in BACKGROUND_DRONES
    )
    out["background_drones_counted"] = round(counted_bg, 1)
    done = {s.id for s in mat.sectors if s.simulated}
    bg = background_truth(month, done)
    out["background_truth"] = bg
    every = round(truth["sensed"] + bg["weighted"])
    out["every_drone_sensed_truth"] = every
    out["incursion_error_vs_every_drone_sensed"] = _err(out["counts"]["incursion"]["count"], every)
    # Flights from Mexico: the planned incursions and the background drones that launch
    # in Mexico (surveillance patrols, the scenario's own smugglers; hobby pilots stand
    # in the US, sim/traffic/drones.py), the truth step 5 of the rule aims at.
    from_mx = round(
        truth["sensed"] + sum(v for k, v in bg["by_role"].items() if k in LAUNCH_IN_MEXICO)
    )
    out["from_mexico_sensed_truth"] = from_mx
    out["incursion_error_vs_from_mexico_sensed"] = _err(
        out["counts"]["incursion"]["count"], from_mx
    )
    cov = stats.get("coverage")
    if cov:
        out["estimate"] = {
            "counted": cov["counted"],
            "estimated": cov["estimated"],
            "low": cov["low"],
            "high": cov["high"],
            "confidence": cov["confidence"],
            "error_vs_all_truth": _err(cov["estimated"], truth["all"]),
            "truth_inside_interval": cov["low"] <= truth["all"] <= cov["high"],
            "method": cov["method"],
        }
        every_all = round(truth["all"] + bg["weighted"])
        out["estimate"]["every_drone_truth"] = every_all
        out["estimate"]["error_vs_every_drone"] = _err(cov["estimated"], every_all)
        out["estimate"]["every_drone_inside_interval"] = cov["low"] <= every_all <= cov["high"]
        mx_all = round(truth["all"] + from_mx - truth["sensed"])
        out["estimate"]["from_mexico_truth"] = mx_all
        out["estimate"]["error_vs_from_mexico"] = _err(cov["estimated"], mx_all)
        out["estimate"]["from_mexico_inside_interval"] = cov["low"] <= mx_all <= cov["high"]
        recs = truth_records(month)
        out["estimate_split"] = estimate_split(
            border, recs, cov.get("segments", []), unfinished(month)
        )
    return out


def table(r: dict[str, Any]) -> Table:
    t = Table(title=f"border month: {r['days']:g} days, seed {r['seed']}")
    t.add_column("what")
    t.add_column("value", justify="right")
    t.add_column("note")
    t.add_row("wall, whole run", f"{r['wall_s']:.0f} s", f"CPU {r['cpu_s']:.0f} s")
    for k, v in r["stage_s"].items():
        t.add_row(f"stage: {k}", f"{v} s" if isinstance(v, float) else str(v), "")
    est = r["month_estimate"]
    t.add_row("30 days, 2 free cores", f"{est['wall_s_two_free_cores']:.0f} s", "from CPU s")
    s = r["sampling"]
    t.add_row(
        "simulated share", f"{s['simulated_share']}", f"quiet weight ~{s['quiet_mean_weight']}"
    )
    tr = r["truth"]
    t.add_row(
        "truth: incursions", str(tr["all"]), f"{tr['sensed']} sensed, {tr['unsensed']} unsensed"
    )
    if isinstance(r["counts"], dict):
        for rule, c in r["counts"].items():
            t.add_row(
                f"counted per {rule}",
                str(c["count"]),
                f"vs sensed truth {_pct(c['error_vs_sensed_truth'])},"
                f" vs all {_pct(c['error_vs_all_truth'])}",
            )
        for rule, c in r.get("composition", {}).items():
            t.add_row(
                f"  {rule}: in windows / from quiet",
                f"{c['in_windows']} / {c['from_quiet_samples']:.0f}",
                f"{c['quiet_units']} sampled units, SE {c['from_quiet_samples_se']:.0f}",
            )
    else:
        t.add_row("counts", "-", str(r["counts"]))
    for rule, parts in r.get("attribution", {}).items():
        t.add_row(
            f"  {rule}: what was counted", "", ", ".join(f"{k} {v:.0f}" for k, v in parts.items())
        )
    for fam, f in r.get("families", {}).items():
        t.add_row(
            f"  planned {fam}s: counted / sensed",
            f"{f['counted_sensed']} / {f['sensed']}",
            f"{f['truth']} in truth; set apart {f['set_apart']}; and {f['counted_unsensed']}"
            " over unsensed (or unrun) stretches, counted by a neighbour's sensors",
        )
    if "background_truth" in r:
        bg = r["background_truth"]
        t.add_row(
            "truth: background drones",
            f"{bg['weighted']:.0f}",
            f"{bg['crossings']} crossings simulated ("
            + ", ".join(f"{k} {v:.0f}" for k, v in bg["by_role"].items())
            + f"); counted {r['background_drones_counted']:.0f}",
        )
        t.add_row(
            "  incursion rule vs every drone",
            f"{r['every_drone_sensed_truth']}",
            f"sensed truth + background: {_pct(r['incursion_error_vs_every_drone_sensed'])}",
        )
    if "from_mexico_sensed_truth" in r:
        t.add_row(
            "  incursion rule vs flights from Mexico",
            f"{r['from_mexico_sensed_truth']}",
            "sensed truth + background launched in Mexico: "
            f"{_pct(r['incursion_error_vs_from_mexico_sensed'])}",
        )
    sus = r.get("suspected")
    if sus:
        t.add_row(
            "  suspected, not counted",
            f"{sus['count']:.0f}",
            f"{sus['units']} units; "
            + ", ".join(f"{k} {v:.0f}" for k, v in sus["by_reason"].items()),
        )
    for kind, label in (("from_us", "from the US side"), ("origin_unseen", "where from unseen")):
        a = r.get(kind)
        if a:
            t.add_row(
                f"  {label}, not counted",
                f"{a['count']:.0f}",
                f"{a['units']} units; planned incursions among them: {len(a['real_drones'])}",
            )
    for p in r.get("periods", []):
        est = p.get("estimate")
        t.add_row(
            f"  {p['period']}: truth / counted",
            f"{p['truth_all']} / {p['counted'].get('incursion')}",
            f"sensed truth {p['truth_sensed']} ({_pct(p['incursion_error_vs_sensed_truth'])})"
            + (
                f"; estimated {est['estimated']:.0f} [{est['low']:.0f}, {est['high']:.0f}]"
                f" ({_pct(p['estimate_error_vs_all_truth'])})"
                if est
                else ""
            ),
        )
    e = r.get("estimate")
    if e:
        t.add_row(
            "estimated (coverage)",
            f"{e['estimated']:.0f}",
            f"[{e['low']:.0f}, {e['high']:.0f}] {e['confidence']:.0%};"
            f" error {_pct(e['error_vs_all_truth'])}"
            + (
                f"; vs every drone {_pct(e['error_vs_every_drone'])}"
                if "error_vs_every_drone" in e
                else ""
            )
            + (
                f"; vs flights from Mexico {_pct(e['error_vs_from_mexico'])}"
                if "error_vs_from_mexico" in e
                else ""
            ),
        )
    if "estimate_split" in r:
        t.add_row(*split_row(r["estimate_split"]))
    return t


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:+.1%}"


def parser() -> argparse.ArgumentParser:
    """The bench's options (a function, so a test can check what ``run_month`` reads)."""
    ap = argparse.ArgumentParser(description="A border month through the chain, counted.")
    ap.add_argument("--days", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quiet-s", type=float, default=300.0)
    ap.add_argument(
        "--surveillance-share",
        type=float,
        default=0.0,
        help="month run's --surveillance-share (watchers: cross, watch, go home)",
    )
    ap.add_argument(
        "--warmup-s", type=float, default=None, help="month run's --warmup-s (default: its own)"
    )
    ap.add_argument(
        "--warmup-fed-s",
        type=float,
        default=None,
        help="month run's --warmup-fed-s (a study of the warm-up on the same skies)",
    )
    ap.add_argument("--sectors", default=None, help="comma-separated sector ids")
    ap.add_argument("--dir", type=Path, default=None, help="keep the month here")
    ap.add_argument("--from", dest="src", type=Path, default=None, help="count this month dir")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "month.json")
    ap.add_argument("--table-only", action="store_true")
    ap.add_argument(
        "--wall-s", type=float, default=None, help="with --from: the run's measured wall time"
    )
    ap.add_argument("--note", default="", help="a remark stored with the results")
    ap.add_argument(
        "--split-days",
        type=float,
        default=2.0,
        help="report the incursion rule before and after this many days (the evidence "
        "check was chosen on days 1-2 of an earlier run: the rest is held out)",
    )
    ap.add_argument("--run-commit", default="", help="with --from: the commit the month was run at")
    ap.add_argument(
        "--resume",
        action="store_true",
        help="with --dir: keep the sectors a stopped month already finished (month run --resume)",
    )
    ap.add_argument(
        "--lanes",
        type=int,
        default=None,
        help="month run's --lanes: each sector's windows side by side through one tracker "
        "(default: month run's own; 1: one chain per sector)",
    )
    ap.add_argument(
        "--tracker-config",
        type=Path,
        default=None,
        help="month run's --tracker-config: tracker settings YAML for every sector",
    )
    ap.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="count with this parameter of the rule set (CountingRule's field names, e.g. "
        "line_first_m=0); repeatable; recorded in the result as rule_params",
    )
    return ap


def parse_params(items: list[str], prog: str = "month") -> dict[str, Any]:
    """``NAME=VALUE`` items as the rule's parameters, or a clear exit naming the bad one."""
    from dataclasses import fields

    from skywarden.analytics.counting import CountingRule

    kinds = {f.name: int if f.type in (int, "int") else float for f in fields(CountingRule)}
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or name not in kinds:
            raise SystemExit(f"{prog}: --param {item!r}: NAME=VALUE, NAME one of {sorted(kinds)}")
        try:
            out[name] = kinds[name](value)
        except ValueError:
            raise SystemExit(f"{prog}: --param {item!r}: {value!r} is not a number") from None
    return out


def main() -> None:
    args = parser().parse_args()
    console = Console()
    if args.table_only:
        console.print(table(json.loads(args.out.read_text())["result"]))
        return
    load_before = os.getloadavg()
    tmp = None
    if args.src is not None:
        month = args.src
        wall = float(
            json.loads((month / "border.json").read_text()).get("run", {}).get("wall_s", 0)
        )
        wall = args.wall_s if args.wall_s is not None else wall
    else:
        month = args.dir or Path(tempfile.mkdtemp(prefix="month-"))
        tmp = None if args.dir else month
        wall = run_month(args, month)
    asked = parse_params(args.param)
    params = None
    if asked:
        from skywarden.analytics.counting import CountingRule

        params = CountingRule(**asked)
    stats, count_s, mat = count(month, params)
    result = summarise(month, wall, stats, count_s, mat, args.split_days, params)
    result["rule_params"] = asked
    if args.run_commit:
        result["run_commit"] = args.run_commit
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)
    console.print(table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "month",
                "commit": _commit(),
                "command": "skywarden month run --out DIR --days N --workers W --seed S"
                " --quiet-s Q; then skywarden.analytics.compute_stats(DIR)",
                "args": {k: str(v) for k, v in vars(args).items()},
                "note": args.note,
                "loadavg_before": [round(v, 2) for v in load_before],
                "loadavg_after": [round(v, 2) for v in os.getloadavg()],
                "result": result,
            },
            indent=1,
        )
        + "\n"
    )
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
