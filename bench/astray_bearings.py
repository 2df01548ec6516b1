"""Whose bearings a finder named astray carried: the track's own drone's or another's.

The tracker's per-finder follow test (``classifier.rf_bias.per_finder``, off by default)
names a finder in ``TrackUpdate.rf_astray`` when that finder's bearings stood still while
the track swept across them. On a bird that is the point of it (a bird on a drone's ray);
on a planned drone's track it is either a false verdict or a true one about bearings that
were not the drone's. This tells the two apart from the simulator's truth: for every
bearing the named finder gave while the track carried the verdict, the drone whose true
azimuth from the finder lies nearest the measured bearing is its emitter (the simulator's
finders hear only drones with a link). ``own``: the target the track followed (the true
target nearest the track, within 300 m, most often, as ``bench/month.py`` attributes);
``other``: another drone; ``ambiguous``: the two nearest azimuths lie within one bearing
sigma of each other.

A diagnostic that reads truth, as ``bench/month_units.py`` does; no count does.

    python bench/astray_bearings.py --from WEEK --out bench/results/astray_bearings.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from skywarden.geo import LocalFrame
from skywarden.model import Detection, TargetClass, TruthPoint
from skywarden.tracking.files import sector_frame

sys.path.insert(0, str(Path(__file__).resolve().parent))
from month_units import judge  # the benches next door
from track_story import _bearing, _wrap, finder_sites, nearest, track_updates, window

#: the track's own drone: the nearest true target within this distance (bench/month.py's)
NEAR_M = 300.0


def _emitter(
    b: Detection, site: np.ndarray, drones: list[TruthPoint], frame: LocalFrame
) -> tuple[TruthPoint, bool]:
    """The drone nearest the bearing in azimuth from the finder's ``site`` (ENU), and
    whether the next lies within a bearing sigma of it."""
    assert b.bearing is not None
    m = b.bearing.bearing_deg
    offs = sorted(
        (
            (abs(_wrap(m - _bearing(frame, site, q.lat, q.lon, q.alt_m))), i)
            for i, q in enumerate(drones)
        ),
    )
    close = len(offs) > 1 and offs[1][0] - offs[0][0] < b.bearing.sigma_deg
    return drones[offs[0][1]], close


def judge_track(sector: Path, track: str) -> dict[str, Any] | None:
    """One track's astray bearings by emitter (None: the track never carried a verdict)."""
    ups = track_updates(sector, track)
    named = sorted({f for u in ups for f in u.rf_astray})
    if not named:
        return None
    frame = sector_frame(sector)
    if frame is None:
        raise SystemExit(f"{sector}: no sector.json (the frame's origin)")
    truth, dets = window(sector, ups[0].t, ups[-1].t)
    sites = finder_sites(dets, frame)
    near = Counter(k for k, _, _ in nearest(ups, truth, frame, NEAR_M) if k)
    own = near.most_common(1)[0][0] if near else None
    tally: Counter[str] = Counter()
    roles: Counter[str] = Counter()
    for u in ups:
        drones = [q for q in truth.get(round(u.t, 3), []) if q.kind is TargetClass.DRONE]
        for b in dets.get(round(u.t, 3), []):
            if b.sensor not in u.rf_astray or b.bearing is None or not drones:
                continue
            q, close = _emitter(b, sites[b.sensor][0], drones, frame)
            kind = "ambiguous" if close else ("own" if q.target == own else "other")
            tally[kind] += 1
            if kind == "other":
                roles[q.role] += 1
    return {
        "track": track,
        "own_drone": own,
        "finders": named,
        "updates_astray": sum(1 for u in ups if u.rf_astray),
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
    if not rs:
        print(
            f"{a.src}: no unit's track carries an rf_astray verdict (was it run with"
            " classifier.rf_bias.per_finder: true?)",
            file=sys.stderr,
        )
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
