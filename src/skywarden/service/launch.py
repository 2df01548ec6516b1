"""Assemble the service from command-line choices: store, sources, stages, app.

Kept apart from the CLI so tests and benchmarks build exactly what ``skywarden serve``
builds. Stages are built directly, as typed objects (:class:`Stages`), from the packages
of docs/interfaces.md, and handed to the pipeline's typed seams (``skywarden.stages``);
a configured stage that cannot be built stops the start-up with a one-line error naming
it (fail closed: no service without its laser interlock or its airspace analysis).
"""

from __future__ import annotations

import asyncio
import heapq
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from fastapi import FastAPI

from skywarden.bus import Bus, InProcessBus
from skywarden.errors import SkywardenError
from skywarden.model import Zone
from skywarden.pipeline import Pipeline, Scan
from skywarden.service.app import create_app
from skywarden.service.sources import (
    DetectionsFile,
    LiveIngest,
    ScenarioSource,
    SectorInfo,
    SourceSpecError,
    TracksFile,
    parse_source,
    read_sector_json,
    sector_for,
)
from skywarden.store import Database, StoreConfigError, audit, ids, users
from skywarden.store.db import make_engine

if TYPE_CHECKING:  # built lazily: a tracks-only service never imports the tracker
    from skywarden.airspace import Analyzer
    from skywarden.laser import HoldFire, LaserPlan
    from skywarden.tracking import Tracker

LIVE = ("tcp://", "udp://", "sapient://")


class LaunchError(SkywardenError, ValueError):
    """A command-line choice cannot be honoured; ``param`` names the option."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


@dataclass
class Launched:
    app: FastAPI
    db: Database
    pipeline: Pipeline | None
    db_label: str
    first_login: tuple[str, str, str] | None = None
    warnings: list[str] = field(default_factory=list)
    login_file: Path | None = None


class MergedSource:
    """Several recorded sources as one time-ordered stream (same-time scans combined)."""

    def __init__(self, sources: Sequence[DetectionsFile | TracksFile]) -> None:
        self.sources = list(sources)
        self.id = "+".join(s.id for s in self.sources)
        self.name = " + ".join(s.name for s in self.sources)

    def scans(self) -> Iterator[Scan]:
        cur: Scan | None = None
        for scan in heapq.merge(*(s.scans() for s in self.sources), key=lambda x: x.t):
            if (
                cur is not None
                and scan.t == cur.t
                and (scan.updates is None) == (cur.updates is None)
            ):
                cur.detections.extend(scan.detections)
                if cur.updates is not None and scan.updates is not None:
                    cur.updates.extend(scan.updates)
                cur.rejected.extend(scan.rejected)
                continue
            if cur is not None:
                yield cur
            cur = Scan(
                scan.t,
                list(scan.detections),
                None if scan.updates is None else list(scan.updates),
                list(scan.rejected),
            )
        if cur is not None:
            yield cur


def make_bus(url: str | None) -> Bus:
    """The in-process bus, or NATS JetStream for ``nats://`` URLs (checked reachable now,
    so a wrong URL is an error at start-up, not a silent dead feed later)."""
    if not url:
        return InProcessBus()
    if not url.startswith(("nats://", "tls://")):
        raise LaunchError("--bus", f"{url!r}: expected nats://HOST:PORT")
    from skywarden.bus.jetstream import NatsBus, NatsBusError

    async def probe() -> None:
        b = await NatsBus.connect(url)
        await b.close()

    try:
        asyncio.run(probe())
    except NatsBusError as e:
        raise LaunchError("--bus", str(e)) from None
    return NatsBus(url)


def ensure_first_login(db: Database, folder: Path) -> tuple[str, str, str] | None:
    """With no user at all, create ``operator`` with a random password and save it."""
    with db.session() as s:
        if users.list_users(s):
            return None
        pw = secrets.token_urlsafe(12)
        users.add_user(s, "operator", users.Role.OPERATOR, pw)
        audit.append(
            s,
            "serve",
            "admin",
            "user_put",
            "operator",
            None,
            {"name": "operator", "role": "operator", "first_run": True},
        )
    folder.mkdir(parents=True, exist_ok=True)
    where = folder / "first-run-login.txt"
    # created 0600 atomically: never readable by others, not even for a moment
    from skywarden.store.secret_key import write_private

    write_private(where, f"operator\n{pw}\n")
    return "operator", pw, str(where)


@dataclass
class Stages:
    """The stages ``build_stages`` made, typed: what ``Pipeline`` takes, as it takes it."""

    tracker: Tracker | None = None
    analyzer: Analyzer | None = None
    hold_fire: HoldFire | None = None
    zones: list[Zone] = field(default_factory=list)
    laser_plan: dict[str, Any] | None = None
    hazard: dict[str, Any] | None = None


def build_stages(
    sector: SectorInfo,
    need_tracker: bool,
    laser_plan: Path | None,
    warnings: list[str],
    *,
    db: Database | None = None,
    source_id: str = "",
    id_prefix: str = "",
    option: str = "--scenario",
) -> Stages:
    """Tracker, analyzer (with the sector's zones) and hold-fire, failing closed.

    Every stage that is configured must build, or the service does not start
    (``LaunchError`` naming the stage and the cause): a laser plan that cannot become a
    hold-fire interlock, and an airspace analyzer that cannot be built, are errors, not
    warnings (DESIGN.md: fail closed). With ``db``, the sector's zones and the plan seed
    the store once per id (``pipeline.seed_store``), and the analyzer watches the store's
    zones, so an operator's edits outlive a restart. ``id_prefix`` is the store's run
    prefix (``store.ids``) the tracker and analyzer mint ids with. ``option`` is the
    command-line option an error is reported against.
    """
    out = Stages()
    if need_tracker:
        out.tracker = _tracker(sector, id_prefix, option)
    if laser_plan is not None:
        out.hold_fire, out.laser_plan, out.hazard = _laser(sector, laser_plan)
    out.zones, out.analyzer = _analyzer(sector, out.laser_plan, db, source_id, id_prefix, option)
    return out


def _tracker(sector: SectorInfo, id_prefix: str, option: str) -> Tracker:
    try:
        from skywarden.tracking import Tracker, TrackerConfig

        return Tracker(sector.frame, TrackerConfig(), id_prefix=id_prefix)
    except Exception as e:
        raise LaunchError(option, f"the tracker cannot be built: {_why(e)}") from None


def _laser(
    sector: SectorInfo, laser_plan: Path
) -> tuple[HoldFire, dict[str, Any], dict[str, Any] | None]:
    """The hold-fire interlock of a plan file, the plan as filed, its hazard footprint."""
    try:
        from skywarden.laser import HoldFire, load_laser_plan

        plan = load_laser_plan(str(laser_plan))
        hold = HoldFire(plan, sector.frame)
        return hold, _plan_dict(plan, laser_plan), _hazard_geojson(hold)
    except Exception as e:
        raise LaunchError(
            "--laser-plan",
            f"{laser_plan}: laser hold-fire cannot be built, refusing to serve without"
            f" it: {_why(e)}",
        ) from None


def _analyzer(
    sector: SectorInfo,
    laser_plan: dict[str, Any] | None,
    db: Database | None,
    source_id: str,
    id_prefix: str,
    option: str,
) -> tuple[list[Zone], Analyzer]:
    """The sector's zones (seeded into the store, then the store's) and the analyzer."""
    try:
        # From the package, not its module: a test replaces skywarden.airspace.Analyzer.
        from skywarden import airspace
        from skywarden.pipeline import seed_store
        from skywarden.refdata import border_line, guess_airports
        from skywarden.store import zones as store_zones

        airports = sector.airports or guess_airports(
            sector.frame.lat0,
            sector.frame.lon0,
            sector.extent_m,
            f"sector {sector.name!r}",
            f'list them as "airports" in the sector file ({option})',
        )
        zones: list[Zone] = list(airspace.sector_zones(sector.frame, airports=airports))
        if db is not None:
            with db.session() as s:
                seed_store(s, source_id, zones, laser_plan)
                zones = store_zones.all_zones(s)
        policy = airspace.load_policy()
        an = airspace.Analyzer(sector.frame, zones, border_line(), policy, id_prefix=id_prefix)
        return zones, an
    except Exception as e:
        raise LaunchError(
            option,
            f"the airspace analyzer cannot be built for sector {sector.name!r}: {_why(e)}",
        ) from None


def _why(e: BaseException) -> str:
    """An exception as one line: its type and the first line of its message."""
    msg = str(e).strip().splitlines()
    return f"{type(e).__name__}: {msg[0]}" if msg else type(e).__name__


def _plan_dict(plan: LaserPlan, path: Path) -> dict[str, Any]:
    """The plan as filed (its validated spec), for the store and ``/api/laser/plans``."""
    body: dict[str, Any] = plan.spec.model_dump(mode="json")
    return {"id": path.stem, "name": body.get("name", path.stem), "file": str(path), **body}


def _hazard_geojson(hold: HoldFire) -> dict[str, Any] | None:
    """The hazard volume's ground footprint as a GeoJSON Polygon (lon/lat), with its
    ceiling, for the map; from ``HazardVolume.footprint`` in the site's ENU frame."""
    vol = hold.volume
    xs, ys = (np.asarray(v, dtype=float) for v in vol.footprint.exterior.xy)
    lat, lon, _ = vol.frame.to_geodetic(xs, ys, np.zeros_like(xs))
    return {
        "type": "Feature",
        "properties": {"kind": "laser_hazard", "ceiling_msl_m": float(vol.ceiling_msl_m())},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[float(a), float(b)] for a, b in zip(lon, lat, strict=True)]],
        },
    }


Chosen = tuple[Any, SectorInfo | None, Path | None]


def _choose_source(
    scenario: Path | None,
    source_specs: Sequence[str],
    seed: int,
    duration_s: float | None,
    sector_file: Path | None,
    laser_plan: Path | None,
) -> Chosen:
    """The source, its sector and the laser plan (a scenario's sibling plan by default);
    (None, None, plan) when the service only serves the store."""
    if scenario is not None:
        return _scenario_source(scenario, source_specs, seed, duration_s, laser_plan)
    if any(s.startswith(LIVE) for s in source_specs):
        return (*_live_source(source_specs, sector_file), laser_plan)
    if source_specs:
        try:
            parsed = [parse_source(s) for s in source_specs]
        except SourceSpecError as e:
            raise LaunchError("--source", str(e)) from None
        files = [p for p in parsed if not isinstance(p, LiveIngest)]
        src = files[0] if len(files) == 1 else MergedSource(files)
        return src, sector_for(files[0]), laser_plan
    return None, None, laser_plan


def _scenario_source(
    scenario: Path,
    source_specs: Sequence[str],
    seed: int,
    duration_s: float | None,
    laser_plan: Path | None,
) -> Chosen:
    if source_specs:
        raise LaunchError("--source", "give either --scenario or --source, not both")
    if not scenario.is_file():
        raise LaunchError("--scenario", f"{scenario}: no such file")
    try:
        src = ScenarioSource(scenario, seed, duration_s)
    except ValueError as e:  # ScenarioError names the file and key
        raise LaunchError("--scenario", str(e)) from None
    if laser_plan is None:
        sibling = scenario.with_name(f"{scenario.stem}-laser.yaml")
        laser_plan = sibling if sibling.is_file() else None
    return src, src.sector(), laser_plan


def _live_source(
    source_specs: Sequence[str], sector_file: Path | None
) -> tuple[LiveIngest, SectorInfo | None]:
    if not all(s.startswith(LIVE) for s in source_specs):
        raise LaunchError(
            "--source", "live sockets and recorded files in one service: run them as two"
        )
    if sector_file is None or not sector_file.is_file():
        raise LaunchError(
            "--sector",
            "live sources need --sector FILE, a sector.json "
            "(origin, airports, sensors) as `skywarden simulate` writes",
        )
    try:
        return LiveIngest(list(source_specs)), read_sector_json(sector_file)
    except SourceSpecError as e:
        raise LaunchError("--source", str(e)) from None
    except (KeyError, ValueError) as e:
        raise LaunchError("--sector", f"{sector_file}: {e}") from None


def _pipeline(
    db: Database,
    bus: Bus,
    src: Any,
    sector: SectorInfo,
    laser_plan: Path | None,
    speed: float,
    warnings: list[str],
    option: str,
) -> Pipeline:
    """The source's stages, built for this store's run prefix, on the one stage loop."""
    need_tracker = not all(isinstance(s, TracksFile) for s in getattr(src, "sources", [src]))
    with db.session() as s:
        prefix = ids.prefix(ids.run_for(s, src.id))
    stages = build_stages(
        sector,
        need_tracker,
        laser_plan,
        warnings,
        db=db,
        source_id=src.id,
        id_prefix=prefix,
        option=option,
    )
    return Pipeline(
        db,
        bus,
        src,
        stages.tracker,
        stages.analyzer,
        stages.hold_fire,
        speed=speed,
        zones=stages.zones,
        sensors=sector.sensors,
        laser_plan=stages.laser_plan,
        hazard=stages.hazard,
        id_prefix=prefix,
        seed=False,
    )


def build(
    db_url: str,
    scenario: Path | None,
    speed: float,
    source_specs: Sequence[str],
    seed: int = 1,
    laser_plan: Path | None = None,
    duration_s: float | None = None,
    bus_url: str | None = None,
    sector_file: Path | None = None,
) -> Launched:
    warnings: list[str] = []
    try:
        db = Database(db_url)
    except StoreConfigError as e:
        raise LaunchError("--db", str(e)) from None
    label = make_engine(db_url).url.render_as_string(hide_password=True)
    src, sector, laser_plan = _choose_source(
        scenario, source_specs, seed, duration_s, sector_file, laser_plan
    )
    meta: dict[str, Any] = {}
    pipeline = None
    bus = make_bus(bus_url)
    if src is not None and sector is not None:
        option = "--scenario" if scenario is not None else "--source"
        if option == "--source" and any(x.startswith(LIVE) for x in source_specs):
            option = "--sector"
        pipeline = _pipeline(db, bus, src, sector, laser_plan, speed, warnings, option)
        meta = {
            "name": sector.name,
            "center": [sector.frame.lat0, sector.frame.lon0],
            "extent_m": sector.extent_m,
            "airports": sector.airports,
            "speed": speed,
        }
    folder = (
        Path(db.engine.url.database).parent
        if db.dialect == "sqlite" and db.engine.url.database
        else Path("out")
    )
    first = ensure_first_login(db, folder)
    app = create_app(db, bus, runner=pipeline.run if pipeline else None, meta=meta)
    saved = folder / "first-run-login.txt"
    return Launched(app, db, pipeline, label, first, warnings, saved if saved.exists() else None)
