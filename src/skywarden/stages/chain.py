"""The stages of one scan, in order, failing closed: tracker -> analyzer -> hold-fire.

Why one object: the service, the batch commands and the laser replay used to each
write this sequence (and its error handling) themselves. :class:`StageChain` is the one
place that knows which stage feeds which, what a missing stage means and what a stage
that raises costs: that scan, never the run (DESIGN.md: bad input never stops the
pipeline), and, with a laser configured, a HOLD naming the error (fail closed).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from skywarden.model import TrackUpdate
from skywarden.rejection import Reason, Rejection
from skywarden.stages.protocols import (
    AnalysisStage,
    FinishingAnalyzer,
    FinishingTracker,
    HoldFireStage,
    TrackingStage,
)
from skywarden.stages.records import (
    Analysis,
    HoldFireDecision,
    HoldState,
    NoAnalysis,
    Scan,
    StepResult,
)

log = logging.getLogger("skywarden.pipeline")


@dataclass
class LaserSetting:
    """What a HOLD record names: the plan's id and the hazard footprint shown on the map.
    ``required``: decisions are owed even without a hold-fire stage (a plan is configured
    but its interlock is missing, which is itself a reason to HOLD)."""

    plan: str = "laser"
    hazard: dict[str, Any] | None = None
    required: bool = False


@dataclass
class StageChain:
    """The stages a runner drives. Any may be None: a tracks source needs no tracker, a
    sector without zones no analyzer, a run without a laser no hold-fire. ``scope`` maps
    a recorded track id into this run's id space (``store.ids.scoped``); ``needs_analyzer``
    says zones are configured, so an absent analyzer is a missing stage for hold-fire.
    ``strict``: a stage's error propagates (batch commands report it and exit) instead
    of costing one scan (the service, which must go on). ``clock`` times the stages
    (wall; a chain sharing a process with others' threads, the month's lanes, times
    its own thread's CPU: ``time.thread_time``)."""

    tracker: TrackingStage | None = None
    analyzer: AnalysisStage | None = None
    hold_fire: HoldFireStage | None = None
    laser: LaserSetting = field(default_factory=LaserSetting)
    scope: Callable[[str], str] | None = None
    needs_analyzer: bool = False
    strict: bool = False
    clock: Callable[[], float] = time.perf_counter

    @property
    def laser_active(self) -> bool:
        """A laser plan is configured (or hold-fire was given): decisions are owed."""
        return self.hold_fire is not None or self.laser.required

    def missing_stages(self, scan: Scan) -> list[str]:
        """Stages hold-fire needs that this chain lacks for ``scan``."""
        out = []
        if self.hold_fire is None:
            out.append("hold-fire")
        if scan.updates is None and self.tracker is None:
            out.append("tracker")
        if self.needs_analyzer and self.analyzer is None:
            out.append("analyzer")
        return out

    def decision(
        self, t: float | None, state: HoldState, reasons: list[str], tracks: list[str]
    ) -> HoldFireDecision:
        return HoldFireDecision(t, self.laser.plan, state, reasons, tracks, self.laser.hazard)

    # ------------------------------------------------------------------ the stages
    def track(self, scan: Scan) -> list[TrackUpdate]:
        if scan.updates is not None:
            if self.scope is None:
                return scan.updates
            sc = self.scope
            return [dataclasses.replace(u, track=sc(u.track)) for u in scan.updates]
        if self.tracker is None:
            raise RuntimeError("the source yields detections but there is no tracker")
        return self.tracker.step(scan.t, scan.detections)

    def analyse(self, t: float, updates: list[TrackUpdate]) -> Analysis:
        if self.analyzer is None:
            return NoAnalysis()
        return self.analyzer.step(t, updates)

    def compute(self, scan: Scan) -> StepResult:
        """The stages on one scan (may raise; :meth:`step` is the guarded form)."""
        t0 = self.clock()
        updates = self.track(scan)
        t1 = self.clock()
        analysis = self.analyse(scan.t, updates)
        t2 = self.clock()
        return StepResult(
            scan.t,
            scan.detections,
            updates,
            analysis,
            None,
            scan.rejected,
            seconds={"track": t1 - t0, "analyze": t2 - t1},
        )

    def decide(
        self, scan: Scan, updates: list[TrackUpdate], failure: str | None
    ) -> HoldFireDecision | None:
        """Hold-fire for one scan, HOLD with the reason when it cannot be decided."""
        if not self.laser_active:
            return None
        reasons: list[str] = []
        missing = self.missing_stages(scan)
        if missing:
            reasons.append(f"missing stage: {', '.join(missing)}")
        if failure is not None:
            reasons.append(f"stage error: {failure}")
        if not reasons and self.hold_fire is not None:
            try:
                d = self.hold_fire.decide(scan.t, updates)
                state = str(d.state)
                if state in (HoldState.HOLD, HoldState.CLEAR):
                    return self.decision(scan.t, HoldState(state), list(d.reasons), list(d.tracks))
                reasons.append(f"hold-fire answered {state!r}, neither HOLD nor CLEAR")
            except Exception as e:
                if self.strict:
                    raise
                log.exception("pipeline: hold-fire failed on the scan at t=%s", scan.t)
                reasons.append(f"hold-fire error: {type(e).__name__}: {e}")
        return self.decision(scan.t, HoldState.HOLD, reasons, [])

    def step(self, scan: Scan, decide: bool = True) -> StepResult:
        """``compute``, but a stage that fails on one scan costs that scan, not the run:
        the error is logged and kept with the scan's rejections (the quarantine), the
        run goes on with the next scan, and hold-fire says HOLD naming the error."""
        failure: str | None = None
        try:
            r = self.compute(scan)
        except Exception as e:
            if self.strict:
                raise
            log.exception("pipeline: stage failed on the scan at t=%s", scan.t)
            failure = f"{type(e).__name__}: {e}"
            reason = f"stage error at t={scan.t}: {failure}"
            r = StepResult(
                scan.t,
                scan.detections,
                [],
                NoAnalysis(),
                None,
                [
                    *scan.rejected,
                    Rejection("stages", "scan", Reason.STAGE_ERROR, reason, "", field="scan"),
                ],
            )
        if decide:
            r.decision = self.decide(scan, r.updates, failure)
        return r

    def finish(self, t: float) -> StepResult:
        """End of input: the tracker's last updates through the analyzer, then the
        analyzer's own ``finish`` (measures lifted, incidents resolved); ``final``."""
        final: list[TrackUpdate] = []
        if isinstance(self.tracker, FinishingTracker):
            final = self.tracker.finish()
        out = NoAnalysis()
        if final and self.analyzer is not None:
            _extend(out, self.analyzer.step(t, final))
        if isinstance(self.analyzer, FinishingAnalyzer):
            _extend(out, self.analyzer.finish(t))
        return StepResult(t, [], final, out, None, [], final=True)


def _extend(into: NoAnalysis, a: Analysis) -> None:
    into.events += a.events
    into.incidents += a.incidents
    into.recommendations += a.recommendations
