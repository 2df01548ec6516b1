"""The whole chain in one asyncio process: sources -> tracker -> airspace -> laser -> store, bus.

``Pipeline`` drives one *source* of scans (the simulator replaying a scenario, a recorded
``detections.jsonl`` or ``tracks.jsonl``, or live ingest) through the stages of
docs/interfaces.md, paced against the wall clock (``speed`` x real time), and for each
scan:

1. computes in a worker thread (``Tracker.step``, ``Analyzer.step``, ``HoldFire.decide``),
   so the event loop keeps serving the API and the live feed meanwhile;
2. commits the scan's track points, events, incidents, recommendations, hold-fire change,
   sensor counts *and the source cursor* in one transaction;
3. only then publishes the changes on the bus (what a client sees is already durable).

Resuming after a crash: stages are deterministic for a given source (DESIGN.md,
"replaying the same input gives the same tracks and incidents"), so on start the pipeline
runs the scans up to the committed cursor through the stages *without* storing or
pacing them (fast-forward, rebuilding the tracker's and analyzer's state), then carries
on live from the first uncommitted scan. Nothing committed is lost or written twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from skywarden.bus import Bus
from skywarden.model import Detection, Event, Incident, Recommendation, TrackUpdate, Zone
from skywarden.store import Database
from skywarden.store import cursor as store_cursor
from skywarden.store import incidents as store_incidents
from skywarden.store import laser as store_laser
from skywarden.store import quarantine as store_quarantine
from skywarden.store import recommendations as store_recs
from skywarden.store import sensors as store_sensors
from skywarden.store import tracks as store_tracks
from skywarden.store import zones as store_zones

log = logging.getLogger(__name__)


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
    """A time-ordered stream of scans; ``id`` names it for the resume cursor."""

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


# --------------------------------------------------------------------------- pipeline


def update_dict(u: TrackUpdate) -> dict[str, Any]:
    """A track update in the store's point form (what the API and the feed carry)."""
    d = store_tracks.update_row(u)
    d["velocity"] = [d.pop("ve"), d.pop("vn"), d.pop("vu")]
    return d


class Pipeline:
    """Run ``source`` through the stages; ``run(ctx)`` is the service's background task.

    ``tracker`` may be None only for sources that yield track updates; ``analyzer`` and
    ``hold_fire`` are optional (a sector without zones, no laser test running).
    ``hazard`` is the laser hazard volume footprint (GeoJSON geometry) shown on the map.
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
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.db, self.bus, self.source = db, bus, source
        self.tracker, self.analyzer, self.hold_fire = tracker, analyzer, hold_fire
        self.speed = speed
        self.zones, self.sensors = list(zones), list(sensors)
        self.laser_plan, self.hazard = laser_plan, hazard
        self.resume = resume
        self.steps_done = 0
        self.fast_forwarded = 0
        self.last_t: float | None = None
        self.last_duration_s = 0.0

    # ---------------------------------------------------------------- compute (thread)
    def compute(self, scan: Scan) -> StepResult:
        if scan.updates is not None:
            updates = scan.updates
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
        decision = None
        if self.hold_fire is not None:
            d = self.hold_fire.decide(scan.t, updates)
            decision = {
                "t": scan.t,
                "plan": (self.laser_plan or {}).get("id", "laser"),
                "state": str(d.state),
                "reasons": list(d.reasons),
                "tracks": list(d.tracks),
                "hazard": self.hazard,
            }
        return StepResult(
            scan.t, scan.detections, updates, events, incs, recs, decision, scan.rejected
        )

    def safe_compute(self, scan: Scan) -> StepResult:
        """``compute``, but a stage that fails on one scan costs that scan, not the service:
        the error is logged and kept in the quarantine with the scan's time, and the
        pipeline goes on with the next scan (DESIGN.md: bad input never stops it)."""
        try:
            return self.compute(scan)
        except Exception as e:
            log.exception("pipeline: stage failed on the scan at t=%s", scan.t)
            reason = f"stage error at t={scan.t}: {type(e).__name__}: {e}"
            return StepResult(
                scan.t,
                scan.detections,
                [],
                [],
                [],
                [],
                None,
                [*scan.rejected, (reason, "scan", "")],
            )

    # ---------------------------------------------------------------- persist (thread)
    def setup(self) -> tuple[float, int] | None:
        """Store the sector's zones, sensors and laser plan; return the resume cursor."""
        with self.db.session() as s:
            store_zones.put_many(s, self.zones)
            if self.sensors:
                store_sensors.register(s, self.sensors)
            if self.laser_plan is not None:
                store_laser.put_plan(
                    s,
                    str(self.laser_plan["id"]),
                    str(self.laser_plan.get("name", self.laser_plan["id"])),
                    self.laser_plan,
                )
            return store_cursor.get(s, self.source.id) if self.resume else None

    def persist(self, r: StepResult) -> list[dict[str, Any]]:
        """Commit one scan's outputs and the cursor together; return stored incident rows."""
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
                store_laser.record_decision(
                    s,
                    r.decision["plan"],
                    r.t,
                    r.decision["state"],
                    r.decision["reasons"],
                    r.decision["tracks"],
                )
            for reason, fld, raw in r.rejected:
                store_quarantine.add(s, r.t, self.source.id, reason, fld, raw)
            store_cursor.put(s, self.source.id, r.t, self.steps_done + 1)
            return [store_incidents.detail(s, i) for i in ids]

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
            await self.bus.publish("laser", r.decision)
        await self.bus.publish("clock", {"t": r.t, "speed": self.speed, "source": self.source.name})

    # ---------------------------------------------------------------- the loop
    async def run(self, _ctx: object = None) -> None:
        """Fast-forward to the cursor, then process scans paced at ``speed``."""
        resume_at = await asyncio.to_thread(self.setup)
        t_resume = resume_at[0] if resume_at else float("-inf")
        self.steps_done = resume_at[1] if resume_at else 0
        scans = iter(self.source.scans())
        wall0: float | None = None
        t0: float | None = None
        fetch_s = 0.0
        while True:
            if wall0 is not None and t0 is not None and self.last_t is not None:
                # Just in time: start the next scan's work shortly before it is due, so
                # the moments after a publish belong to the live feed's fan-out rather
                # than to a worker thread competing for the interpreter.
                due = wall0 + (self.last_t + 1.0 - t0) / self.speed
                lead = 0.1 + 2.0 * (fetch_s + self.last_duration_s)
                wait = due - lead - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            started_fetch = time.monotonic()
            scan = await asyncio.to_thread(next, scans, None)
            fetch_s = time.monotonic() - started_fetch
            if scan is None:
                break
            if scan.t <= t_resume:
                await asyncio.to_thread(self.safe_compute, scan)
                self.fast_forwarded += 1
                continue
            if wall0 is None or t0 is None:
                wall0, t0 = time.monotonic(), scan.t
            delay = wall0 + (scan.t - t0) / self.speed - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            started = time.monotonic()
            result = await asyncio.to_thread(self.safe_compute, scan)
            rows = await asyncio.to_thread(self.persist, result)
            self.steps_done += 1
            self.last_t = scan.t
            await self.publish(result, rows)
            self.last_duration_s = time.monotonic() - started
        log.info("pipeline: source %s finished after %d scans", self.source.id, self.steps_done)


def run_to_end(pipeline: Pipeline, scans: Iterable[Scan] | None = None) -> None:
    """Process every scan of the pipeline's source synchronously (no pacing, no bus):
    for batch imports and tests that need a store filled the way the service fills it."""
    resume_at = pipeline.setup()
    t_resume = resume_at[0] if resume_at else float("-inf")
    pipeline.steps_done = resume_at[1] if resume_at else 0
    for scan in scans if scans is not None else pipeline.source.scans():
        r = pipeline.safe_compute(scan)
        if scan.t <= t_resume:
            continue
        pipeline.persist(r)
        pipeline.steps_done += 1
