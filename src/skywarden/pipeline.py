"""The whole chain in one asyncio process: sources -> tracker -> airspace -> laser -> store, bus.

``Pipeline`` drives one *source* of scans (the simulator replaying a scenario, a recorded
``detections.jsonl`` or ``tracks.jsonl``, or live ingest) through the stages of
docs/interfaces.md, paced against the wall clock (``speed`` x real time; live sources
pace themselves), and for each scan:

1. for a live source, commits the scan's accepted detections (and rejections) to the
   store *before* tracking them (``store.scans``: a socket cannot be read twice);
2. computes in a worker thread (``Tracker.step``, ``Analyzer.step``, ``HoldFire.decide``),
   so the event loop keeps serving the API and the live feed meanwhile;
3. commits the scan's track points, events, incidents, recommendations, hold-fire change,
   sensor counts *and the source cursor* in one transaction, and every
   ``snapshot_every`` scans the stages' state with them (``store.snapshots``);
4. only then publishes the changes on the bus (what a client sees is already durable).

Resuming after a crash: stages are deterministic for a given source (DESIGN.md,
"replaying the same input gives the same tracks and incidents"). On start the pipeline
loads the newest snapshot at or before the committed cursor, runs only the scans after
it up to the cursor through the stages *without* storing or pacing them (rebuilding the
tracker's and analyzer's state), then carries on from the first uncommitted scan; for a
live source those come from the store first (accepted before the crash, never
processed), then from the sockets. Nothing committed is lost or written twice.

Fail closed (DESIGN.md): with a laser plan configured, the hold-fire state is HOLD, with
its reason, whenever it cannot be decided: while the service starts and rebuilds its
state; when a stage raises on a scan or hold-fire itself raises; when a stage it needs
is missing; when no scan has been decided for ``stale_after_s`` seconds of wall clock;
when the source has ended or the pipeline has stopped. Each such HOLD is published on
the ``laser`` topic (what ``/api/laser/status`` and the map show) and stored as a
decision.

Scenario zones and laser plans are seeded into the store once per id (audited): after
that the store's zones and plans are the operators', and a restart never rewrites them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from skywarden.bus import Bus
from skywarden.model import Detection, Event, Incident, Recommendation, TrackUpdate, Zone
from skywarden.store import Database
from skywarden.store import audit as store_audit
from skywarden.store import cursor as store_cursor
from skywarden.store import ids as store_ids
from skywarden.store import incidents as store_incidents
from skywarden.store import laser as store_laser
from skywarden.store import quarantine as store_quarantine
from skywarden.store import recommendations as store_recs
from skywarden.store import scans as store_scans
from skywarden.store import sensors as store_sensors
from skywarden.store import settings as store_settings
from skywarden.store import snapshots as store_snapshots
from skywarden.store import tracks as store_tracks
from skywarden.store import zones as store_zones
from skywarden.store.schema import LaserPlanRow, ZoneRow

log = logging.getLogger(__name__)

HOLD = "HOLD"
CLEAR = "CLEAR"
SNAPSHOT_EVERY = 60  # scans between state snapshots (a minute at 1x)
STALE_AFTER_S = 5.0  # wall-clock seconds without a decided scan before hold-fire HOLDs
SEEDED_ZONES = "seeded.zones"
SEEDED_PLANS = "seeded.laser_plans"


# --------------------------------------------------------------------------- seams


@dataclass
class Scan:
    """What a source yields per tick: detections to track, or already-formed track
    updates (a recorded ``tracks.jsonl``), plus anything it rejected on the way."""

    t: float
    detections: list[Detection] = field(default_factory=list)
    updates: list[TrackUpdate] | None = None
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # reason, field, raw


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


class TrackerLike(Protocol):
    def step(self, t: float, detections: list[Detection]) -> list[TrackUpdate]: ...


class AnalysisLike(Protocol):
    events: list[Event]
    incidents: list[Incident]
    recommendations: list[Recommendation]


class AnalyzerLike(Protocol):
    def step(self, t: float, updates: list[TrackUpdate]) -> Any: ...


class HoldFireLike(Protocol):
    def decide(self, t: float, updates: list[TrackUpdate]) -> Any: ...


@dataclass
class StepResult:
    t: float
    detections: list[Detection]
    updates: list[TrackUpdate]
    events: list[Event]
    incidents: list[Incident]
    recommendations: list[Recommendation]
    decision: dict[str, Any] | None
    rejected: list[tuple[str, str, str]]


# --------------------------------------------------------------------------- helpers


def update_dict(u: TrackUpdate) -> dict[str, Any]:
    """A track update in the store's point form (what the API and the feed carry)."""
    d = store_tracks.update_row(u)
    d["velocity"] = [d.pop("ve"), d.pop("vn"), d.pop("vu")]
    return d


def seed_store(
    s: Session, source: str, zones: Sequence[Zone], laser_plan: dict[str, Any] | None
) -> None:
    """Seed the scenario's zones and laser plan into the store, each id once ever.

    Issue 12, finding 5: rewriting them on every start silently undid an operator's
    deleted, edited or replaced zone or plan. Now a zone (plan) is written only if its
    id is neither in the store nor was ever seeded before (the seeded ids are kept in
    ``settings``): into an empty store the scenario seeds everything; after that the
    store's zones and plans are the operators', and only a new sector's zones are added.
    A seed is audited like any other change, as user ``skywarden``.
    """
    if zones:
        seen = set(store_settings.get(s, SEEDED_ZONES, {}).get("ids", []))
        have = set(s.scalars(select(ZoneRow.id)))
        new = [z for z in zones if z.id not in seen and z.id not in have]
        if new:
            store_zones.put_many(s, new)
            store_audit.append(
                s, "skywarden", "system", "zones_seed", source, None, {"zones": [z.id for z in new]}
            )
        all_ids = sorted(seen | {z.id for z in zones})
        if len(all_ids) != len(seen):
            store_settings.put(s, SEEDED_ZONES, {"ids": all_ids, "t": time.time()})
    if laser_plan is not None:
        pid = str(laser_plan["id"])
        seen = set(store_settings.get(s, SEEDED_PLANS, {}).get("ids", []))
        if pid not in seen:
            if s.get(LaserPlanRow, pid) is None:
                _, after = store_laser.put_plan(
                    s, pid, str(laser_plan.get("name", pid)), laser_plan
                )
                store_audit.append(s, "skywarden", "system", "laser_plan_seed", pid, None, after)
            store_settings.put(s, SEEDED_PLANS, {"ids": sorted(seen | {pid}), "t": time.time()})


# --------------------------------------------------------------------------- pipeline


class Pipeline:
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
    passes False.
    """

    def __init__(
        self,
        db: Database,
        bus: Bus,
        source: Source,
        tracker: TrackerLike | None = None,
        analyzer: AnalyzerLike | None = None,
        hold_fire: HoldFireLike | None = None,
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
        self.tracker, self.analyzer, self.hold_fire = tracker, analyzer, hold_fire
        self.speed = speed
        self.zones, self.sensors = list(zones), list(sensors)
        self.laser_plan, self.hazard = laser_plan, hazard
        self.resume = resume
        self.id_prefix = id_prefix
        self.snapshot_every = snapshot_every
        self.stale_after_s = float(stale_after_s)
        self.config = list(config)
        self.seed = seed
        self.durable_input = bool(getattr(source, "durable", False))
        self.paced = bool(getattr(source, "paced", True))
        self.steps_done = 0
        self.fast_forwarded = 0
        self.skipped = 0
        self.snapshots_written = 0
        self.restored: tuple[float, int] | None = None  # (t, steps) of the snapshot loaded
        self.last_t: float | None = None
        self.last_duration_s = 0.0
        self.last_decision: dict[str, Any] | None = None
        self._decided_at = time.monotonic()
        self._stale = True  # already HOLD ("starting") until the first live decision
        self._code: str | None = None

    # ---------------------------------------------------------------- fail closed
    @property
    def laser_active(self) -> bool:
        """A laser plan is configured (or hold-fire was given): decisions are owed."""
        return self.hold_fire is not None or self.laser_plan is not None

    def missing_stages(self, scan: Scan) -> list[str]:
        """Stages hold-fire needs that this pipeline lacks for ``scan``."""
        out = []
        if self.hold_fire is None:
            out.append("hold-fire")
        if scan.updates is None and self.tracker is None:
            out.append("tracker")
        if self.zones and self.analyzer is None:
            out.append("analyzer")
        return out

    def decision(
        self, t: float | None, state: str, reasons: Sequence[str], tracks: Sequence[str]
    ) -> dict[str, Any]:
        """A hold-fire record in the form the store, the bus and ``/api/laser/status`` use."""
        return {
            "t": t,
            "plan": str((self.laser_plan or {}).get("id", "laser")),
            "state": state,
            "reasons": list(reasons),
            "tracks": list(tracks),
            "hazard": self.hazard,
        }

    def decide(
        self, scan: Scan, updates: list[TrackUpdate], failure: str | None
    ) -> dict[str, Any] | None:
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
                if state in (HOLD, CLEAR):
                    return self.decision(scan.t, state, list(d.reasons), list(d.tracks))
                reasons.append(f"hold-fire answered {state!r}, neither HOLD nor CLEAR")
            except Exception as e:
                log.exception("pipeline: hold-fire failed on the scan at t=%s", scan.t)
                reasons.append(f"hold-fire error: {type(e).__name__}: {e}")
        return self.decision(scan.t, HOLD, reasons, [])

    # ---------------------------------------------------------------- compute (thread)
    def compute(self, scan: Scan) -> StepResult:
        """The stages on one scan (may raise; ``safe_compute`` is the guarded form)."""
        if scan.updates is not None:
            pre = self.id_prefix
            updates = (
                [dataclasses.replace(u, track=store_ids.scoped(u.track, pre)) for u in scan.updates]
                if pre
                else scan.updates
            )
        elif self.tracker is not None:
            updates = self.tracker.step(scan.t, scan.detections)
        else:
            raise RuntimeError(f"source {self.source.id} yields detections but no tracker")
        events: list[Event] = []
        incs: list[Incident] = []
        recs: list[Recommendation] = []
        if self.analyzer is not None:
            out = self.analyzer.step(scan.t, updates)
            events, incs, recs = list(out.events), list(out.incidents), list(out.recommendations)
        return StepResult(scan.t, scan.detections, updates, events, incs, recs, None, scan.rejected)

    def safe_compute(self, scan: Scan, decide: bool = True) -> StepResult:
        """``compute``, but a stage that fails on one scan costs that scan, not the service:
        the error is logged and kept in the quarantine with the scan's time, the pipeline
        goes on with the next scan (DESIGN.md: bad input never stops it), and hold-fire
        says HOLD for that scan, naming the error (fail closed)."""
        failure: str | None = None
        try:
            r = self.compute(scan)
        except Exception as e:
            log.exception("pipeline: stage failed on the scan at t=%s", scan.t)
            failure = f"{type(e).__name__}: {e}"
            reason = f"stage error at t={scan.t}: {failure}"
            r = StepResult(
                scan.t,
                scan.detections,
                [],
                [],
                [],
                [],
                None,
                [*scan.rejected, (reason, "scan", "")],
            )
        if decide:
            r.decision = self.decide(scan, r.updates, failure)
        return r

    # ---------------------------------------------------------------- snapshots
    def static_objects(self) -> dict[str, object]:
        """Big objects every start rebuilds identically, left out of snapshots."""
        out: dict[str, object] = {}
        zindex = getattr(self.analyzer, "zindex", None)
        if zindex is not None:
            out["analyzer.zindex"] = zindex
        src_static = getattr(self.source, "static_objects", None)
        if callable(src_static):
            out.update({f"source.{k}": v for k, v in src_static().items()})
        return out

    def code(self) -> str:
        """The snapshot fingerprint of this code and configuration (computed once)."""
        if self._code is None:
            parts = [
                self.source.id,
                self.id_prefix,
                json.dumps([z.to_dict() for z in self.zones], sort_keys=True, default=str),
                json.dumps(self.laser_plan, sort_keys=True, default=str),
                type(self.tracker).__qualname__,
                type(self.analyzer).__qualname__,
                *self.config,
            ]
            self._code = store_snapshots.fingerprint(parts)
        return self._code

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = {"tracker": self.tracker, "analyzer": self.analyzer}
        pos = getattr(self.source, "resume_state", None)
        if callable(pos):
            state["source"] = pos()
        return state

    def restore(self, s: Session, t_max: float) -> Any:
        """Load the newest readable snapshot at or before ``t_max``; return the source's
        position in it (None if it has none or no snapshot was loaded)."""
        for t, steps, blob in store_snapshots.latest(s, self.source.id, self.code(), t_max):
            try:
                st = store_snapshots.loads(blob, self.static_objects())
            except store_snapshots.SnapshotError as e:
                log.warning("pipeline: snapshot at t=%s skipped: %s", t, e)
                continue
            self.tracker, self.analyzer = st.get("tracker"), st.get("analyzer")
            self.restored = (t, steps)
            log.info("pipeline: state restored from the snapshot at t=%s (%d scans)", t, steps)
            return st.get("source")
        return None

    # ---------------------------------------------------------------- persist (thread)
    def setup(self) -> tuple[tuple[float, int] | None, Any]:
        """Seed an empty store, register sensors, read the cursor and restore the newest
        snapshot; returns the cursor and the source position to continue from."""
        with self.db.session() as s:
            if self.seed:
                seed_store(s, self.source.id, self.zones, self.laser_plan)
            if self.sensors:
                store_sensors.register(s, self.sensors)
            resume_at = store_cursor.get(s, self.source.id) if self.resume else None
            position = self.restore(s, resume_at[0]) if resume_at is not None else None
        return resume_at, position

    def store_scan(self, scan: Scan) -> None:
        """Commit an accepted live scan before it is processed (``store.scans``)."""
        with self.db.session() as s:
            store_scans.append(s, self.source.id, scan.t, scan.detections, scan.rejected)

    def persist(self, r: StepResult, snapshot: bool = False) -> list[dict[str, Any]]:
        """Commit one scan's outputs and the cursor together (and the stages' state, if
        ``snapshot``); return the stored incident rows."""
        blob = (
            store_snapshots.dumps(self.state(), self.static_objects())
            if snapshot and self.resume
            else None
        )
        with self.db.session() as s:
            store_tracks.record_updates(s, r.updates)
            store_sensors.seen(s, r.detections)
            in_incidents = {(e.kind, e.t, e.track) for i in r.incidents for e in i.events}
            store_incidents.record_events(
                s, (e for e in r.events if (e.kind, e.t, e.track) not in in_incidents)
            )
            ids = store_incidents.upsert(s, r.incidents, r.t)
            store_recs.upsert(s, r.recommendations)
            if r.decision is not None:
                self._record(s, r.decision)
            for reason, fld, raw in r.rejected:
                store_quarantine.add(s, r.t, self.source.id, reason, fld, raw)
            store_cursor.put(s, self.source.id, r.t, self.steps_done + 1)
            if blob is not None:
                store_snapshots.put(s, self.source.id, r.t, self.steps_done + 1, self.code(), blob)
                self.snapshots_written += 1
            return [store_incidents.detail(s, i) for i in ids]

    @staticmethod
    def _record(s: Session, d: dict[str, Any]) -> None:
        store_laser.record_decision(s, d["plan"], d["t"], d["state"], d["reasons"], d["tracks"])

    def record_hold(self, d: dict[str, Any]) -> None:
        """Store a fail-safe HOLD outside a scan (stale input, start, end)."""
        if d["t"] is None:
            return
        with self.db.session() as s:
            self._record(s, d)

    # ---------------------------------------------------------------- the scan stream
    def stream(self, t_from: float, position: Any) -> Iterator[tuple[Scan, bool]]:
        """(scan, already stored) in time order, from just after ``t_from``."""
        if self.durable_input:
            last = t_from
            while True:  # the stored scans after t_from, a chunk per session
                with self.db.session() as s:
                    chunk = []
                    for t, dets, rej in store_scans.after(s, self.source.id, last):
                        chunk.append(Scan(t, dets, rejected=rej))
                        if len(chunk) >= 500:
                            break
                if not chunk:
                    break
                for scan in chunk:
                    yield scan, True
                last = chunk[-1].t
            for scan in self.source.scans():
                if scan.t > last:
                    yield scan, False
            return
        scans = (
            self.source.scans(position)  # type: ignore[call-arg]
            if position is not None
            else self.source.scans()
        )
        for scan in scans:
            yield scan, False

    def begin(self) -> tuple[float, float, Iterator[tuple[Scan, bool]]]:
        """Setup; returns (snapshot t, cursor t, the scan stream)."""
        resume_at, position = self.setup()
        t_cursor = resume_at[0] if resume_at else float("-inf")
        self.steps_done = resume_at[1] if resume_at else 0
        t_from = self.restored[0] if self.restored else float("-inf")
        return t_from, t_cursor, self.stream(t_from, position)

    def snapshot_due(self) -> bool:
        return self.snapshot_every > 0 and (self.steps_done + 1) % self.snapshot_every == 0

    # ---------------------------------------------------------------- publish (loop)
    async def publish(self, r: StepResult, incident_rows: list[dict[str, Any]]) -> None:
        pub = time.time()
        await self.bus.publish(
            "tracks", {"t": r.t, "pub": pub, "tracks": [update_dict(u) for u in r.updates]}
        )
        if incident_rows:
            rows = [
                {k: v for k, v in d.items() if k not in ("events", "actions")}
                for d in incident_rows
            ]
            await self.bus.publish("incidents", {"incidents": rows})
        if r.recommendations:
            await self.bus.publish(
                "recommendations",
                {"recommendations": [store_recs.as_dict(x) for x in r.recommendations]},
            )
        if r.decision is not None:
            await self.announce(r.decision)
        await self.bus.publish("clock", {"t": r.t, "speed": self.speed, "source": self.source.name})

    async def announce(self, d: dict[str, Any]) -> None:
        """Publish a hold-fire record (the hub keeps it for ``/api/laser/status``)."""
        self.last_decision = d
        await self.bus.publish("laser", d)

    async def hold(self, reason: str, store: bool = True) -> None:
        """Fail-safe HOLD outside a scan, published and (if it has a time) stored."""
        d = self.decision(self.last_t, HOLD, [reason], [])
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

    # ---------------------------------------------------------------- the loop
    async def run(self, _ctx: object = None) -> None:
        """Fast-forward to the cursor, then process scans paced at ``speed``; HOLD on the
        way out, whatever the way (the source ended, or an error stopped the pipeline)."""
        watchdog: asyncio.Task[None] | None = None
        try:
            if self.laser_active:
                await self.hold("starting: rebuilding the picture from the store", store=False)
                watchdog = asyncio.create_task(self.watchdog(), name="skywarden-holdfire-watch")
            await self._run()
        except asyncio.CancelledError:
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

    async def _run(self) -> None:
        t_from, t_resume, stream = await asyncio.to_thread(self.begin)
        wall0: float | None = None
        t0: float | None = None
        fetch_s = 0.0
        started_at = time.monotonic()
        while True:
            if self.paced and wall0 is not None and t0 is not None and self.last_t is not None:
                # Just in time: start the next scan's work shortly before it is due, so
                # the moments after a publish belong to the live feed's fan-out rather
                # than to a worker thread competing for the interpreter.
                due = wall0 + (self.last_t + 1.0 - t0) / self.speed
                lead = 0.1 + 2.0 * (fetch_s + self.last_duration_s)
                wait = due - lead - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            started_fetch = time.monotonic()
            item = await asyncio.to_thread(next, stream, None)
            fetch_s = time.monotonic() - started_fetch
            if item is None:
                break
            scan, stored = item
            if scan.t <= t_from:  # before the snapshot: its state is already loaded
                self.skipped += 1
                continue
            if scan.t <= t_resume:  # committed: rebuild the state only
                await asyncio.to_thread(self.safe_compute, scan, False)
                self.fast_forwarded += 1
                continue
            if wall0 is None or t0 is None:
                wall0, t0 = time.monotonic(), scan.t
                log.info(
                    "pipeline: live after %.2f s (%d scans replayed, snapshot %s)",
                    time.monotonic() - started_at,
                    self.fast_forwarded,
                    self.restored,
                )
            if self.paced:
                delay = wall0 + (scan.t - t0) / self.speed - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            started = time.monotonic()
            if self.durable_input and not stored:
                await asyncio.to_thread(self.store_scan, scan)
            result = await asyncio.to_thread(self.safe_compute, scan)
            rows = await asyncio.to_thread(self.persist, result, self.snapshot_due())
            self.steps_done += 1
            self.last_t = scan.t
            self._decided_at, self._stale = time.monotonic(), False
            await self.publish(result, rows)
            self.last_duration_s = time.monotonic() - started
        log.info("pipeline: source %s finished after %d scans", self.source.id, self.steps_done)


def run_to_end(pipeline: Pipeline, scans: Iterable[Scan] | None = None) -> None:
    """Process every scan of the pipeline's source synchronously (no pacing, no bus):
    for batch imports and tests that need a store filled the way the service fills it.
    ``scans`` replaces the source's own stream (a test's "killed after N scans")."""
    t_from, t_resume, stream = pipeline.begin()
    items = ((x, False) for x in scans) if scans is not None else stream
    for scan, stored in items:
        if scan.t <= t_from:
            pipeline.skipped += 1
            continue
        if scan.t <= t_resume:
            pipeline.safe_compute(scan, False)
            pipeline.fast_forwarded += 1
            continue
        if pipeline.durable_input and not stored:
            pipeline.store_scan(scan)
        r = pipeline.safe_compute(scan)
        pipeline.persist(r, pipeline.snapshot_due())
        pipeline.steps_done += 1
        pipeline.last_t = scan.t
