"""Lane rounds: after a round the lanes go on one at a time, in lane order, and a failure
anywhere frees every waiting lane (the month's sector fails; no thread is left waiting).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, cast

import pytest

from skywarden.model import Detection, TrackUpdate
from skywarden.tracking.lane_rounds import LaneRounds
from skywarden.tracking.lanes import LaneTracker


class _Core:
    """A stand-in for :class:`LaneTracker`: one record list per lane, each round's number."""

    def __init__(self, lanes: int, fail_at: int | None = None) -> None:
        self.lanes = lanes
        self.offset: list[float | None] = [None] * lanes
        self.t_last: list[float | None] = [None] * lanes
        self.calls = 0
        self.fail_at = fail_at

    def begin(self, lane: int, t_abs: float, t_core: float) -> None:
        self.offset[lane] = t_abs - t_core

    def end(self, lane: int, t_abs: float) -> list[TrackUpdate]:
        return []

    def step(self, t_core: float, scans: Sequence[Any]) -> list[list[Any]]:
        self.calls += 1
        if self.fail_at is not None and self.calls == self.fail_at:
            raise ValueError("core failed")
        for lane, scan in enumerate(scans):
            if scan is not None:
                self.t_last[lane] = t_core + cast(float, self.offset[lane])
        return [[("round", self.calls)] if s is not None else [] for s in scans]


def _run(rounds: LaneRounds, lanes: int, steps: int, log: list[tuple[int, int]]) -> list[str]:
    """Each lane steps ``steps`` seconds in a thread of its own, then leaves; the order in
    which the lanes went on after each round is logged; the errors are returned."""
    errors: list[str] = []
    running = threading.Semaphore(1)

    def work(lane: int) -> None:
        try:
            for k in range(steps):
                out = rounds.step(lane, 100.0 * lane + k, cast(list[Detection], []))
                # only the lane whose turn it is runs here: never two at once
                assert running.acquire(blocking=False), "two lanes ran at once"
                log.append((lane, cast(Any, out)[0][1]))
                running.release()
            rounds.leave(lane)
        except BaseException as e:  # the test reads every lane's error
            errors.append(type(e).__name__)
            rounds.fail(e)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(lanes)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=20)
        assert not th.is_alive(), "a lane was left waiting"
    return errors


def test_after_each_round_the_lanes_go_on_one_at_a_time_in_lane_order() -> None:
    core = _Core(4)
    log: list[tuple[int, int]] = []
    errors = _run(LaneRounds(cast(LaneTracker, core)), 4, 5, log)
    assert errors == []
    assert core.calls == 5
    assert log == [(lane, r) for r in range(1, 6) for lane in range(4)]


def test_a_failing_round_frees_every_waiting_lane() -> None:
    core = _Core(3, fail_at=2)
    errors = _run(LaneRounds(cast(LaneTracker, core)), 3, 4, [])
    assert sorted(errors) == ["RuntimeError", "RuntimeError", "ValueError"]


@pytest.mark.parametrize("lanes", [1, 2, 5])
def test_a_lane_that_leaves_early_lets_the_others_go_on(lanes: int) -> None:
    core = _Core(lanes + 1)
    rounds = LaneRounds(cast(LaneTracker, core))
    log: list[tuple[int, int]] = []
    done = threading.Event()

    def short() -> None:
        rounds.step(lanes, 0.0, [])
        rounds.leave(lanes)
        done.set()

    th = threading.Thread(target=short, daemon=True)
    th.start()
    errors = _run(rounds, lanes, 3, log)
    th.join(timeout=20)
    assert errors == [] and done.is_set()
    assert [r for _, r in log] == sorted(r for _, r in log)
    assert len(log) == 3 * lanes
