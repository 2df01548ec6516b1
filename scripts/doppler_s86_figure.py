"""The figure of docs/notes/wave15.md: seed 16's S86 hovering drone and the bird that
passed it, with the track that held the drone at 300 s, in a run before and after
Doppler-aided tracking.

    skywarden month run --days 1 --seed 16 --quiet-s 7200 --per-month 1 --sectors S86 \
        --workers 1 --out BEFORE      # at a tree before wave 15 (or TrackerConfig(doppler=False))
    skywarden month run ... --out AFTER   # at wave 15
    python scripts/doppler_s86_figure.py BEFORE AFTER --out docs/img/doppler-s86.png
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

T0 = 1769965832.0  # the first update of the track that took the bird (seed 16, S86)
LO, HI = 250.0, 700.0
DRONE, BIRD = "surveillance-01-002", "bird-03-004"


def _truth(run: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    with gzip.open(run / "sectors/S86/truth.jsonl.gz", "rt") as f:
        for line in f:
            d = json.loads(line)
            if d["target"] in (DRONE, BIRD) and T0 + LO <= d["t"] <= T0 + HI:
                out[d["target"]].append(d)
    return out


def _metres(a: dict, b: dict) -> float:
    k = math.cos(math.radians(a["lat"]))
    return math.hypot((a["lat"] - b["lat"]) * 110_570.0, (a["lon"] - b["lon"]) * 111_320.0 * k)


def _held_track(run: Path, drone: list[dict]) -> list[dict]:
    """Every update (LO-HI s) of the track nearest the drone at 300 s."""
    at = min(drone, key=lambda d: abs(d["t"] - (T0 + 300.0)))
    rows: dict[str, list[dict]] = defaultdict(list)
    with open(run / "sectors/S86/tracks.jsonl") as f:
        for line in f:
            d = json.loads(line)
            if T0 + LO <= d["t"] <= T0 + HI:
                rows[d["track"]].append(d)
    near = {
        k: min(_metres(r, at) for r in v if abs(r["t"] - at["t"]) < 1.0)
        for k, v in rows.items()
        if any(abs(r["t"] - at["t"]) < 1.0 for r in v)
    }
    return rows[min(near, key=near.__getitem__)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--out", type=Path, default=Path("docs/img/doppler-s86.png"))
    a = ap.parse_args()
    truth = _truth(a.before)
    o = truth[DRONE][0]

    def xy(d: dict) -> tuple[float, float]:
        k = math.cos(math.radians(o["lat"]))
        return (d["lon"] - o["lon"]) * 111.32 * k, (d["lat"] - o["lat"]) * 110.57

    fig, axes = plt.subplots(1, 2, figsize=(11, 5), sharex=True, sharey=True)
    for ax, run, title in (
        (axes[0], a.before, "position only (before)"),
        (axes[1], a.after, "with Doppler (wave 15)"),
    ):
        bx, by = zip(*map(xy, truth[BIRD]), strict=True)
        ax.plot(bx, by, color="0.6", lw=6, alpha=0.5, label="bird (truth)")
        dx, dy = zip(*map(xy, truth[DRONE]), strict=True)
        ax.plot(dx, dy, "o", color="0.3", ms=10, alpha=0.5, label="hovering drone (truth)")
        tx, ty = zip(*map(xy, _held_track(run, truth[DRONE])), strict=True)
        ax.plot(
            tx, ty, "-", color="tab:red", lw=1.2, label="the track that held the drone at 300 s"
        )
        ax.set_title(f"S86, seed 16, {LO:.0f}-{HI:.0f} s: {title}")
        ax.set_xlabel("east of the drone, km")
        ax.set_aspect("equal")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("north of the drone, km")
    axes[0].legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
