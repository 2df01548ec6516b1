"""Golden output: the one stage loop gives the outputs the hand-written loops gave.

Issue 13 asks that the refactor leave behaviour unchanged. The reference here is the
loops as ``airspace/chain.py`` and ``tracking/files.py`` wrote them before, kept here
as references: a short El Paso run through both must agree exactly.
The full-length check (SHA-256 of ``skywarden run --duration 1800``'s files, of
``track``, ``analyze`` and the laser replay) is in docs/notes/loop.md.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import IO, Any

import pytest

from skywarden import refdata
from skywarden.airspace import Analyzer, load_policy, sector_zones
from skywarden.airspace.analyzer import AnalyzerConfig
from skywarden.airspace.chain import run_chain
from skywarden.geo import LocalFrame
from skywarden.model import Detection
from skywarden.pipeline.track_file import track_detections
from skywarden.sim import Simulation, load_scenario
from skywarden.tracking import Tracker, TrackerConfig
from skywarden.tracking.files import iter_detections
from skywarden.tracking.io import InputLineError

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "el-paso.yaml"
SECONDS = 40


def reference_chain(seconds: float) -> dict[str, Any]:
    """The simulate -> track -> analyze loop as written before the runner existed."""
    scn = load_scenario(SCENARIO)
    sim = Simulation(scn, seed=1, duration_s=seconds)
    zones = sector_zones(scn.frame, airports=list(scn.sector.airports))
    country = str(getattr(scn.sector, "country", None) or "US")
    an = Analyzer(
        scn.frame, zones, refdata.border_line(), load_policy(), AnalyzerConfig(country=country)
    )
    trk = Tracker(scn.frame, TrackerConfig())
    events, recs, incs, n = [], [], {}, 0
    t = sim.t_start
    for step in sim.steps():
        t = step.t
        ups = trk.step(t, step.detections)
        n += len(ups)
        st = an.step(t, ups)
        events += st.events
        recs += st.recommendations
        incs.update({i.id: i for i in st.incidents})
    for st in (an.step(t, trk.finish()), an.finish(t)):
        events += st.events
        recs += st.recommendations
        incs.update({i.id: i for i in st.incidents})
    return _doc(events, incs.values(), recs, n)


def _doc(events: Any, incidents: Any, recs: Any, n: int) -> dict[str, Any]:
    return {
        "events": [e.to_dict() for e in events],
        "incidents": [i.to_dict() for i in incidents],
        "recommendations": [r.to_dict() for r in recs],
        "updates": n,
    }


@pytest.fixture(scope="module")
def detections(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scn = load_scenario(SCENARIO)
    path = tmp_path_factory.mktemp("golden") / "detections.jsonl"
    with path.open("w") as fh:
        for step in Simulation(scn, seed=1, duration_s=SECONDS).steps():
            fh.writelines(
                json.dumps(d.to_dict(), separators=(",", ":")) + "\n" for d in step.detections
            )
    return path


def reference_track(
    detections: Path,
    out: IO[str],
    frame: LocalFrame,
    config: TrackerConfig | None = None,
) -> dict[str, int]:
    """``track``'s loop as ``tracking/files.py`` wrote it before the runner existed."""
    tracker = Tracker(frame, config)
    counts = {"detections": 0, "scans": 0, "updates": 0, "tracks": 0}
    seen: set[str] = set()
    batch: list[Detection] = []
    scan_t: float | None = None

    def flush(t: float) -> None:
        ups = tracker.step(t, batch)
        for u in ups:
            out.write(json.dumps(u.to_dict(), separators=(",", ":")) + "\n")
            seen.add(u.track)
        counts["scans"] += 1
        counts["updates"] += len(ups)
        batch.clear()

    last_t = -math.inf
    for d in iter_detections(detections):
        counts["detections"] += 1
        t = float(math.ceil(d.t - 1e-9))
        if d.t < last_t - 300.0:
            raise InputLineError(detections, counts["detections"], "detections out of time order")
        last_t = max(last_t, d.t)
        if scan_t is None:
            scan_t = t
        if t > scan_t:
            flush(scan_t)
            # Empty seconds still step, so coasting and deletion follow the clock.
            for s in range(int(scan_t) + 1, int(t)):
                flush(float(s))
            scan_t = t
        batch.append(d)
    if scan_t is not None:
        flush(scan_t)
    for u in tracker.finish():
        out.write(json.dumps(u.to_dict(), separators=(",", ":")) + "\n")
        counts["updates"] += 1
    counts["tracks"] = len(seen)
    return counts


def test_run_through_the_runner_matches_the_hand_written_loop() -> None:
    res = run_chain(SCENARIO, seed=1, duration_s=SECONDS)
    got = _doc(res.events, res.incidents.values(), res.recommendations, res.n_updates)
    want = reference_chain(SECONDS)
    assert want["events"], "the short run is not empty: there is something to compare"
    assert got == want


def test_track_through_the_runner_writes_the_same_bytes(detections: Path) -> None:
    scn = load_scenario(SCENARIO)
    a, b = io.StringIO(), io.StringIO()
    counts_a = reference_track(detections, a, scn.frame, TrackerConfig())
    counts_b = track_detections(detections, b, scn.frame, TrackerConfig())
    assert a.getvalue() and a.getvalue() == b.getvalue()
    assert counts_a == counts_b
