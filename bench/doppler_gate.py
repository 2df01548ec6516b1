"""Benchmark: the Doppler gate's trade between turning drones and passing birds.

A radar plot's radial speed tells a hovering drone's track from a bird passing it
(seed 16's S86), but a gate sure of a cruising drone's speed also refuses that drone's
plots when it brakes and turns back (seed 16's S43; docs/notes/wave16.md). Three
trackers side by side, on the same synthetic plots (one radar at the origin, the
simulated sector radars' errors: 10 m in range, 0.5 deg in azimuth, 1 deg in
elevation, 0.5 m/s in radial speed):

* ``position``: Doppler off (the default until wave 16);
* ``mixed_state``: wave 15's gate, one distance from the IMM's mixed state;
* ``per_model``: wave 16's gate, each motion model's own distance, mixed by the models'
  probabilities (``tracking/doppler.py``, ``mixture_d2``);
* ``noisy_cv``: the per-model gate under a three-model IMM, cruise, hover and a noisy
  constant-velocity model (q = ``NOISY_Q`` m^2/s^3; the textbook low/high-noise pair);
* ``turn_model``: the per-model gate under cruise, hover and two coordinated turns at
  +-``TURN_RATE`` deg/s (``TrackerConfig.turn_rate_deg_s``; wave 18).

Cases:

* **turn-back**: a drone flies in at 8 m/s, seen every second, brakes at ``a`` m/s^2
  and flies back out at 6 m/s; the radar misses ``gap`` scans as it brakes. Kept: the
  track that held it at 50 s is on it (within 60 m) at the last five scans, and no
  other track was reported.
* **bird**: a drone hovers 7.7 km out, seen every 4 s; a bird 130 m to its side, flying
  in at ``v`` m/s along the line of sight (and 6 m/s across), is seen every 2 s from
  ``delay`` s after the drone's last plot, six times; the drone is not seen for the
  bird's first 7 s. Taken: at the bird's last plot the drone's track is nearer the
  bird than the drone.
* **turn-90**: a drone flies across the radar's beam at 8 m/s, 4.5 km out, seen every
  second for 20 s and then every ``gap`` s, and at 60 s turns 90 deg (towards the
  radar) over ``turn`` s, flying on at 8 m/s (the month's S05 false unit, wave 18).
  Kept: the track that held it at 50 s is within 200 m of it at its last five plots
  (cross-range errors are 40 m there), and no other track was reported.

    .venv/bin/python bench/doppler_gate.py [--seeds 20] [--out bench/results/doppler_gate.json]
        [--figure docs/img/doppler-gate.png]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from skywarden.model import SensorKind
from skywarden.tracking import ScanGroup, TrackerConfig, TrackerCore
from skywarden.tracking.doppler import DopplerGate, DopplerPlots
from skywarden.tracking.filters import IMMFilter
from skywarden.tracking.motion import ConstantVelocity, Hover

VARIANTS = ("position", "mixed_state", "per_model", "noisy_cv", "turn_model")
NOISY_Q = 10.0  # m^2/s^3: a 90 deg turn at 8 m/s is ~11 m/s of velocity change in ~4 s
TURN_RATE = 20.0  # deg/s: a 90 deg turn in 4.5 s
ERR = np.array([10.0, np.radians(0.5), np.radians(1.0)])  # range m, azimuth, elevation
VR_SIGMA = 0.5


def core(variant: str) -> TrackerCore:
    doppler = variant != "position"
    turn = TURN_RATE if variant == "turn_model" else None
    cfg = TrackerConfig(doppler=doppler, turn_rate_deg_s=turn)
    comp = cfg.components(3, classify=False)
    if variant == "noisy_cv":
        quiet = ConstantVelocity(q=cfg.cv_q)
        hover = Hover(tau_s=cfg.hover_tau_s, q=cfg.hover_q)
        models = (quiet, hover, ConstantVelocity(q=NOISY_Q, name="noisy"))
        comp = replace(comp, filter=IMMFilter(models, (0.98, 0.85, 0.85), (0.7, 0.2, 0.1)))
    if doppler:
        comp = replace(comp, doppler=DopplerGate(per_model=variant != "mixed_state"))
    return TrackerCore(components=comp)


def plot_cov(p: np.ndarray) -> np.ndarray:
    """A plot's East-North-Up covariance from range, azimuth and elevation errors."""
    r = float(np.linalg.norm(p))
    az, el = np.arctan2(p[0], p[1]), np.arcsin(p[2] / r)
    u = p / r
    d_az = np.array([np.cos(az), -np.sin(az), 0.0]) * r * np.cos(el)
    d_el = np.array([-np.sin(az) * np.sin(el), -np.cos(az) * np.sin(el), np.cos(el)]) * r
    j = np.stack([u, d_az, d_el], axis=1)
    return np.asarray(j @ np.diag(ERR**2) @ j.T)


def group(
    t: float, truths: list[tuple[np.ndarray, np.ndarray]], rng: np.random.Generator, doppler: bool
) -> ScanGroup:
    """Noisy plots of ``(position, velocity)`` truths."""
    cov = np.stack([plot_cov(p) for p, _ in truths])
    z = np.stack([rng.multivariate_normal(p, c) for (p, _), c in zip(truths, cov, strict=True)])
    vr = np.array([p @ v / np.linalg.norm(p) + rng.normal(0.0, VR_SIGMA) for p, v in truths])
    dop = DopplerPlots(vr, np.zeros_like(z)) if doppler else None
    return ScanGroup(t, "radar", SensorKind.RADAR, z=z, R=cov, doppler=dop)


def _tracks(live: dict) -> dict[int, np.ndarray]:
    return {int(i): x[:3] for i, x in zip(live.get("id", []), live.get("x", []), strict=True)}


def turn_back(variant: str, seed: int, accel: float, gap: int) -> bool:
    """Whether the track that held the turning drone at 50 s keeps it (see module)."""
    c, rng = core(variant), np.random.default_rng(seed)
    out_dir = np.array([np.sin(np.radians(200.0)), np.cos(np.radians(200.0)), 0.0])
    pos, vel = 3000.0 * out_dir + np.array([0.0, 0.0, 80.0]), -8.0 * out_dir
    held, others, last = None, set(), []
    for k in range(110):
        if k > 60:
            vel = min(float(vel @ out_dir) + accel, 6.0) * out_dir
        pos = pos + vel if k > 0 else pos
        seen = not 62 <= k < 62 + gap
        groups = [group(float(k), [(pos, vel)], rng, True)] if seen else []
        tracks = _tracks(c.step(float(k), groups).live)
        if k == 50:
            held = min(tracks, key=lambda i: float(np.linalg.norm(tracks[i] - pos)))
        if k > 50:
            others |= set(tracks) - {held}
        if k >= 105:
            last.append(float(np.linalg.norm(tracks[held] - pos)) if held in tracks else np.inf)
    return max(last) < 60.0 and not others


def turn_90(variant: str, seed: int, turn_s: int, gap: int) -> bool:
    """Whether the track that held the drone at 50 s follows its 90 deg turn (see module)."""
    c, rng = core(variant), np.random.default_rng(seed)
    pos = np.array([-4500.0, -500.0, 120.0])
    held, others, last = None, set(), []
    for k in range(130):
        heading = np.radians(90.0 * min(max(k - 60, 0), turn_s) / turn_s)  # north to east
        vel = 8.0 * np.array([np.sin(heading), np.cos(heading), 0.0])
        pos = pos + vel if k > 0 else pos
        seen = k < 20 or k % gap == 0
        dop = variant != "position"
        groups = [group(float(k), [(pos, vel)], rng, dop)] if seen else []
        tracks = _tracks(c.step(float(k), groups).live)
        if k == 50:
            if not tracks:
                return False  # no track held the drone before it turned
            held = min(tracks, key=lambda i: float(np.linalg.norm(tracks[i] - pos)))
        if k > 50:
            others |= set(tracks) - {held}
        if seen and k >= 100:
            last.append(float(np.linalg.norm(tracks[held] - pos)) if held in tracks else np.inf)
    return max(last[-5:]) < 200.0 and not others


def bird(variant: str, seed: int, radial: float, delay: int) -> bool:
    """Whether the passing bird takes the hovering drone's track (see module)."""
    c, rng = core(variant), np.random.default_rng(seed)
    out_dir = np.array([np.sin(np.radians(25.0)), np.cos(np.radians(25.0)), 0.0])
    across = np.array([out_dir[1], -out_dir[0], 0.0])
    drone = 7700.0 * out_dir + np.array([0.0, 0.0, 100.0])
    bird_v = radial * out_dir + 6.0 * across
    first = 40 + delay
    bird_t = [first + 2 * i for i in range(6)]
    held, taken = None, False
    for k in range(bird_t[-1] + 1):
        truths = []
        if k < 10 or (k % 4 == 0 and not 40 < k < first + 7):
            truths.append((drone, np.zeros(3)))
        if k in bird_t:
            truths.append((drone + 130.0 * across + bird_v * (k - first), bird_v))
        dop = variant != "position"
        groups = [group(float(k), truths, rng, dop)] if truths else []
        tracks = _tracks(c.step(float(k), groups).live)
        if k == 20:
            held = min(tracks, key=lambda i: float(np.linalg.norm(tracks[i] - drone)))
        if k == bird_t[-1] and held in tracks:
            at = drone + 130.0 * across + bird_v * (k - first)
            taken = np.linalg.norm(tracks[held] - at) < np.linalg.norm(tracks[held] - drone)
    return bool(taken)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--out", type=Path, default=Path("bench/results/doppler_gate.json"))
    ap.add_argument("--figure", type=Path, default=None, help="also draw the two cases (PNG)")
    args = ap.parse_args()
    seeds = range(1, args.seeds + 1)
    t0 = time.process_time()
    turns = [
        {"accel_ms2": a, "gap_scans": g}
        | {v: sum(turn_back(v, s, a, g) for s in seeds) / len(seeds) for v in VARIANTS}
        for a in (3.0, 5.0, 8.0)
        for g in (0, 2)
    ]
    turns90 = [
        {"turn_s": ts, "gap_s": g}
        | {v: sum(turn_90(v, s, ts, g) for s in seeds) / len(seeds) for v in VARIANTS}
        for ts in (2, 4, 8)
        for g in (1, 3, 5)
    ]
    birds = [
        {"radial_ms": -r, "delay_s": d}
        | {v: sum(bird(v, s, -r, d) for s in seeds) / len(seeds) for v in VARIANTS}
        for r in (3.0, 5.0, 8.0, 10.0, 12.0, 15.0)
        for d in (1, 3)
    ]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    doc = {
        "bench": "doppler_gate",
        "commit": commit.stdout.strip(),
        "seeds": args.seeds,
        "cpu_s": round(time.process_time() - t0, 1),
        "noisy_q": NOISY_Q,
        "turn_rate_deg_s": TURN_RATE,
        "turn_back_kept": turns,
        "turn_90_kept": turns90,
        "bird_takes_track": birds,
        "means": {
            "turn_back_kept": {v: float(np.mean([r[v] for r in turns])) for v in VARIANTS},
            "turn_90_kept": {v: float(np.mean([r[v] for r in turns90])) for v in VARIANTS},
            "bird_takes_track": {v: float(np.mean([r[v] for r in birds])) for v in VARIANTS},
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n")
    con = Console()
    for title, rows, keys in (
        ("turn-back: share of seeds kept", turns, ("accel_ms2", "gap_scans")),
        ("turn-90: share of seeds kept", turns90, ("turn_s", "gap_s")),
        ("passing bird: share of seeds where it took the track", birds, ("radial_ms", "delay_s")),
    ):
        t = Table(title=title)
        for k in (*keys, *VARIANTS):
            t.add_column(k, justify="right")
        for r in rows:
            t.add_row(*(f"{r[k]:g}" for k in keys), *(f"{r[v]:.2f}" for v in VARIANTS))
        con.print(t)
    con.print(f"wrote {args.out} ({doc['cpu_s']} CPU s)")
    if args.figure:
        figure(doc, args.figure)
        con.print(f"wrote {args.figure}")


def figure(doc: dict, out: Path) -> None:
    """Turn-backs kept against braking, 90 deg turns kept against the plots' spacing, and
    birds that took the track against their radial speed, per tracker (the other
    parameter averaged)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, mid, right) = plt.subplots(1, 3, figsize=(14, 4))
    style = {
        "position": ("0.5", "o"),
        "mixed_state": ("tab:red", "s"),
        "per_model": ("tab:blue", "^"),
        "noisy_cv": ("tab:orange", "v"),
        "turn_model": ("tab:green", "D"),
    }
    for ax, rows, key, xlabel, title in (
        (
            left,
            doc["turn_back_kept"],
            "accel_ms2",
            "braking (m/s^2)",
            "a drone that turns back: kept",
        ),
        (
            mid,
            doc["turn_90_kept"],
            "gap_s",
            "seconds between plots",
            "a drone that turns 90 deg at 8 m/s: kept",
        ),
        (
            right,
            doc["bird_takes_track"],
            "radial_ms",
            "bird's radial speed (m/s)",
            "a bird passing a hovering drone: took its track",
        ),
    ):
        xs = sorted({r[key] for r in rows})
        for v in VARIANTS:
            ys = [float(np.mean([r[v] for r in rows if r[key] == x])) for x in xs]
            colour, marker = style[v]
            ax.plot(xs, ys, marker=marker, color=colour, label=v.replace("_", " "))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"share of {doc['seeds']} seeds")
        ax.set_ylim(-0.05, 1.05)
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    left.legend(loc="lower left")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
