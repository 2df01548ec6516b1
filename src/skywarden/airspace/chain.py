"""simulate -> track -> analyze in one process, scored against the simulator's truth.

This is what ``skywarden run`` and the evaluation bench execute. The simulator and the
tracker are imported inside :func:`run_chain` (they are stages below this one). With
``tracker=False`` the :class:`~.evaluate.TruthStandIn` replaces the tracker: useful to
measure the airspace logic alone, and always labelled "truth stand-in" in reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skywarden.airspace.analyzer import AnalysisStep, Analyzer, AnalyzerConfig
from skywarden.airspace.evaluate import PositionLog, Score, TruthEvents, TruthStandIn, match
from skywarden.airspace.policy import Policy, load_policy
from skywarden.airspace.zones import sector_zones
from skywarden.model import Event, Incident, Recommendation, TrackUpdate


@dataclass
class ChainResult:
    """Everything a run produced, plus its scores against truth."""

    scenario: str
    seed: int
    duration_s: float
    source: str  # "tracker" or "truth stand-in"
    t_start: float
    events: list[Event] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    incidents: dict[str, Incident] = field(default_factory=dict)
    scores: dict[str, Score] = field(default_factory=dict)
    n_updates: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def absorb(self, st: AnalysisStep) -> None:
        self.events += st.events
        self.recommendations += st.recommendations
        for inc in st.incidents:
            self.incidents[inc.id] = inc


def run_chain(
    scenario: str | Path,
    seed: int = 1,
    duration_s: float | None = None,
    tracker: bool = True,
    policy: Policy | None = None,
    on_updates: Callable[[float, list[TrackUpdate]], None] | None = None,
    on_truth: Callable[[Any], None] | None = None,
) -> ChainResult:
    """Run a scenario through the simulator, the tracker (or stand-in) and the analyzer."""
    from skywarden import refdata
    from skywarden.sim import Simulation, load_scenario

    scn = load_scenario(scenario)
    sim = Simulation(scn, seed=seed, duration_s=duration_s)
    frame = scn.frame
    airports = list(scn.sector.airports)
    border = refdata.border_line()
    zones = sector_zones(frame, airports=airports)
    # The sector's own country decides which airports are foreign (default "US").
    country = str(getattr(scn.sector, "country", None) or "US")
    analyzer = Analyzer(
        frame, zones, border, policy or load_policy(), AnalyzerConfig(country=country)
    )
    truth = TruthEvents(frame, analyzer.zindex, border)
    seen = PositionLog()
    if tracker:
        from skywarden.tracking import Tracker, TrackerConfig

        trk: Any = Tracker(frame, TrackerConfig())
        source = "tracker"
    else:
        trk = TruthStandIn(frame, seed=seed)
        source = "truth stand-in"
    res = ChainResult(str(scenario), seed, sim.duration_s, source, sim.t_start)
    timers = {"simulate": 0.0, "track": 0.0, "analyze": 0.0}
    t = sim.t_start
    clock = time.perf_counter()
    for step in sim.steps():
        now = time.perf_counter()
        timers["simulate"] += now - clock
        t = step.t
        truth.step(step.truth)
        if on_truth is not None:
            on_truth(step)
        updates = trk.step(t, step.detections) if tracker else trk.step(t, step.truth)
        clock = time.perf_counter()
        timers["track"] += clock - now
        if on_updates is not None:
            on_updates(t, updates)
        res.n_updates += len(updates)
        if updates:
            seen.add(
                t, [u.lat for u in updates], [u.lon for u in updates], ["track"] * len(updates)
            )
        res.absorb(analyzer.step(t, updates))
        now2 = time.perf_counter()
        timers["analyze"] += now2 - clock
        clock = now2
    if tracker and hasattr(trk, "finish"):
        final = trk.finish()
        if final:
            res.absorb(analyzer.step(t, final))
    res.absorb(analyzer.finish(t))
    hours = sim.duration_s / 3600.0
    for kind in ("border_crossing", "zone_entry"):
        res.scores[kind] = match(
            truth.events, res.events, kind, hours, tracks=seen, truth_positions=truth.positions
        )
    res.seconds = timers
    return res


def truth_events(
    scenario: str | Path, seed: int, duration_s: float | None = None
) -> tuple[TruthEvents, float]:
    """True crossings and zone entries of a scenario run (re-simulated, truth only), hours."""
    from skywarden import refdata
    from skywarden.airspace.zone_index import ZoneIndex
    from skywarden.sim import Simulation, load_scenario

    scn = load_scenario(scenario)
    sim = Simulation(scn, seed=seed, duration_s=duration_s)
    frame = scn.frame
    index = ZoneIndex(frame, sector_zones(frame, airports=list(scn.sector.airports)))
    truth = TruthEvents(frame, index, refdata.border_line())
    for step in sim.steps():
        truth.step(step.truth)
    return truth, sim.duration_s / 3600.0
