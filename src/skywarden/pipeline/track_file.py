"""``skywarden track``'s geographic mode through the one stage loop.

A detections file becomes one scan per whole second (detections with time in
``(T-1, T]`` belong to the scan at ``T``; empty seconds still step, so coasting and
deletion follow the clock), the tracker is the only stage, and the commit hook writes
each scan's updates as JSON Lines; at the end the tracker's final ``ended`` updates are
written too. Reading is ``tracking.files.iter_detections`` (a bad line names file and
line); the output is byte for byte what ``tracking.files.track_file`` writes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from skywarden.geo import LocalFrame
from skywarden.model import Detection
from skywarden.stages import Hooks, Runner, Scan, StageChain, StepResult, fresh
from skywarden.tracking.config import TrackerConfig
from skywarden.tracking.files import OnReject, iter_detections
from skywarden.tracking.io import InputLineError
from skywarden.tracking.tracker import Tracker

OUT_OF_ORDER_S = 300.0  # a detection this much older than the newest one is an error


def detection_scans(
    path: Path, counts: dict[str, int], on_reject: OnReject = None
) -> Iterator[Scan]:
    """The scans of a detections file (see the module docstring); counts ``detections``.
    A bad line goes to ``on_reject`` (the quarantine), or raises without one."""
    batch: list[Detection] = []
    scan_t: float | None = None
    last_t = -math.inf
    for d in iter_detections(path, on_reject):
        counts["detections"] += 1
        t = float(math.ceil(d.t - 1e-9))
        if d.t < last_t - OUT_OF_ORDER_S:
            raise InputLineError(path, counts["detections"], "detections out of time order")
        last_t = max(last_t, d.t)
        if scan_t is None:
            scan_t = t
        if t > scan_t:
            yield Scan(scan_t, batch)
            batch = []
            for s in range(int(scan_t) + 1, int(t)):
                yield Scan(float(s), [])
            scan_t = t
        batch.append(d)
    if scan_t is not None:
        yield Scan(scan_t, batch)


class _WriteLines(Hooks):
    """The commit hook: each update as one JSON line; counts scans, updates and tracks
    (the final ``ended`` updates count as updates, not as tracks, as before)."""

    def __init__(
        self, out: IO[str], counts: dict[str, int], on_scan: Callable[[int], None] | None
    ) -> None:
        self.out, self.counts, self.on_scan = out, counts, on_scan
        self.seen: set[str] = set()

    def commit(self, result: StepResult) -> object:
        for u in result.updates:
            self.out.write(json.dumps(u.to_dict(), separators=(",", ":")) + "\n")
        self.counts["updates"] += len(result.updates)
        if not result.final:
            self.seen.update(u.track for u in result.updates)
            self.counts["scans"] += 1
            if self.on_scan:
                self.on_scan(self.counts["detections"])
        return None


def track_detections(
    detections: Path,
    out: IO[str],
    frame: LocalFrame,
    config: TrackerConfig | None = None,
    on_scan: Callable[[int], None] | None = None,
    on_reject: OnReject = None,
) -> dict[str, int]:
    """Track a detections file into ``out`` (one TrackUpdate per line). Returns counts:
    detections, scans, updates, tracks. ``on_scan(detections_read)`` after each scan; a
    bad line goes to ``on_reject``."""
    counts = {"detections": 0, "scans": 0, "updates": 0, "tracks": 0}
    hooks = _WriteLines(out, counts, on_scan)
    chain = StageChain(tracker=Tracker(frame, config), strict=True)
    Runner(chain, hooks, finish=True).run(fresh(detection_scans(detections, counts, on_reject)))
    counts["tracks"] = len(hooks.seen)
    return counts
