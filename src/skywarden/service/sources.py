"""Sources of scans for the service's pipeline, and the ``--source SPEC`` syntax.

- ``ScenarioSource``: the simulator replaying a scenario file (``--scenario FILE``);
- ``detections:PATH``: a recorded ``detections.jsonl`` (time ordered), one scan per
  second; a line that is not a valid Detection goes to the quarantine with its reason;
- ``tracks:PATH``: a recorded ``tracks.jsonl``, replayed as track updates (no tracker);
- ``tcp://HOST:PORT`` / ``udp://HOST:PORT``: live sensor feeds through ``skywarden.ingest``
  (format detected from the first bytes: SBS, AVR, Beast, ASTERIX, Remote ID...), cut
  into one scan per wall-clock second; what ingest rejects goes to the quarantine.

A ``sector.json`` beside a recorded file (what ``skywarden simulate`` writes) gives the
sector's origin and sensors; without it the origin is the first position in the file.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skywarden import jsonl
from skywarden.errors import SkywardenError
from skywarden.geo import LocalFrame
from skywarden.model import Detection, TrackUpdate
from skywarden.pipeline import Scan
from skywarden.rejection import Rejection


class SourceSpecError(SkywardenError, ValueError):
    """A ``--source`` spec is malformed or names a missing file; says which and why."""


def _file_id(kind: str, path: Path, extra: str = "") -> str:
    """A stable id for the resume cursor: kind, absolute path and a content fingerprint,
    so a different file at the same path does not resume from the old cursor."""
    st = path.stat()
    fp = hashlib.sha1(
        f"{path.resolve()}|{st.st_size}|{extra}".encode(), usedforsecurity=False
    ).hexdigest()[:12]
    return f"{kind}:{path.name}:{fp}"


@dataclass
class SectorInfo:
    name: str
    frame: LocalFrame
    sensors: list[dict[str, Any]] = field(default_factory=list)
    airports: list[str] = field(default_factory=list)
    extent_m: float = 30_000.0


def read_sector_json(path: Path) -> SectorInfo | None:
    if not path.exists():
        return None
    d = json.loads(path.read_text())
    o = d["origin"]
    sensors = []
    for s in d.get("sensors", []):
        site = s.get("site", s)
        sensors.append(
            {
                "id": s["id"],
                "kind": s.get("kind", "unknown"),
                "lat": site.get("lat"),
                "lon": site.get("lon"),
                "alt_m": site.get("alt_m"),
            }
        )
    return SectorInfo(
        d.get("name", path.parent.name),
        LocalFrame(float(o["lat"]), float(o["lon"]), float(o.get("alt_m", 0.0))),
        sensors,
        list(d.get("airports", [])),
        float(d.get("extent_m", 30_000)),
    )


class DetectionsFile:
    """Replays ``detections.jsonl``: scans close on each whole second of detection time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.id = _file_id("detections", path)
        self.name = str(path)

    def scans(self) -> Iterator[Scan]:
        pending: list[Detection] = []
        rejected: list[Rejection] = []
        scan_t: float | None = None
        for item in jsonl.read_jsonl(self.path, Detection.from_dict, fmt="detections"):
            if isinstance(item, Rejection):
                rejected.append(item)
                continue
            d = item.record
            tick = math.ceil(d.t)
            if scan_t is not None and tick > scan_t:
                yield Scan(scan_t, pending, rejected=rejected)
                pending, rejected = [], []
            if scan_t is None or tick > scan_t:
                scan_t = float(tick)
            pending.append(d)
        if scan_t is not None:
            yield Scan(scan_t, pending, rejected=rejected)

    def first_position(self) -> tuple[float, float, float] | None:
        with self.path.open() as f:
            for line in f:
                try:
                    p = json.loads(line).get("position")
                except json.JSONDecodeError:
                    continue
                if p:
                    return float(p["lat"]), float(p["lon"]), float(p["alt_m"])
        return None


class TracksFile:
    """Replays ``tracks.jsonl`` (TrackUpdate per line, time ordered), one scan per time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.id = _file_id("tracks", path)
        self.name = str(path)

    def scans(self) -> Iterator[Scan]:
        batch: list[TrackUpdate] = []
        rejected: list[Rejection] = []
        t: float | None = None
        for item in jsonl.read_jsonl(self.path, TrackUpdate.from_dict, fmt="tracks"):
            if isinstance(item, Rejection):
                rejected.append(item)
                continue
            u = item.record
            if t is not None and u.t != t:
                yield Scan(t, updates=batch, rejected=rejected)
                batch, rejected = [], []
            t = u.t
            batch.append(u)
        if t is not None:
            yield Scan(t, updates=batch, rejected=rejected)

    def first_position(self) -> tuple[float, float, float] | None:
        with self.path.open() as f:
            for line in f:
                try:
                    d = json.loads(line)
                    return float(d["lat"]), float(d["lon"]), float(d["alt_m"])
                except (json.JSONDecodeError, KeyError):
                    continue
        return None


class ScenarioSource:
    """The simulator replaying a scenario file, deterministic for its seed.

    Resumable: ``resume_state()`` is the simulator's position after the last scan
    yielded (tick, launch schedule, sensors with their random streams, airborne targets),
    picklable, and ``scans(state)`` continues from it, so a restart from a snapshot an
    hour into a night does not regenerate the hour first. The loop is
    ``Simulation.steps()`` without the truth records; ``tests/service/test_sources.py``
    checks that both give the same detections, from the start and from a resumed state.
    """

    def __init__(self, path: Path, seed: int = 1, duration_s: float | None = None) -> None:
        from skywarden.sim import Simulation, load_scenario

        self.path = path
        self.scn = load_scenario(str(path))
        self.seed = seed
        self.duration_s = duration_s
        self.id = _file_id("scenario", path, f"seed={seed}|{path.read_text()}")
        self.name = f"{self.scn.sector.name} ({path.name}, seed {seed})"
        self.sim = Simulation(self.scn, seed=self.seed, duration_s=self.duration_s)
        self._state: dict[str, Any] | None = None

    def sector(self) -> SectorInfo:
        sensors = []
        for s in self.scn.sensors:
            site = s.site
            sensors.append(
                {
                    "id": s.id,
                    "kind": str(s.kind),
                    "lat": site.lat,
                    "lon": site.lon,
                    "alt_m": site.alt_m,
                }
            )
        sec = self.scn.sector
        return SectorInfo(
            sec.name, self.scn.frame, sensors, list(sec.airports), float(sec.extent_m)
        )

    def static_objects(self) -> dict[str, object]:
        """What a pickled position refers to but every start rebuilds (the geography)."""
        return {"geo": self.sim.geo, "frame": self.sim.frame}

    def resume_state(self) -> dict[str, Any] | None:
        return self._state

    def scans(self, state: dict[str, Any] | None = None) -> Iterator[Scan]:
        from skywarden.sim.snapshot import Snapshot

        sim = self.sim
        if state is None:
            # the private builders of Simulation.steps(), so the run is the same one
            state = {"k": 0, "schedule": sim._schedule(), "sensors": sim._sensors(), "active": []}
        self._state = state
        for k in range(int(state["k"]), sim.n_ticks):
            t = sim.t_start + k
            active = state["active"]
            active.extend(state["schedule"].pop_due(t))
            active = [tg for tg in active if tg.t0 <= t <= tg.t_end]
            snap = Snapshot.of(t, active, sim.frame)
            dets: list[Detection] = []
            for sensor in state["sensors"]:
                dets.extend(sensor.observe(snap))
            dets.sort(key=lambda d: (d.t, d.sensor))
            state["active"], state["k"] = active, k + 1
            yield Scan(t, dets)


def _queue_sink(q: queue.Queue[Any]) -> Any:
    """An ingest ``Sink`` that also hands every accepted detection and every rejection to
    the pipeline's thread through ``q`` (ingest is imported only when a socket is used)."""
    from skywarden.ingest.sink import Sink

    class QueueSink(Sink):
        def _accept(self, fmt: str, det: Detection) -> None:
            super()._accept(fmt, det)
            q.put(det)

        def reject(self, rej: Any) -> None:
            super().reject(rej)
            q.put(rej)

    return QueueSink()


class LiveIngest:
    """Live sockets read by ``skywarden.ingest`` in their own thread and event loop; one
    scan per wall-clock second with whatever arrived (the tracker takes it from there).

    ``durable``: a socket cannot be read twice, so the pipeline stores each scan before
    processing it and rebuilds from the store on restart. ``paced = False``: the wall
    clock already paces it."""

    durable = True
    paced = False

    def __init__(self, specs: list[str]) -> None:
        from skywarden.ingest.base import IngestOptions
        from skywarden.ingest.formats import UnknownFormat
        from skywarden.ingest.sources import source_for

        try:
            self.sources = [
                _sapient_server(s) if s.startswith("sapient://") else
                source_for(s, None, IngestOptions(), None)
                for s in specs
            ]  # fmt: skip
        except (UnknownFormat, FileNotFoundError) as e:
            raise SourceSpecError(f"--source {e}") from None
        self.id = "live:" + "+".join(specs)
        self.name = " + ".join(specs)

    def scans(self) -> Iterator[Scan]:
        from skywarden.ingest.sources import run_sources

        q: queue.Queue[Any] = queue.Queue()
        sink = _queue_sink(q)
        reader = threading.Thread(
            target=lambda: asyncio.run(run_sources(self.sources, sink)),
            name="skywarden-ingest",
            daemon=True,
        )
        reader.start()
        while reader.is_alive() or not q.empty():
            tick = math.floor(time.time()) + 1.0
            dets: list[Detection] = []
            rejected: list[Rejection] = []
            while (left := tick - time.time()) > 0:
                try:
                    item = q.get(timeout=left)
                except queue.Empty:
                    break
                if isinstance(item, Detection):
                    dets.append(item)
                else:
                    rejected.append(item)
            yield Scan(tick, dets, rejected=rejected)


def _sapient_server(spec: str) -> Any:
    """``sapient://HOST:PORT``: a SAPIENT fusion node listening for sensor nodes."""
    from skywarden.ingest.formats import UnknownFormat
    from skywarden.ingest.sapient_server import SapientServer

    host, _, port = spec.removeprefix("sapient://").rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise UnknownFormat(f"{spec}: expected sapient://HOST:PORT (a port in 1-65535)")
    return SapientServer(spec, "sapient", host=host or "127.0.0.1", port=int(port))


def parse_source(spec: str) -> DetectionsFile | TracksFile | LiveIngest:
    """``detections:PATH``, ``tracks:PATH``, ``tcp://H:P`` or ``udp://H:P`` -> a source;
    errors name the spec."""
    if spec.startswith(("tcp://", "udp://", "sapient://")):
        return LiveIngest([spec])
    kind, sep, rest = spec.partition(":")
    if not sep or not rest:
        raise SourceSpecError(f"--source {spec!r}: expected KIND:PATH (detections:, tracks:)")
    path = Path(rest)
    if not path.is_file():
        raise SourceSpecError(f"--source {spec!r}: no such file {path}")
    if kind == "detections":
        return DetectionsFile(path)
    if kind == "tracks":
        return TracksFile(path)
    raise SourceSpecError(f"--source {spec!r}: unknown kind {kind!r} (detections, tracks)")


def sector_for(src: DetectionsFile | TracksFile) -> SectorInfo:
    """The sector of a recorded file: its ``sector.json``, else centred on its first fix."""
    info = read_sector_json(src.path.with_name("sector.json"))
    if info is not None:
        return info
    first = src.first_position()
    if first is None:
        raise SourceSpecError(f"{src.path}: no position to centre the sector on")
    return SectorInfo(src.path.stem, LocalFrame(*first))
