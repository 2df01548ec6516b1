"""The one stage loop with stand-in stages: order, resume, fail-safe and strict, finish."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from skywarden.model import Detection, Event, TrackStatus, TrackUpdate
from skywarden.stages import (
    HoldState,
    Hooks,
    LaserSetting,
    NoAnalysis,
    ResumePoint,
    Runner,
    Scan,
    StageChain,
    StepResult,
    fresh,
)


def update(t: float, track: str = "T1", status: TrackStatus = TrackStatus.CONFIRMED) -> TrackUpdate:
    v = (1.0, 0.0, 0.0)
    return TrackUpdate(t, track, status, 31.8, -106.4, 1200.0, v, (0.0, 0.0, 0.0, *v), None, {})


@dataclass
class CountingTracker:
    """One confirmed update per scan; an ``ended`` one when the input ends."""

    seen: list[float] = field(default_factory=list)
    fail_at: float | None = None

    def step(self, t: float, detections: list[Detection]) -> list[TrackUpdate]:
        if t == self.fail_at:
            raise ArithmeticError("a tracker bug")
        self.seen.append(t)
        return [update(t)]

    def finish(self) -> list[TrackUpdate]:
        return [update(self.seen[-1], status=TrackStatus.ENDED)]


@dataclass
class EventPerScan:
    finished: list[float] = field(default_factory=list)

    def step(self, t: float, updates: Sequence[TrackUpdate]) -> NoAnalysis:
        out = NoAnalysis()
        out.events = [Event("seen", t, u.track, u.lat, u.lon, u.alt_m) for u in updates]
        return out

    def finish(self, t: float) -> NoAnalysis:
        self.finished.append(t)
        return NoAnalysis()


@dataclass
class Decides:
    state: str = "CLEAR"

    def decide(self, t: float, updates: Sequence[TrackUpdate]) -> object:
        @dataclass
        class Answer:
            state: str
            reasons: list[str]
            tracks: list[str]

        return Answer(self.state, [], [u.track for u in updates])


class Record(Hooks):
    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []
        self.results: list[StepResult] = []

    def accept(self, scan: Scan) -> None:
        self.calls.append(("accept", scan.t))

    def before(self, scan: Scan) -> None:
        self.calls.append(("before", scan.t))

    def commit(self, result: StepResult) -> object:
        self.calls.append(("commit", result.t))
        self.results.append(result)
        return result.t

    def publish(self, result: StepResult, committed: object) -> None:
        assert committed == result.t, "publish gets what commit returned"
        self.calls.append(("publish", result.t))


def scans(n: int) -> list[Scan]:
    return [Scan(float(t)) for t in range(1, n + 1)]


def test_each_scan_is_accepted_computed_committed_then_published() -> None:
    hooks = Record()
    Runner(StageChain(CountingTracker(), EventPerScan()), hooks).run(fresh(scans(2)))
    assert hooks.calls == [
        ("accept", 1.0),
        ("before", 1.0),
        ("commit", 1.0),
        ("publish", 1.0),
        ("accept", 2.0),
        ("before", 2.0),
        ("commit", 2.0),
        ("publish", 2.0),
    ]
    assert [e.t for r in hooks.results for e in r.events] == [1.0, 2.0]


def test_resume_skips_the_snapshot_and_recomputes_up_to_the_cursor_without_hooks() -> None:
    tracker, hooks = CountingTracker(), Record()
    runner = Runner(StageChain(tracker), hooks)
    runner.run(fresh(scans(6)), ResumePoint(snapshot_t=2.0, cursor_t=4.0, steps=4))
    assert tracker.seen == [3.0, 4.0, 5.0, 6.0], "state rebuilt from scan 3, the snapshot's next"
    assert [t for what, t in hooks.calls if what == "commit"] == [5.0, 6.0]
    assert (runner.skipped, runner.fast_forwarded, runner.steps_done) == (2, 2, 6)


def test_a_failing_stage_costs_its_scan_and_holds_fire_naming_the_error() -> None:
    hooks = Record()
    chain = StageChain(CountingTracker(fail_at=2.0), hold_fire=Decides())  # type: ignore[arg-type]
    Runner(chain, hooks).run(fresh(scans(3)))
    states = [(r.t, r.decision.state if r.decision else None) for r in hooks.results]
    assert states == [(1.0, HoldState.CLEAR), (2.0, HoldState.HOLD), (3.0, HoldState.CLEAR)]
    bad = hooks.results[1]
    assert bad.decision is not None and "ArithmeticError: a tracker bug" in bad.decision.reasons[0]
    assert bad.rejected[0].field == "scan", "the error is kept with the scan's rejections"


def test_strict_chains_let_the_error_out() -> None:
    chain = StageChain(CountingTracker(fail_at=2.0), strict=True)
    with pytest.raises(ArithmeticError):
        Runner(chain).run(fresh(scans(3)))


def test_an_answer_that_is_neither_hold_nor_clear_is_a_hold() -> None:
    hooks = Record()
    chain = StageChain(CountingTracker(), hold_fire=Decides("MAYBE"))  # type: ignore[arg-type]
    Runner(chain, hooks).run(fresh(scans(1)))
    d = hooks.results[0].decision
    assert d is not None and d.state is HoldState.HOLD and "neither HOLD nor CLEAR" in d.reasons[0]


def test_a_configured_laser_without_hold_fire_holds() -> None:
    hooks = Record()
    chain = StageChain(CountingTracker(), laser=LaserSetting("plan-1", required=True))
    Runner(chain, hooks).run(fresh(scans(1)))
    d = hooks.results[0].decision
    assert d is not None and d.plan == "plan-1" and d.reasons == ["missing stage: hold-fire"]


def test_finish_flushes_the_tracker_through_the_analyzer_once() -> None:
    hooks, analyzer = Record(), EventPerScan()
    Runner(StageChain(CountingTracker(), analyzer), hooks, finish=True).run(fresh(scans(2)))
    last = hooks.results[-1]
    assert last.final and [u.status for u in last.updates] == [TrackStatus.ENDED]
    assert [e.t for e in last.events] == [2.0] and analyzer.finished == [2.0]


def test_recorded_updates_are_scoped_into_the_run() -> None:
    hooks = Record()
    chain = StageChain(scope=lambda tr: f"R7-{tr}")
    Runner(chain, hooks).run(fresh([Scan(1.0, updates=[update(1.0)])]))
    assert [u.track for u in hooks.results[0].updates] == ["R7-T1"]
