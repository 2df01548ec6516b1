"""Replay the airspace stage alone on cached tracker output: crossings and zone entries.

The simulator and the tracker take minutes per hour of a sector; the analyzer takes
seconds. To compare event rules on the same tracks, ``cache`` runs simulate -> track once
per (scenario, seed) and pickles every scan's track updates with the truth events;
``replay`` runs the analyzer of the code on ``PYTHONPATH`` over them and scores it with
:func:`skywarden.airspace.evaluate.match` (the matching of ``skywarden run``: same
direction / zone within 60 s and 100 m). It prints, per cache and in total: recall,
false events per hour, what the false ones were near (the nearest truth target within
200 m at that second: bird, drone, manned or none), and how late events were reported
(``reported_after_s``: median, p90, max).

    .venv/bin/python bench/event_replay.py cache scenarios/el-paso.yaml 1 1 /tmp/ep1.pkl
    .venv/bin/python bench/event_replay.py replay /tmp/ep1.pkl /tmp/la1.pkl [--json OUT]

The cache is a pickle of this code's own objects: read only caches you wrote.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np


def cache(scenario: str, seed: int, hours: float, out: Path) -> None:
    from skywarden import refdata
    from skywarden.airspace.evaluate import PositionLog, TruthEvents
    from skywarden.airspace.zone_index import ZoneIndex
    from skywarden.airspace.zones import sector_zones
    from skywarden.sim import Simulation, load_scenario
    from skywarden.tracking import Tracker, TrackerConfig

    scn = load_scenario(scenario)
    sim = Simulation(scn, seed=seed, duration_s=hours * 3600.0)
    frame = scn.frame
    index = ZoneIndex(frame, sector_zones(frame, airports=list(scn.sector.airports)))
    truth = TruthEvents(frame, index, refdata.border_line())
    trk = Tracker(frame, TrackerConfig())
    steps: list[tuple[float, list[Any]]] = []
    seen = PositionLog()
    t0 = time.perf_counter()
    t = sim.t_start
    for st in sim.steps():
        t = st.t
        truth.step(st.truth)
        ups = trk.step(t, st.detections)
        if ups:
            seen.add(t, [u.lat for u in ups], [u.lon for u in ups], ["track"] * len(ups))
        steps.append((t, ups))
    final = trk.finish()
    if final:
        steps.append((t, final))
    doc = {
        "scenario": scenario,
        "seed": seed,
        "duration_s": sim.duration_s,
        "steps": steps,
        "truth_events": truth.events,
        "truth_positions": truth.positions,
        "seen": seen,
    }
    out.write_bytes(pickle.dumps(doc))
    print(f"{out}: {len(steps)} scans in {time.perf_counter() - t0:.0f} s")


def replay_one(path: Path) -> dict[str, Any]:
    from skywarden import refdata
    from skywarden.airspace.analyzer import Analyzer, AnalyzerConfig
    from skywarden.airspace.evaluate import match
    from skywarden.airspace.policy import load_policy
    from skywarden.airspace.zones import sector_zones
    from skywarden.sim import load_scenario

    c = pickle.loads(path.read_bytes())
    scn = load_scenario(c["scenario"])
    frame = scn.frame
    country = str(getattr(scn.sector, "country", None) or "US")
    zones = sector_zones(frame, airports=list(scn.sector.airports))
    an = Analyzer(
        frame, zones, refdata.border_line(), load_policy(), AnalyzerConfig(country=country)
    )
    events = []
    t0 = time.perf_counter()
    t = c["steps"][0][0] if c["steps"] else 0.0
    for t, ups in c["steps"]:
        events += an.step(t, ups).events
    events += an.finish(t).events
    wall = time.perf_counter() - t0
    hours = c["duration_s"] / 3600.0
    out: dict[str, Any] = {"cache": str(path), "hours": hours, "analyze_s": round(wall, 1)}
    for kind in ("border_crossing", "zone_entry"):
        s = match(
            c["truth_events"],
            events,
            kind,
            hours,
            tracks=c["seen"],
            truth_positions=c["truth_positions"],
        )
        mine = [e for e in events if e.kind == kind]
        late = [float(e.attrs.get("reported_after_s", 0.0)) for e in mine]
        # What each false event was near: recompute match's unmatched set the same way.
        near: Counter[str] = Counter()
        unmatched = _unmatched(c["truth_events"], mine, kind)
        for e in unmatched:
            got = c["truth_positions"].near(e.t, e.lat, e.lon, 200.0, window_s=0)
            near[got[0][1] if got else "none"] += 1
        out[kind] = {
            "truth": s.truth,
            "found": s.found,
            "false": s.false,
            "false_near": dict(near),
            "reported_after_s": [
                round(float(np.median(late)), 1),
                round(float(np.percentile(late, 90)), 1),
                round(max(late), 1),
            ]
            if late
            else None,
        }
    return out


def _unmatched(truth: list[Any], de: list[Any], kind: str) -> list[Any]:
    from skywarden.geo import distance_m

    key = "direction" if kind == "border_crossing" else "zone"
    used: set[int] = set()
    for te in sorted((e for e in truth if e.kind == kind), key=lambda e: e.t):
        cand = [
            i
            for i, e in enumerate(de)
            if i not in used
            and str(e.attrs.get(key)) == te.key
            and abs(e.t - te.t) <= 60.0
            and float(distance_m(te.lat, te.lon, e.lat, e.lon)) <= 100.0
        ]
        if cand:
            used.add(min(cand, key=lambda i: abs(de[i].t - te.t)))
    return [e for i, e in enumerate(de) if i not in used]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("cache", help="simulate and track once; pickle the scans")
    c.add_argument("scenario")
    c.add_argument("seed", type=int)
    c.add_argument("hours", type=float)
    c.add_argument("out", type=Path)
    r = sub.add_parser("replay", help="the analyzer on PYTHONPATH over cached scans")
    r.add_argument("caches", type=Path, nargs="+")
    r.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    if args.cmd == "cache":
        cache(args.scenario, args.seed, args.hours, args.out)
        return
    rows = []
    tot = {k: Counter[str]() for k in ("border_crossing", "zone_entry")}
    hours = 0.0
    print("| cache | h | crossings found | false crossings/h | entries found | false entries/h |")
    print("|---|---:|---:|---:|---:|---:|")
    for p in args.caches:
        o = replay_one(p)
        rows.append(o)
        hours += o["hours"]
        bc, ze = o["border_crossing"], o["zone_entry"]
        for k in tot:
            tot[k].update({f: o[k][f] for f in ("truth", "found", "false")})
        print(
            f"| {p.name} | {o['hours']:g} | {bc['found']}/{bc['truth']} | "
            f"{bc['false'] / o['hours']:.1f} | {ze['found']}/{ze['truth']} | "
            f"{ze['false'] / o['hours']:.1f} |",
            flush=True,
        )
    bc, ze = tot["border_crossing"], tot["zone_entry"]
    print(
        f"| total | {hours:g} | {bc['found']}/{bc['truth']}"
        f" ({bc['found'] / max(bc['truth'], 1):.3f})"
        f" | {bc['false'] / hours:.2f} | {ze['found']}/{ze['truth']}"
        f" ({ze['found'] / max(ze['truth'], 1):.3f}) | {ze['false'] / hours:.2f} |"
    )
    if args.json:
        args.json.write_text(json.dumps({"runs": rows}, indent=1))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
