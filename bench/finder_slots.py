"""Diagnostic: a track's per-finder RF slots, step by step, as the tracker saw them.

The per-finder follow test (``classifier.rf_bias.per_finder``) names a direction finder
*astray* on a track when that finder's recent bearings stood still while the track's
azimuth from it swept (``tracking/rf_bias.py``). When a unit a person can see was another
emitter's goes unnamed (wave 34: the S27 bird of held-out seed 30), the question is what
the slot held: how much weight, how wide a sweep, what share of it the bearings followed.
The tracker keeps only the faded sums, so this replays detections through a tracker with
the given settings and reads every slot after every step:

- ``w``: the slot's faded bearings' worth (the verdict needs ``astray_min_weight``);
- ``sweep_sd_deg``: the weighted sd of the track's azimuth from the finder over them;
- ``sweep_ok`` / ``ratio``: the sweep's floors (``astray_min_sweep_sigmas`` of the
  bearings' error, ``follow_sweep`` squared times the track's own azimuth variance);
- ``share`` and ``se``: the share of the sweep the bearings followed (1: the track's own
  link, 0: an emitter elsewhere on the ray) and its standard error;
- ``astray``: the tracker's own verdict (``RfBias.astray``) for that slot.

Only the bearings inside the track's gate reach a slot; what the finder reported outside
it is not here (``bench/track_story.py`` reads those). Replay a sector window's
detections (a ``sector.json`` beside them gives the frame)::

    .venv/bin/python bench/finder_slots.py --detections DIR/detections.jsonl \\
        --config astray.yaml [--track 385] [--every 30] [--out slots.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from skywarden.tracking import Tracker
from skywarden.tracking.config_file import load_config
from skywarden.tracking.files import iter_detections, resolve_frame
from skywarden.tracking.rf_bias import RfBias


def slot_rows(t: float, tracker: Tracker, only: int | None) -> list[dict[str, Any]]:
    """Every filled finder slot of every live track (or of track ``only``) after a step."""
    core = tracker.core
    clf = core.classifier
    a, n = core.table.a, core.table.n
    if clf is None or n == 0 or "c_rf_fslot" not in a:
        return []
    rb: RfBias = clf.rf_bias
    names = {i: s for s, i in core.bearings.finder_ids.items()}
    verdict = rb.astray({k: a[k][:n] for k in ("c_rf_fslot", "c_rf_fsums")})
    rows = []
    for r in range(n):
        tid = int(a["id"][r])
        if only is not None and tid != only:
            continue
        for j in np.flatnonzero(a["c_rf_fslot"][r] >= 0):
            rows.append(_row(t, tid, names.get(int(a["c_rf_fslot"][r, j]), "?"), rb, a, r, int(j)))
            rows[-1]["astray"] = bool(verdict[r, j])
    return rows


def _row(t: float, tid: int, finder: str, rb: RfBias, a: Any, r: int, j: int) -> dict[str, Any]:
    """One slot's terms, as ``RfBias.astray`` tests them (``RfBias.astray_terms``)."""
    p = {k: float(v[0]) for k, v in rb.astray_terms(a["c_rf_fsums"][r, j : j + 1]).items()}
    return {
        "t": t,
        "track": tid,
        "finder": finder,
        "w": p["w"],
        "sweep_sd_deg": math.degrees(math.sqrt(max(p["sxx"], 0.0) / max(p["w"], 1e-9))),
        "sweep_ok": bool(p["sxx"] >= p["floor"]),
        "ratio": p["ratio"],
        "share": p["share"],
        "se": p["se"],
    }


def replay(detections: Path, config: Path | None, only: int | None) -> list[dict[str, Any]]:
    """The detections through a fresh tracker, one step per time, every slot read after it."""
    frame = resolve_frame(detections, None)
    cfg = load_config(config) if config is not None else load_config_default()
    tracker = Tracker(frame, cfg)
    out: list[dict[str, Any]] = []
    for t, group in itertools.groupby(iter_detections(detections), key=lambda d: d.t):
        tracker.step(t, list(group))
        out += slot_rows(t, tracker, only)
    return out


def load_config_default() -> Any:
    """The defaults with the per-finder test on (without it there are no slots)."""
    from skywarden.tracking.config_file import config_from_mapping

    return config_from_mapping({"classifier": {"rf_bias": {"per_finder": True}}})


def _fmt(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.2f}"


def show(rows: list[dict[str, Any]], every: float) -> None:
    """A table of the slots, one line per track and finder every ``every`` s."""
    table = Table(title="finder slots (gated bearings only)")
    for c in ("t", "track", "finder", "w", "sweep sd deg", "ratio", "share", "se", "astray"):
        table.add_column(c, justify="left" if c in ("track", "finder") else "right")
    last: dict[tuple[int, str], float] = {}
    t0 = rows[0]["t"] if rows else 0.0
    for r in rows:
        key = (r["track"], r["finder"])
        if key in last and r["t"] - last[key] < every:
            continue
        last[key] = r["t"]
        table.add_row(
            f"{r['t'] - t0:.0f}",
            f"T{r['track']:06d}",
            r["finder"],
            f"{r['w']:.1f}",
            f"{r['sweep_sd_deg']:.2f}",
            _fmt(r["ratio"]),
            _fmt(r["share"]),
            _fmt(r["se"]),
            "yes" if r["astray"] else "",
        )
    Console().print(table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--detections", type=Path, required=True, help="detections, JSON Lines")
    ap.add_argument("--config", type=Path, help="tracker settings YAML (per_finder on)")
    ap.add_argument("--track", type=int, help="only this track (the number of its T id)")
    ap.add_argument("--every", type=float, default=30.0, help="table: seconds between lines")
    ap.add_argument("--out", type=Path, help="write every step's rows (JSON)")
    a = ap.parse_args()
    if not a.detections.is_file():
        raise SystemExit(f"{a.detections}: no such file")
    rows = replay(a.detections, a.config, a.track)
    if not rows:
        raise SystemExit(
            f"{a.detections}: no finder slot was ever filled (is per_finder on, are there"
            " RF bearings, does the track exist?)"
        )
    show(rows, a.every)
    if a.out:
        a.out.write_text(json.dumps({"benchmark": "finder_slots", "rows": rows}) + "\n")
        print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
