"""The service's pipeline: the one stage loop with a store, a bus and a laser interlock.

``Pipeline`` drives one *source* of scans (the simulator replaying a scenario, a recorded
``detections.jsonl`` or ``tracks.jsonl``, or live ingest) through the stages with
:class:`~skywarden.stages.Runner`, in one worker thread, paced against the wall clock
(``speed`` x real time; live sources pace themselves), and for each scan:

1. for a live source, commits the scan's accepted detections (and rejections) to the
   store *before* tracking them (``store.scans``: a socket cannot be read twice);
2. applies the operators' actions stored since the last scan to the analyzer
   (``pipeline.operators``), then runs the stages (``StageChain``);
3. commits the scan's outputs and the source cursor in one transaction, and every
   ``snapshot_every`` scans the stages' state with them (``pipeline.commit``,
   ``pipeline.resume``);
4. only then publishes the changes on the bus, on the event loop (what a client sees is
   already durable).

Fail closed (DESIGN.md): with a laser plan configured, the hold-fire state is HOLD, with
its reason, whenever it cannot be decided: while the service starts and rebuilds its
state; when a stage raises on a scan or hold-fire itself raises; when a stage it needs
is missing; when no scan has been decided for ``stale_after_s`` seconds of wall clock;
when the source has ended or the pipeline has stopped. Each such HOLD is published on
the ``laser`` topic (what ``/api/laser/status`` and the map show) and stored.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from skywarden.bus import Bus
from skywarden.model import Zone
from skywarden.pipeline import commit, resume
from skywarden.pipeline.evidence import EvidenceLog
from skywarden.pipeline.operators import OperatorFeed
from skywarden.pipeline.seed import seed_store
from skywarden.stages import (
    AnalysisStage,
    HoldFireDecision,
    HoldFireStage,
    HoldState,
    Hooks,
    LaserSetting,
    Pacer,
    ResumePoint,
    Runner,
    Scan,
    StageChain,
    StepResult,
    TrackingStage,
    WallClock,
    fresh,
)
from skywarden.store import Database
from skywarden.store import cursor as store_cursor
from skywarden.store import ids as store_ids
from skywarden.store import incidents as store_incidents
from skywarden.store import scans as store_scans
from skywarden.store import sensors as store_sensors
from skywarden.store import snapshots as store_snapshots

log = logging.getLogger("skywarden.pipeline")

SNAPSHOT_EVERY = 60  # scans between state snapshots (a minute at 1x)
STALE_AFTER_S = 5.0  # wall-clock seconds without a decided scan before hold-fire HOLDs
PUBLISH_TIMEOUT_S = 30.0  # a publish the event loop never runs (it stopped) ends the loop
PUBLISH_POLL_S = 0.25  # how often a waiting publish checks that the service still runs


class Source(Protocol):
    """A time-ordered stream of scans; ``id`` names it for the resume cursor.

    Optional attributes a source may have: ``durable = True`` (a live source: its scans
    are stored before they are processed, and replayed from the store on restart),
    ``paced = False`` (it paces itself, like a socket), and the pair
    ``resume_state()`` / ``scans(state)`` (its position, picklable, so a restart from a
    snapshot continues it without regenerating the scans before it)."""

    id: str
    name: str

    def scans(self) -> Iterator[Scan]: ...


class Pipeline(Hooks):
    """Run ``source`` through the stages; ``run(ctx)`` is the service's background task.

    ``tracker`` may be None only for sources that yield track updates; ``analyzer`` and
    ``hold_fire`` are optional (a sector without zones, no laser test running), but a
    configured ``laser_plan`` without a working hold-fire, or ``zones`` without an
    analyzer, means HOLD. ``hazard`` is the laser hazard volume footprint (GeoJSON) shown
    on the map. ``id_prefix`` is the store's run prefix for this source (``store.ids``):
    recorded track ids are scoped with it (the stages were built with it). ``config`` are
    strings that identify the stages' configuration in the snapshot fingerprint.
    ``seed``: seed ``zones`` and ``laser_plan`` into the store on start (``seed_store``);
    ``launch.build`` seeds before it builds the analyzer from the store's zones, and
    passes False. The pipeline is the runner's :class:`~skywarden.stages.Hooks`.
    """

    def __init__(
        self,
        db: Database,
        bus: Bus,
        source: Source,
        tracker: TrackingStage | None = None,
        analyzer: AnalysisStage | None = None,
        hold_fire: HoldFireStage | None = None,
        *,
        speed: float = 1.0,
        zones: Sequence[Zone] = (),
        sensors: Sequence[dict[str, Any]] = (),
        laser_plan: dict[str, Any] | None = None,
        hazard: dict[str, Any] | None = None,
        resume: bool = True,
        id_prefix: str = "",
        snapshot_every: int = SNAPSHOT_EVERY,
        stale_after_s: float = STALE_AFTER_S,
        config: Sequence[str] = (),
        seed: bool = True,
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        if snapshot_every < 0:
            raise ValueError(f"snapshot_every must be >= 0, got {snapshot_every}")
        if not stale_after_s > 0:
            raise ValueError(f"stale_after_s must be > 0, got {stale_after_s}")
        self.db, self.bus, self.source = db, bus, source
        self.speed = speed
        self.sensors = list(sensors)
        self.laser_plan, self.hazard = laser_plan, hazard
        laser = LaserSetting(
            str((laser_plan or {}).get("id", "laser")), hazard, laser_plan is not None
        )
        scope = (lambda tr: store_ids.scoped(tr, id_prefix)) if id_prefix else None
        self.chain = StageChain(tracker, analyzer, hold_fire, laser, scope)
        self.zones = list(zones)
        self.resume, self.id_prefix, self.seed = resume, id_prefix, seed
        self.snapshot_every = snapshot_every
        self.stale_after_s = float(stale_after_s)
        self.config = list(config)
        self.durable_input = bool(getattr(source, "durable", False))
        self.paced = bool(getattr(source, "paced", True))
        self.runner = Runner(self.chain, self)
        self.evidence = EvidenceLog(source.id)  # the raw inputs' hash chain (issue 16)
        self.operators = OperatorFeed(db)
        self.operators.on_applied = self.evidence.action
        self.snapshots_written = 0
        self.restored: tuple[float, int] | None = None  # (t, steps) of the snapshot loaded
        self.last_decision: dict[str, Any] | None = None
        self._decided_at = time.monotonic()
        self._stale = True  # already HOLD ("starting") until the first live decision
        self._code: str | None = None
        self._live = False
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    # ---------------------------------------------------------------- the stages
    @property
    def tracker(self) -> TrackingStage | None:
        return self.chain.tracker

    @tracker.setter
    def tracker(self, v: TrackingStage | None) -> None:
        self.chain.tracker = v

    @property
    def analyzer(self) -> AnalysisStage | None:
        return self.chain.analyzer

    @analyzer.setter
    def analyzer(self, v: AnalysisStage | None) -> None:
        self.chain.analyzer = v

    @property
    def hold_fire(self) -> HoldFireStage | None:
        return self.chain.hold_fire

    @hold_fire.setter
    def hold_fire(self, v: HoldFireStage | None) -> None:
        self.chain.hold_fire = v

    @property
    def zones(self) -> list[Zone]:
        return self._zones

    @zones.setter
    def zones(self, v: Sequence[Zone]) -> None:
        """Zones configured make an absent analyzer a missing stage for hold-fire."""
        self._zones = list(v)
        self.chain.needs_analyzer = bool(self._zones)

    @property
    def laser_active(self) -> bool:
        return self.chain.laser_active

    # ---------------------------------------------------------------- the runner's counts
    @property
    def steps_done(self) -> int:
        return self.runner.steps_done

    @property
    def fast_forwarded(self) -> int:
        return self.runner.fast_forwarded

    @property
    def skipped(self) -> int:
        return self.runner.skipped

    @property
    def last_t(self) -> float | None:
        return self.runner.last_t

    def code(self) -> str:
        """The snapshot fingerprint of this code and configuration (computed once)."""
        if self._code is None:
            self._code = resume.fingerprint(self)
        return self._code

    # ---------------------------------------------------------------- start
    def begin(self) -> tuple[ResumePoint, Iterator[tuple[Scan, bool]]]:
        """Seed an empty store, register sensors, read the cursor, restore the newest
        snapshot; returns where to resume and the scan stream from there."""
        with self.db.session() as s:
            if self.seed:
                seed_store(s, self.source.id, self.zones, self.laser_plan)
            if self.sensors:
                store_sensors.register(s, self.sensors)
            self.evidence.start(s, self)
            at = store_cursor.get(s, self.source.id) if self.resume else None
            position = resume.restore(self, s, at[0]) if at is not None else None
        point = ResumePoint(
            self.restored[0] if self.restored else float("-inf"),
            at[0] if at else float("-inf"),
            at[1] if at else 0,
        )
        return point, resume.stream(self, point.snapshot_t, position)

    def drive(self, scans: Iterable[Scan] | None = None, pacer: Pacer | None = None) -> None:
        """The one loop, synchronously (the service calls it in a worker thread).
        ``scans`` replaces the source's own stream (a test's "killed after N scans")."""
        point, stream = self.begin()
        self.runner.pacer = pacer or Pacer()
        self.runner.run(fresh(scans) if scans is not None else stream, point)
        log.info("pipeline: source %s finished after %d scans", self.source.id, self.steps_done)

    # ---------------------------------------------------------------- hooks (thread)
    def accept(self, scan: Scan) -> None:
        """Commit an accepted live scan before it is processed (``store.scans``)."""
        self.evidence.take(scan)
        if self.durable_input:
            with self.db.session() as s:
                store_scans.append(s, self.source.id, scan.t, scan.detections, scan.rejected)
                self.evidence.write(s)

    store_scan = accept  # the name the restart tests and tools know

    def before(self, scan: Scan) -> None:
        """Operators' actions reach the analyzer between live scans (not while the
        committed scans are recomputed: their actions came later)."""
        if self._live and self.analyzer is not None:
            self.operators.apply(self.analyzer, scan.t)

    def live(self, started_s: float) -> None:
        self._live = True
        log.info(
            "pipeline: live after %.2f s (%d scans replayed, snapshot %s)",
            started_s,
            self.fast_forwarded,
            self.restored,
        )

    def commit(self, result: StepResult) -> list[dict[str, Any]]:
        """Commit one scan's outputs and the cursor together (and the stages' state, if a
        snapshot is due); return the stored incident rows."""
        steps = self.steps_done + 1
        snap = self.resume and self.snapshot_every > 0 and steps % self.snapshot_every == 0
        blob = resume.dumps(self) if snap else None
        with self.db.session() as s:
            ids = commit.commit_scan(s, self.source.id, result, steps)
            self.evidence.commit(s, result, steps)
            if blob is not None:
                store_snapshots.put(s, self.source.id, result.t, steps, self.code(), blob)
                self.snapshots_written += 1
            return [store_incidents.detail(s, i) for i in ids]

    def publish(self, result: StepResult, committed: object) -> None:
        """Mark the scan decided, then publish it on the event loop (not in ``run_to_end``)."""
        self._decided_at, self._stale = time.monotonic(), False
        if self._loop is None:
            return
        rows: list[dict[str, Any]] = committed if isinstance(committed, list) else []
        fut = asyncio.run_coroutine_threadsafe(self._publish(result, rows), self._loop)
        waited = 0.0
        while True:  # until published, or the service stops and its loop will not run it
            try:
                fut.result(PUBLISH_POLL_S)
                return
            except concurrent.futures.TimeoutError:
                waited += PUBLISH_POLL_S
                if self._stop.is_set() or self._loop.is_closed() or waited >= PUBLISH_TIMEOUT_S:
                    fut.cancel()
                    if not self._stop.is_set():
                        raise RuntimeError(f"publish not done after {waited:.0f} s") from None
                    return

    def stopped(self) -> bool:
        return self._stop.is_set()

    # ---------------------------------------------------------------- publish (loop)
    async def _publish(self, r: StepResult, incident_rows: list[dict[str, Any]]) -> None:
        for topic, data in commit.bus_messages(r, incident_rows):
            await self.bus.publish(topic, data)
        if r.decision is not None:
            await self.announce(r.decision)
        await self.bus.publish("clock", {"t": r.t, "speed": self.speed, "source": self.source.name})

    async def announce(self, d: HoldFireDecision) -> None:
        """Publish a hold-fire record (the hub keeps it for ``/api/laser/status``)."""
        self.last_decision = d.to_dict()
        await self.bus.publish("laser", self.last_decision)

    def record_hold(self, d: HoldFireDecision) -> None:
        """Store a fail-safe HOLD outside a scan (stale input, start, end)."""
        if d.t is None:
            return
        with self.db.session() as s:
            commit.record_decision(s, d)

    async def hold(self, reason: str, store: bool = True) -> None:
        """Fail-safe HOLD outside a scan, published and (if it has a time) stored."""
        d = self.chain.decision(self.last_t, HoldState.HOLD, [reason], [])
        if store:
            await asyncio.to_thread(self.record_hold, d)
        await self.announce(d)

    async def watchdog(self) -> None:
        """HOLD when no scan has been decided for ``stale_after_s`` s of wall clock."""
        while True:
            await asyncio.sleep(min(1.0, self.stale_after_s / 4.0))
            age = time.monotonic() - self._decided_at
            if age > self.stale_after_s and not self._stale:
                self._stale = True
                log.warning("pipeline: no scan for %.1f s; hold-fire HOLD", age)
                await self.hold(
                    f"stale input: no scan for {age:.1f} s (HOLD after {self.stale_after_s:g} s)"
                )

    # ---------------------------------------------------------------- the task
    async def run(self, _ctx: object = None) -> None:
        """Fast-forward to the cursor, then process scans paced at ``speed``; HOLD on the
        way out, whatever the way (the source ended, or an error stopped the pipeline)."""
        watchdog: asyncio.Task[None] | None = None
        self._loop = asyncio.get_running_loop()
        pacer = WallClock(self.speed, self._stop) if self.paced else Pacer()
        try:
            if self.laser_active:
                await self.hold("starting: rebuilding the picture from the store", store=False)
                watchdog = asyncio.create_task(self.watchdog(), name="skywarden-holdfire-watch")
            await asyncio.to_thread(self.drive, None, pacer)
        except asyncio.CancelledError:
            self._stop.set()
            raise
        except Exception as e:
            if self.laser_active:
                await self.hold(f"pipeline stopped: {type(e).__name__}: {e}")
            raise
        else:
            if self.laser_active:
                await self.hold("source ended: no more input")
        finally:
            if watchdog is not None:
                watchdog.cancel()


def run_to_end(pipeline: Pipeline, scans: Iterable[Scan] | None = None) -> None:
    """Process every scan of the pipeline's source synchronously (no pacing, no bus):
    for batch imports and tests that need a store filled the way the service fills it.
    ``scans`` replaces the source's own stream (a test's "killed after N scans")."""
    pipeline.drive(scans)
