"""Lanes as tracking stages: each lane's chain in a thread of its own, the tracker steps
of all lanes gathered into one core step (a round).

The month runs a sector's windows in lanes (:mod:`.lanes`) without a second copy of
the stage loop: every lane is the ordinary chain (``stages.Runner`` over its own
simulator, analyzer and files), and its tracker is a :class:`LaneStage`. A lane's
``step`` hands its scan in and waits; the last lane to hand one in runs the shared core
for everyone, and each lane goes on with its own records. The threads take turns under
the interpreter lock, so nothing runs in parallel: threads are only the way each lane
keeps its own place in its own loop. The core's input is put together in lane order,
never in the order the threads arrived, so a run is deterministic.

After a round the lanes go on **one at a time**, in lane order, each handing the turn to
the next when it comes back with its next scan (or leaves). Waking them all at once let
sixteen threads fight for the interpreter lock every round: ~450 futex calls per
simulated second of a sector and a quarter of its CPU in the kernel (docs/notes/wave28.md).

Rounds are 1 s of core time: every running lane steps each second. A lane whose next
scan is not 1 s after its last (its window is over: the month's empty step 15 s on, or
the next window's first second) ends its tracks there (their ``ended`` records at that
time, as the single tracker ends them at a feed gap) and restarts its clock.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from skywarden.model import Detection, TrackUpdate
from skywarden.tracking.lanes import LaneTracker

#: core seconds per round: the month's simulator steps every second
ROUND_S = 1.0
_SAME_S = 1e-6


class LaneRounds:
    """The rendezvous of ``tracker``'s lanes (see module)."""

    def __init__(self, tracker: LaneTracker) -> None:
        self.tracker = tracker
        self.lock = threading.Lock()
        #: each lane's turn: released when its round's records are ready and it is next
        self.go = [threading.Semaphore(0) for _ in range(tracker.lanes)]
        self.running: set[int] = set(range(tracker.lanes))
        self.pending: dict[int, Sequence[Detection]] = {}
        self.results: dict[int, list[TrackUpdate]] = {}
        #: lanes whose records are ready and that have not had their turn yet, in order
        self.waiting: list[int] = []
        self.t_core = 0.0
        self.error: BaseException | None = None

    def step(self, lane: int, t: float, detections: Sequence[Detection]) -> list[TrackUpdate]:
        """Lane ``lane``'s scan at absolute time ``t``; returns its records once the round
        has run and its turn has come."""
        with self.lock:
            self._raise_if_failed()
            before = self._restart_if_jumped(lane, t)
            self.pending[lane] = detections
            self._pass_turn()
        self.go[lane].acquire()
        with self.lock:
            self._raise_if_failed()
            return before + self.results.pop(lane)

    def leave(self, lane: int) -> list[TrackUpdate]:
        """Lane ``lane``'s input is over: end its tracks at its last time; the others
        go on without it."""
        with self.lock:
            self._raise_if_failed()
            t_last = self.tracker.t_last[lane]
            out = self.tracker.end(lane, t_last) if t_last is not None else []
            self.running.discard(lane)
            self._pass_turn()
            return out

    def fail(self, error: BaseException) -> None:
        """A lane's chain failed: every lane stops (the month's sector fails, once)."""
        with self.lock:
            if self.error is None:
                self.error = error
            self._release_all()

    def _pass_turn(self) -> None:
        """Under the lock: the next lane of this round goes on, or, when every running lane
        has handed in its scan, the round runs and its first lane goes on."""
        if not self.waiting and self.pending and len(self.pending) == len(self.running):
            self._round()
        if self.waiting:
            self.go[self.waiting.pop(0)].release()

    def _release_all(self) -> None:
        for go in self.go:
            go.release()

    def _raise_if_failed(self) -> None:
        if self.error is not None:
            raise RuntimeError("lanes: another lane of this sector failed") from self.error

    def _restart_if_jumped(self, lane: int, t: float) -> list[TrackUpdate]:
        lt = self.tracker
        last = lt.t_last[lane]
        if lt.offset[lane] is not None and last is not None and abs(t - last - ROUND_S) <= _SAME_S:
            return []
        ended = lt.end(lane, t)
        lt.begin(lane, t, self.t_core)
        return ended

    def _round(self) -> None:
        scans = [self.pending.get(lane) for lane in range(self.tracker.lanes)]
        try:
            out = self.tracker.step(self.t_core, scans)
        except BaseException as e:
            self.error = e
            self._release_all()
            raise
        for lane in self.pending:
            self.results[lane] = out[lane]
        self.waiting = sorted(self.pending)
        self.pending.clear()
        self.t_core += ROUND_S


class LaneStage:
    """Lane ``lane``'s tracking stage (``stages.TrackingStage``, finishing)."""

    def __init__(self, rounds: LaneRounds, lane: int) -> None:
        self.rounds, self.lane = rounds, lane

    def step(self, t: float, detections: list[Detection]) -> list[TrackUpdate]:
        return self.rounds.step(self.lane, t, detections)

    def finish(self) -> list[TrackUpdate]:
        return self.rounds.leave(self.lane)
