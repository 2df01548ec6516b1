"""Writing a run to disk and summing it up: truth.jsonl, detections.jsonl, sector.json.

One JSON object per line, keys in a fixed order and floats rounded at the source, so
the same seed gives byte-identical files. ``RunSummary`` counts as the steps go by:
targets by kind and role, border crossings in truth (side changes of each target's
track, northbound or southbound) and detections per sensor.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from skywarden.sim.engine import Simulation, Step
from skywarden.sim.geography import MEXICO, SEA, Geography


def json_line(d: dict[str, Any]) -> str:
    """A record dict as one compact JSON line (no newline): the files' exact format."""
    return json.dumps(d, separators=(",", ":"), allow_nan=False)


@dataclass
class RunSummary:
    """Running counts over a simulation; ``tracks`` keeps every 5th truth point for maps."""

    geo: Geography
    keep_every_s: int = 5
    targets: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (kind, role)
    crossings_north: Counter[str] = field(default_factory=Counter)  # role -> count
    crossings_south: Counter[str] = field(default_factory=Counter)
    detections: Counter[str] = field(default_factory=Counter)
    detections_by_kind: Counter[str] = field(default_factory=Counter)
    groups: set[str] = field(default_factory=set)  # convoys seen
    detected: set[str] = field(default_factory=set)  # targets any sensor detected
    truth_points: int = 0
    steps: int = 0
    tracks: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    _side: dict[str, bool | None] = field(default_factory=dict)  # in Mexico? (None: at sea)

    def add(self, step: Step) -> None:
        snap = step.snapshot
        self.steps += 1
        self.detected.update(step.seen)
        self.truth_points += len(step.truth)
        for d in step.detections:
            self.detections[d.sensor] += 1
            self.detections_by_kind[str(d.kind)] += 1
        if not len(snap):
            return
        x, y, _ = self.geo.frame.to_enu(snap.lat, snap.lon, np.zeros(len(snap)))
        side = self.geo.side(np.asarray(x), np.asarray(y))  # over the sea: keep the last land
        keep = int(step.t) % self.keep_every_s == 0
        for i, tg in enumerate(snap.targets):
            if tg.id not in self.targets:
                self.targets[tg.id] = (str(tg.kind), tg.role)
                if "group" in tg.attrs:
                    self.groups.add(str(tg.attrs["group"]))
                self.tracks[tg.id] = []
            first = tg.id not in self._side
            prev = self._side.get(tg.id)
            now = bool(side[i] == MEXICO) if side[i] != SEA else prev
            if prev is not None and now is not None and prev != now:
                (self.crossings_south if now else self.crossings_north)[tg.role] += 1
            self._side[tg.id] = now
            if keep or first:
                self.tracks[tg.id].append((float(snap.lon[i]), float(snap.lat[i])))

    def by_kind(self) -> Counter[tuple[str, str]]:
        return Counter(self.targets.values())

    def detected_by_kind(self) -> Counter[tuple[str, str]]:
        """Targets that at least one sensor detected at least once, by (kind, role)."""
        return Counter(v for k, v in self.targets.items() if k in self.detected)

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": self.steps,
            "truth_points": self.truth_points,
            "targets_by_kind_role": {f"{k}/{r}": n for (k, r), n in sorted(self.by_kind().items())},
            "targets_detected_by_kind_role": {
                f"{k}/{r}": n for (k, r), n in sorted(self.detected_by_kind().items())
            },
            "groups": len(self.groups),
            "border_crossings_north": dict(sorted(self.crossings_north.items())),
            "border_crossings_south": dict(sorted(self.crossings_south.items())),
            "detections_per_sensor": dict(sorted(self.detections.items())),
        }


def write_run(
    sim: Simulation,
    out_dir: str | Path,
    on_step: Callable[[Step], None] | None = None,
) -> RunSummary:
    """Run ``sim`` to the end, streaming its files into ``out_dir``; return the summary."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = RunSummary(sim.geo)
    (out / "sector.json").write_text(json.dumps(sim.describe(), indent=2) + "\n")
    with open(out / "truth.jsonl", "w") as ft, open(out / "detections.jsonl", "w") as fd:
        for step in sim.steps():
            _write_lines(ft, (p.to_dict() for p in step.truth))
            _write_lines(fd, (d.to_dict() for d in step.detections))
            summary.add(step)
            if on_step is not None:
                on_step(step)
    (out / "summary.json").write_text(json.dumps(summary.to_dict(), indent=2) + "\n")
    return summary


def _write_lines(f: Any, records: Iterable[dict[str, Any]]) -> None:
    f.write("".join(json_line(r) + "\n" for r in records))
