"""The one stage loop: any source of scans, through a :class:`StageChain`, into hooks.

Every way skywarden runs its stages goes through :meth:`Runner.run`: the service
(``pipeline.Pipeline``, in a worker thread, paced against the wall clock, committing and
publishing each scan), ``skywarden run`` (the simulator), ``skywarden track`` (a
detections file), ``skywarden analyze`` (a tracks file) and the laser replay. What
differs between them is a hook, never a copy of the loop:

* :class:`Pacer` - real time (``WallClock``) or as fast as possible (``Pacer``);
* :meth:`Hooks.accept` - make a live scan durable *before* it is processed;
* :meth:`Hooks.before` - apply what happened outside the stages since the last scan
  (an operator's acknowledgement or resolution, ``pipeline.operators``);
* :meth:`Hooks.commit` - persist the result (a store transaction, a file);
* :meth:`Hooks.publish` - tell the world, only after the commit;
* :class:`ResumePoint` - skip what a loaded snapshot covers, recompute without hooks
  what was committed after it.

Later work plugs in here: a sector worker on a message bus is a source plus a publish
hook; an evidence replay is a source plus a commit hook.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from skywarden.stages.chain import StageChain
from skywarden.stages.records import Scan, StepResult


class Pacer:
    """As fast as possible: every wait returns at once (batch commands, replays)."""

    def before_next(self, last_t: float | None) -> None:
        """Called before the next scan is fetched (``last_t``: the previous scan's time)."""

    def wait_for(self, t: float) -> None:
        """Called when scan ``t`` is in hand, before it is processed."""

    def done(self, fetch_s: float, step_s: float) -> None:
        """What the last scan cost: fetching it, and processing, committing, publishing."""


class WallClock(Pacer):
    """``speed`` x real time against the first live scan. Just in time: the next scan's
    fetch starts shortly before it is due, so the moments after a publish belong to the
    live feed's fan-out rather than to a worker competing for the interpreter. A wait
    ends early when ``stop`` is set (the service is shutting down)."""

    def __init__(self, speed: float, stop: threading.Event | None = None) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.speed = speed
        self.stop = stop or threading.Event()
        self.wall0: float | None = None
        self.t0: float | None = None
        self.fetch_s = 0.0
        self.step_s = 0.0

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.stop.wait(seconds)

    def before_next(self, last_t: float | None) -> None:
        if self.wall0 is None or self.t0 is None or last_t is None:
            return
        due = self.wall0 + (last_t + 1.0 - self.t0) / self.speed
        lead = 0.1 + 2.0 * (self.fetch_s + self.step_s)
        self._sleep(due - lead - time.monotonic())

    def wait_for(self, t: float) -> None:
        if self.wall0 is None or self.t0 is None:
            self.wall0, self.t0 = time.monotonic(), t
        self._sleep(self.wall0 + (t - self.t0) / self.speed - time.monotonic())

    def done(self, fetch_s: float, step_s: float) -> None:
        self.fetch_s, self.step_s = fetch_s, step_s


class Hooks:
    """What the runner does around the stages; the defaults do nothing."""

    def accept(self, scan: Scan) -> None:
        """A live scan not yet durable: store it before processing (``store.scans``)."""

    def before(self, scan: Scan) -> None:
        """Just before ``scan`` is processed (also when it is only recomputed)."""

    def commit(self, result: StepResult) -> object:
        """Persist one processed scan; what it returns is handed to :meth:`publish`."""
        return None

    def publish(self, result: StepResult, committed: object) -> None:
        """Announce one committed scan."""

    def live(self, started_s: float) -> None:
        """The first scan past the resume point: from now on scans are new."""

    def stopped(self) -> bool:
        """True to end the loop before the next scan (shutdown)."""
        return False


@dataclass(frozen=True)
class ResumePoint:
    """Scans at or before ``snapshot_t`` are skipped (a loaded snapshot covers them);
    scans up to ``cursor_t`` are recomputed, without hooks, to rebuild the stages' state
    (they were committed before a restart); ``steps`` is the committed scan count."""

    snapshot_t: float = float("-inf")
    cursor_t: float = float("-inf")
    steps: int = 0


@dataclass
class Runner:
    """Drive scans through ``chain`` into ``hooks`` (see the module docstring).

    ``finish``: at the end of the input, flush the stages (``StageChain.finish``) and
    commit that as a ``final`` result; a service stops instead, leaving its state to
    the next start.
    """

    chain: StageChain
    hooks: Hooks = field(default_factory=Hooks)
    pacer: Pacer = field(default_factory=Pacer)
    finish: bool = False
    steps_done: int = 0
    fast_forwarded: int = 0
    skipped: int = 0
    last_t: float | None = None

    def run(self, stream: Iterable[tuple[Scan, bool]], resume: ResumePoint = ResumePoint()) -> None:
        """Process ``stream``: (scan, already stored) pairs in time order."""
        self.steps_done = resume.steps
        started = time.monotonic()
        is_live = False
        items = iter(stream)
        while not self.hooks.stopped():
            self.pacer.before_next(self.last_t)
            fetch0 = time.monotonic()
            item = next(items, None)
            fetch_s = time.monotonic() - fetch0
            if item is None:
                break
            scan, stored = item
            if scan.t <= resume.snapshot_t:
                self.skipped += 1
                continue
            if scan.t <= resume.cursor_t:
                self.hooks.before(scan)
                self.chain.step(scan, decide=False)
                self.fast_forwarded += 1
                continue
            if not is_live:
                is_live = True
                self.hooks.live(time.monotonic() - started)
            self.pacer.wait_for(scan.t)
            step0 = time.monotonic()
            self.process(scan, stored)
            self.pacer.done(fetch_s, time.monotonic() - step0)
        if self.finish and self.last_t is not None and not self.hooks.stopped():
            r = self.chain.finish(self.last_t)
            self.hooks.publish(r, self.hooks.commit(r))

    def process(self, scan: Scan, stored: bool = False) -> StepResult:
        """One new scan: durable if live, through the stages, committed, then published."""
        if not stored:
            self.hooks.accept(scan)
        self.hooks.before(scan)
        result = self.chain.step(scan)
        committed = self.hooks.commit(result)
        self.steps_done += 1
        self.last_t = scan.t
        self.hooks.publish(result, committed)
        return result


def fresh(scans: Iterable[Scan]) -> Iterator[tuple[Scan, bool]]:
    """A plain source's scans as the runner's (scan, already stored) stream."""
    return ((s, False) for s in scans)
