"""Whose bearings a finder named astray carried: the track's own drone's or another's.

The tracker's per-finder follow test (``classifier.rf_bias.per_finder``, off by default)
names a finder in ``TrackUpdate.rf_astray`` when that finder's bearings stood still while
the track swept across them. On a bird that is the point of it (a bird on a drone's ray);
on a planned drone's track it is either a false verdict or a true one about bearings that
were not the drone's. This tells the two apart from the simulator's truth: for every
bearing the named finder gave while the track carried the verdict, the drone whose true
azimuth from the finder lies nearest the measured bearing is its emitter (the simulator's
finders hear only drones with a link). ``own``: the drone the track followed (the true
drone nearest the track, within 300 m, most often, as ``bench/month.py`` attributes);
``other``: another drone; ``ambiguous``: the two nearest azimuths lie within one bearing
sigma of each other.

A diagnostic that reads truth, as ``bench/month_units.py`` does; no count does.

    python bench/astray_bearings.py --from WEEK --out bench/results/astray_bearings.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from pyproj import Geod
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from month_units import judge  # the bench next door

#: the track's own drone: the nearest true drone within this distance (bench/month.py's)
NEAR_M = 300.0
_GEOD = Geod(ellps="WGS84")

Truth = dict[float, dict[str, tuple[float, float, str]]]


def _track_updates(sector: Path, track: str) -> dict[float, dict[str, Any]]:
    key = f'"{track}"'
    out = {}
    with (sector / "tracks.jsonl").open() as f:
        for line in f:
            if key in line:
                u = json.loads(line)
                if u["track"] == track:
                    out[float(u["t"])] = u
    return out


def _open(sector: Path, stem: str) -> Any:
    gz = sector / f"{stem}.jsonl.gz"
    return gzip.open(gz, "rt") if gz.is_file() else (sector / f"{stem}.jsonl").open()


def _bearings(sector: Path, finders: set[str], t0: float, t1: float) -> dict[float, list[dict]]:
    out: dict[float, list[dict]] = defaultdict(list)
    with _open(sector, "detections") as f:
        for line in f:
            if '"kind":"rf"' not in line:
                continue
            d = json.loads(line)
            if t0 <= d["t"] <= t1 and d["sensor"] in finders:
                out[float(d["t"])].append(d)
    return out


def _drones(sector: Path, t0: float, t1: float) -> Truth:
    out: Truth = defaultdict(dict)
    with _open(sector, "truth") as f:
        for line in f:
            if '"kind":"drone"' not in line:
                continue
            p = json.loads(line)
            if t0 <= p["t"] <= t1:
                out[float(p["t"])][p["target"]] = (p["lat"], p["lon"], p["role"])
    return out


def _own_drone(ups: dict[float, dict[str, Any]], truth: Truth) -> str | None:
    near: Counter[str] = Counter()
    for t, u in ups.items():
        best = min(
            (
                (_GEOD.inv(u["lon"], u["lat"], lon, lat)[2], k)
                for k, (lat, lon, _) in truth.get(t, {}).items()
            ),
            default=None,
        )
        if best is not None and best[0] <= NEAR_M:
            near[best[1]] += 1
    return near.most_common(1)[0][0] if near else None


def _emitter(b: dict[str, Any], drones: dict[str, tuple[float, float, str]]) -> tuple[str, bool]:
    """The drone nearest the bearing in azimuth, and whether the next lies within a sigma."""
    br = b["bearing"]
    offs = []
    for k, (lat, lon, _) in drones.items():
        az = _GEOD.inv(br["sensor_lon"], br["sensor_lat"], lon, lat)[0] % 360.0
        offs.append((abs((br["bearing_deg"] - az + 180.0) % 360.0 - 180.0), k))
    offs.sort()
    close = len(offs) > 1 and offs[1][0] - offs[0][0] < float(br["sigma_deg"])
    return offs[0][1], close


def judge_track(sector: Path, track: str) -> dict[str, Any] | None:
    """One track's astray bearings by emitter (None: the track never carried a verdict)."""
    ups = _track_updates(sector, track)
    named = {f for u in ups.values() for f in u.get("rf_astray") or []}
    if not named:
        return None
    t0, t1 = min(ups), max(ups)
    bearings = _bearings(sector, named, t0, t1)
    truth = _drones(sector, t0, t1)
    own = _own_drone(ups, truth)
    tally: Counter[str] = Counter()
    roles: Counter[str] = Counter()
    for t, u in ups.items():
        for b in bearings.get(t, []):
            if b["sensor"] not in (u.get("rf_astray") or []) or not truth.get(t):
                continue
            k, close = _emitter(b, truth[t])
            kind = "ambiguous" if close else ("own" if k == own else "other")
            tally[kind] += 1
            if kind == "other":
                roles[truth[t][k][2]] += 1
    return {
        "track": track,
        "own_drone": own,
        "finders": sorted(named),
        "updates_astray": sum(1 for u in ups.values() if u.get("rf_astray")),
        "updates": len(ups),
        "bearings_own": tally["own"],
        "bearings_other": tally["other"],
        "bearings_ambiguous": tally["ambiguous"],
        "other_roles": dict(roles),
    }


def rows(month: Path, **changed: Any) -> list[dict[str, Any]]:
    """Every unit with a track that carried a verdict, its verdict and truth, by track."""
    out = []
    for u in judge(month, **changed):
        for tk in u["tracks"]:
            sector, track = tk.split("/", 1)
            r = judge_track(month / "sectors" / sector, track)
            if r is not None:
                out.append(
                    {
                        "unit": u["unit"],
                        "sector": sector,
                        "verdict": u["verdict"],
                        "truth": u["truth"],
                        **r,
                    }
                )
    return out


def table(rs: list[dict[str, Any]]) -> Table:
    t = Table(title="bearings of a finder named astray, by their emitter (truth)")
    for c in (
        "unit",
        "sector",
        "verdict",
        "truth",
        "finders",
        "astray",
        "own",
        "other",
        "ambiguous",
        "other roles",
    ):
        t.add_column(c)
    for r in rs:
        t.add_row(
            r["unit"],
            r["sector"],
            r["verdict"],
            r["truth"],
            ",".join(r["finders"]),
            f"{r['updates_astray']}/{r['updates']}",
            str(r["bearings_own"]),
            str(r["bearings_other"]),
            str(r["bearings_ambiguous"]),
            ", ".join(f"{k} {v}" for k, v in sorted(r["other_roles"].items())),
        )
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--from",
        dest="src",
        type=Path,
        required=True,
        help="a month directory run with classifier.rf_bias.per_finder: true",
    )
    ap.add_argument("--out", type=Path, default=None, help="write the rows and totals (JSON)")
    a = ap.parse_args()
    if not (a.src / "border.json").is_file():
        ap.error(f"--from {a.src}: no border.json (not a month directory)")
    rs = rows(a.src)
    Console().print(table(rs))
    totals: dict[str, dict[str, int]] = {}
    for r in rs:
        cell = totals.setdefault(r["truth"], {"tracks": 0, "own": 0, "other": 0, "ambiguous": 0})
        cell["tracks"] += 1
        for k in ("own", "other", "ambiguous"):
            cell[k] += r[f"bearings_{k}"]
    print(json.dumps(totals, indent=1))
    if a.out is not None:
        doc = {
            "benchmark": "astray_bearings",
            "command": " ".join(sys.argv),
            "month": str(a.src),
            "totals_by_truth": totals,
            "rows": rs,
        }
        a.out.write_text(json.dumps(doc, indent=1) + "\n")
        print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
