"""simulate -> track -> analyze in one process, scored against the simulator's truth.

This is what ``skywarden run`` and the evaluation bench execute, through the one stage
loop (``skywarden.stages.Runner``): the simulator is the source, the scoring against
truth and the collection of results are the runner's hooks. The simulator and the
tracker are imported inside :func:`run_chain` (they are stages below this one). With
``tracker=False`` the :class:`~.evaluate.TruthStandIn` replaces the tracker: useful to
measure the airspace logic alone, and always labelled "truth stand-in" in reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skywarden.airspace.analyzer import Analyzer, AnalyzerConfig
from skywarden.airspace.evaluate import PositionLog, Score, TruthEvents, TruthStandIn, match
from skywarden.airspace.policy import Policy, load_policy
from skywarden.airspace.zones import sector_zones
from skywarden.model import Event, Incident, Recommendation, TrackUpdate
from skywarden.stages import Analysis, Hooks, Runner, Scan, StageChain, StepResult, fresh
from skywarden.stages.protocols import TrackingStage


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

    def absorb(self, st: Analysis) -> None:
        self.events += st.events
        self.recommendations += st.recommendations
        for inc in st.incidents:
            self.incidents[inc.id] = inc


class _SimulatorSource:
    """The simulator's steps as scans, timing itself; ``step`` is the current sim step
    (its truth feeds the scoring). With ``stand_in`` the scans carry the stand-in's
    track updates instead of detections (its time counts as tracking). ``clock``: as
    :class:`~skywarden.stages.StageChain`'s."""

    def __init__(
        self,
        sim: Any,
        stand_in: TruthStandIn | None,
        timers: dict[str, float],
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.sim, self.stand_in, self.timers, self.clock = sim, stand_in, timers, clock
        self.step: Any = None

    def scans(self) -> Iterator[Scan]:
        clock = self.clock()
        for step in self.sim.steps():
            now = self.clock()
            self.timers["simulate"] += now - clock
            self.step = step
            if self.stand_in is None:
                yield Scan(step.t, step.detections)
            else:
                ups = self.stand_in.step(step.t, step.truth)
                self.timers["track"] += self.clock() - now
                yield Scan(step.t, updates=ups)
            clock = self.clock()


class _ChainHooks(Hooks):
    """Score against truth and collect what the analyzer produced, scan by scan."""

    def __init__(
        self,
        src: _SimulatorSource,
        res: ChainResult,
        truth: TruthEvents,
        on_updates: Callable[[float, list[TrackUpdate]], None] | None,
        on_truth: Callable[[Any], None] | None,
    ) -> None:
        self.src, self.res, self.truth = src, res, truth
        self.on_updates, self.on_truth = on_updates, on_truth
        self.seen = PositionLog()

    def before(self, scan: Scan) -> None:
        self.truth.step(self.src.step.truth)
        if self.on_truth is not None:
            self.on_truth(self.src.step)

    def commit(self, result: StepResult) -> object:
        for stage in ("track", "analyze"):
            self.res.seconds[stage] += result.seconds.get(stage, 0.0)
        ups = result.updates
        if not result.final:
            if self.on_updates is not None:
                self.on_updates(result.t, ups)
            self.res.n_updates += len(ups)
            if ups:
                self.seen.add(
                    result.t, [u.lat for u in ups], [u.lon for u in ups], ["track"] * len(ups)
                )
        self.res.absorb(result.analysis)
        return None


def run_chain(
    scenario: str | Path,
    seed: int = 1,
    duration_s: float | None = None,
    tracker: bool = True,
    policy: Policy | None = None,
    on_updates: Callable[[float, list[TrackUpdate]], None] | None = None,
    on_truth: Callable[[Any], None] | None = None,
) -> ChainResult:
    """Run a scenario through the simulator, the tracker (or stand-in) and the analyzer,
    with the one stage loop (``skywarden.stages.Runner``), as fast as possible."""
    from skywarden import refdata
    from skywarden.sim import Simulation, load_scenario

    scn = load_scenario(scenario)
    sim = Simulation(scn, seed=seed, duration_s=duration_s)
    frame = scn.frame
    border = refdata.border_line()
    zones = sector_zones(frame, airports=list(scn.sector.airports))
    # The sector's own country decides which airports are foreign (default "US").
    country = str(getattr(scn.sector, "country", None) or "US")
    analyzer = Analyzer(
        frame, zones, border, policy or load_policy(), AnalyzerConfig(country=country)
    )
    trk: TrackingStage | None = None
    stand_in: TruthStandIn | None = None
    if tracker:
        from skywarden.tracking import Tracker, TrackerConfig

        trk = Tracker(frame, TrackerConfig())
    else:
        stand_in = TruthStandIn(frame, seed=seed)
    source = "tracker" if tracker else "truth stand-in"
    res = ChainResult(str(scenario), seed, sim.duration_s, source, sim.t_start)
    res.seconds = {"simulate": 0.0, "track": 0.0, "analyze": 0.0}
    src = _SimulatorSource(sim, stand_in, res.seconds)
    hooks = _ChainHooks(src, res, TruthEvents(frame, analyzer.zindex, border), on_updates, on_truth)
    chain = StageChain(trk, analyzer, strict=True)
    Runner(chain, hooks, finish=True).run(fresh(src.scans()))
    score_events(res, hooks, sim.duration_s / 3600.0)
    return res


def score_events(res: ChainResult, hooks: _ChainHooks, hours: float) -> None:
    """Score the reported crossings and zone entries against the truth's (``match``)."""
    for kind in ("border_crossing", "zone_entry"):
        res.scores[kind] = match(
            hooks.truth.events,
            res.events,
            kind,
            hours,
            tracks=hooks.seen,
            truth_positions=hooks.truth.positions,
        )


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
