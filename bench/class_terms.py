"""Class terms: which evidence term makes a true bird a drone, on simulated El Paso nights.

Runs the simulator and the tracker (no analyzer) and, every ``--every`` scans, notes for
each confirmed track its best class and each classifier term's drone-minus-bird
log-likelihood (:meth:`Classifier.log_likelihood_terms`, nats). Tracks are attributed
to truth by the rule of ``bench/decisions.py``: at each noted update the nearest truth
target within 300 m ("none" beyond), the track to the target noted most often. The
table gives, per (truth class, best class), the number of updates and the mean of each
term: the term that pushes birds to drone stands out. Never read by the tracker.

    PYTHONPATH=$PWD/src .venv/bin/python bench/class_terms.py --seed 1 --minutes 40
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "el-paso.yaml"
CAP_M = 300.0
CLASSES = ("drone", "manned", "bird", "unknown")


def run(scenario: Path, seed: int, minutes: float, every: int) -> dict[str, Any]:
    """Per-update records (track, truth target, best class, drone-bird term margins)."""
    from skywarden.sim import Simulation, load_scenario
    from skywarden.tracking import Tracker, TrackerConfig
    from skywarden.tracking.classify import BIRD, DRONE
    from skywarden.tracking.core import TENTATIVE

    scn = load_scenario(scenario)
    sim = Simulation(scn, seed=seed, duration_s=minutes * 60.0)
    frame = scn.frame
    trk = Tracker(frame, TrackerConfig())
    clf = trk.core.classifier
    assert clf is not None, "the tracker classifies by default"
    kind: dict[str, str] = {}
    notes: dict[int, Counter[str]] = defaultdict(Counter)
    recs: list[tuple[int, int, dict[str, float]]] = []  # (track id, best, margins)
    for n, step in enumerate(sim.steps()):
        trk.step(step.t, step.detections)
        a = trk.core.table.a
        if n % every or trk.core.table.n == 0 or not step.truth:
            continue
        live = np.flatnonzero(a["status"] != TENTATIVE)
        if live.shape[0] == 0:
            continue
        pts = step.truth
        for p in pts:
            kind.setdefault(p.target, p.kind.value)
        tx, ty, _ = frame.to_enu(
            np.array([p.lat for p in pts]),
            np.array([p.lon for p in pts]),
            np.array([p.alt_m for p in pts]),
        )
        x = a["x"][live]
        d = np.hypot(x[:, 0, None] - tx[None], x[:, 1, None] - ty[None])
        j = d.argmin(axis=1)
        near = d[np.arange(live.shape[0]), j] <= CAP_M
        terms = {k: v[live, DRONE] - v[live, BIRD] for k, v in clf.log_likelihood_terms(a).items()}
        best = a["probs"][live].argmax(axis=1)
        ids = a["id"][live]
        for i in range(live.shape[0]):
            tid = int(ids[i])
            notes[tid][pts[int(j[i])].target if near[i] else "none"] += 1
            recs.append((tid, int(best[i]), {k: float(v[i]) for k, v in terms.items()}))
    attributed = {tid: c.most_common(1)[0][0] for tid, c in notes.items()}
    groups: dict[tuple[str, str], list[dict[str, float]]] = defaultdict(list)
    for tid, b, m in recs:
        tg = attributed[tid]
        truth = "none" if tg == "none" else kind.get(tg, "none")
        groups[(truth, CLASSES[b])].append(m)
    out: dict[str, Any] = {}
    for (truth, best), ms in sorted(groups.items()):
        out[f"{truth}->{best}"] = {
            "updates": len(ms),
            "mean_drone_minus_bird_nats": {
                k: round(float(np.mean([m[k] for m in ms])), 2) for k in ms[0]
            },
        }
    return out


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--minutes", type=float, default=40.0)
    ap.add_argument("--every", type=int, default=5, help="note every N-th scan")
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    ap.add_argument("--out", type=Path, default=None, help="JSON output (optional)")
    args = ap.parse_args()
    if args.minutes <= 0 or args.every < 1:
        ap.error("--minutes must be > 0 and --every >= 1")
    res = run(args.scenario, args.seed, args.minutes, args.every)
    t = Table(title=f"mean drone-minus-bird nats per term, seed {args.seed}, {args.minutes:g} min")
    names = list(next(iter(res.values()))["mean_drone_minus_bird_nats"]) if res else []
    t.add_column("truth -> best")
    t.add_column("updates")
    for k in names:
        t.add_column(k)
    for key, g in res.items():
        m = g["mean_drone_minus_bird_nats"]
        t.add_row(key, str(g["updates"]), *(f"{m[k]:+.2f}" for k in names))
    Console(width=200).print(t)
    if args.out:
        args.out.write_text(json.dumps({"seed": args.seed, "minutes": args.minutes, **res}))
        print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
