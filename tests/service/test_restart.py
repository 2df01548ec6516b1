"""Restarts that neither freeze the picture nor reuse ids, and keep what operators changed.

- A snapshot of the tracker, analyzer and simulator every N scans: a restart loads the
  newest one and replays only the scans after it, and the store ends up exactly as an
  uninterrupted run leaves it.
- Two sources into one store mint disjoint track, incident and measure ids; a restart
  of one carries on its own ids without merging anything.
- The scenario seeds zones and the laser plan once; an operator's deletion, edit and
  replacement survive a restart.
"""

from __future__ import annotations

import itertools
import pickle
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from skywarden.bus import InProcessBus
from skywarden.pipeline import Pipeline, run_to_end
from skywarden.service.launch import build_stages
from skywarden.service.sources import ScenarioSource, TracksFile, read_sector_json
from skywarden.store import Database, audit, ids, incidents, laser, zones
from skywarden.store.schema import IncidentRow, RecommendationRow, TrackPoint

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "el-paso.yaml"


def test_the_service_scenario_is_the_simulators_run_also_when_resumed() -> None:
    from skywarden.sim import Simulation

    src = ScenarioSource(SCENARIO, seed=3, duration_s=40)
    want = [s.detections for s in Simulation(src.scn, seed=3, duration_s=40).steps()]
    it = src.scans()
    got = [next(it).detections for _ in range(25)]
    state = pickle.loads(pickle.dumps(src.resume_state()))
    got += [s.detections for s in ScenarioSource(SCENARIO, 3, 40).scans(state)]
    assert len(got) == 40 and got == want


def store_picture(db: Database) -> dict[str, Any]:
    with db.session() as s:
        pts = s.execute(select(TrackPoint.t, TrackPoint.track, TrackPoint.lat)).all()
        incs = s.execute(select(IncidentRow.id, IncidentRow.t_open, IncidentRow.tracks)).all()
        recs = s.scalars(select(RecommendationRow.id)).all()
    return {"points": sorted(pts), "incidents": sorted(incs), "recs": sorted(recs)}


def scenario_pipeline(db: Database, **kw: Any) -> Pipeline:
    src = ScenarioSource(SCENARIO, seed=1, duration_s=60)
    with db.session() as s:
        pre = ids.prefix(ids.run_for(s, src.id))
    st = build_stages(src.sector(), True, None, [], db=db, source_id=src.id, id_prefix=pre)
    stages = (st.tracker, st.analyzer)
    return Pipeline(db, InProcessBus(), src, *stages, zones=st.zones, id_prefix=pre, **kw)


def test_a_restart_loads_the_snapshot_and_ends_as_an_unbroken_run(tmp_path: Path) -> None:
    whole = Database(f"sqlite:///{tmp_path / 'whole.db'}")
    run_to_end(scenario_pipeline(whole, snapshot_every=0))
    db = Database(f"sqlite:///{tmp_path / 'killed.db'}")
    first = scenario_pipeline(db, snapshot_every=20)
    run_to_end(first, itertools.islice(first.source.scans(), 45))  # "killed" after 45 scans
    assert first.snapshots_written == 2  # after scans 20 and 40
    again = scenario_pipeline(db, snapshot_every=20)
    run_to_end(again)
    assert again.restored is not None and again.restored[1] == 40
    assert again.fast_forwarded == 5  # scans 41..45: state only, nothing stored twice
    assert again.skipped == 0  # the simulator resumed from the snapshot, not from t0
    a, b = store_picture(whole), store_picture(db)
    assert len(a["points"]) > 300, "the run must show something"
    assert a == b


def two_scenes(tmp_path: Path, svc: SimpleNamespace) -> tuple[Path, Path]:
    """Two recorded nights whose files use the same track ids (T000001...)."""
    one = svc.write_scene(tmp_path / "one", seconds=40, n_tracks=3)
    two = svc.write_scene(tmp_path / "two", seconds=40, n_tracks=2)
    return one, two


def recorded_pipeline(db: Database, path: Path) -> Pipeline:
    src = TracksFile(path)
    sector = read_sector_json(path.with_name("sector.json"))
    assert sector is not None
    with db.session() as s:
        pre = ids.prefix(ids.run_for(s, src.id))
    st = build_stages(sector, False, None, [], db=db, source_id=src.id, id_prefix=pre)
    return Pipeline(db, InProcessBus(), src, None, st.analyzer, zones=st.zones, id_prefix=pre)


def test_two_sources_and_a_restart_never_share_an_id(
    db_url: str, tmp_path: Path, svc: SimpleNamespace
) -> None:
    db = Database(db_url)
    one, two = two_scenes(tmp_path, svc)
    p1 = recorded_pipeline(db, one)
    run_to_end(p1, list(p1.source.scans())[:20])  # the first source stops after 20 s...
    run_to_end(recorded_pipeline(db, two))  # ...a second source writes to the same store...
    run_to_end(recorded_pipeline(db, one))  # ...and the first one restarts
    with db.session() as s:
        incs = incidents.query(s)
        pts = s.execute(select(TrackPoint.track, TrackPoint.t)).all()
    by_run: dict[str, set[str]] = {}
    for i in incs:
        by_run.setdefault(i["id"].split("-")[0], set()).update(i["tracks"])
    assert len(by_run) == 2, f"each source opens its own incidents: {sorted(by_run)}"
    for run, trks in by_run.items():  # an incident only ever names its own run's tracks
        assert {t.split("-")[0][1:] for t in trks} == {run[1:]}
    assert len(pts) == len(set(pts)) == 40 * 3 + 40 * 2  # no point twice, none lost
    assert len({t for t, _ in pts}) == 5  # five recorded tracks stay five, not three
    db.dispose()


def test_operator_changes_survive_a_restart(tmp_path: Path, svc: SimpleNamespace) -> None:
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    path = svc.write_scene(tmp_path / "night", seconds=5, n_tracks=1)
    sector = read_sector_json(path.with_name("sector.json"))
    assert sector is not None
    plan = ROOT / "scenarios" / "el-paso-laser.yaml"
    st = build_stages(sector, False, plan, [], db=db, source_id="x")
    seeded = [z.id for z in st.zones]
    assert len(seeded) >= 3
    gone, edited = seeded[0], seeded[1]
    with db.session() as s:  # what an operator does through the API (routes/zones.py)
        before = zones.delete(s, gone)
        audit.append(s, "ana", "operator", "zone_delete", gone, before, None)
        f = zones.get(s, edited)
        f["properties"]["name"] = "edited"
        zones.put(s, zones.feature_to_zone(f))
        laser.put_plan(s, "el-paso-laser", "replaced by the range officer", {"power_w": 5000})
    st = build_stages(sector, False, plan, [], db=db, source_id="x")  # the restart
    with db.session() as s:
        assert gone not in {z.id for z in zones.all_zones(s)}
        assert zones.get(s, edited)["properties"]["name"] == "edited"
        (p,) = laser.plans(s)
        assert p["name"] == "replaced by the range officer"
        seeds = [a for a in audit.entries(s) if a["action"].endswith("_seed")]
    assert gone not in {z.id for z in st.zones}, "the analyzer watches the store's zones"
    assert sorted(a["action"] for a in seeds) == ["laser_plan_seed", "zones_seed"]  # once each


class LiveLike:
    """A live source stand-in: durable (stored before processing), self-paced."""

    durable, paced = True, False

    def __init__(self, scans: list[Any]) -> None:
        self.id, self.name = "live:test-feed", "a test feed"
        self._scans = scans

    def scans(self) -> Any:
        yield from self._scans


def adsb_scans(t0: float, n: int) -> list[Any]:
    """An aircraft westbound at 75 m/s over El Paso, one ADS-B position a second."""
    from skywarden.model import Detection, Identity, Position, SensorKind
    from skywarden.pipeline import Scan

    out = []
    for k in range(n):
        det = Detection(
            t0 + k - 0.5,
            "adsb-rx",
            SensorKind.ADSB,
            position=Position(31.80, -106.30 - 0.0008 * k, 1830.0),
            identity=Identity(icao24="a1b2c3"),
        )
        out.append(Scan(t0 + k, [det]))
    return out


def live_pipeline(db: Database, scans: list[Any], svc: SimpleNamespace) -> Pipeline:
    from skywarden.geo import LocalFrame
    from skywarden.tracking import Tracker, TrackerConfig

    src = LiveLike(scans)
    with db.session() as s:
        pre = ids.prefix(ids.run_for(s, src.id))
    tracker = Tracker(LocalFrame(31.76, -106.43, 1150.0), TrackerConfig(), id_prefix=pre)
    return Pipeline(db, InProcessBus(), src, tracker, id_prefix=pre, snapshot_every=0)


def test_live_scans_accepted_before_a_crash_are_processed_after_it(
    tmp_path: Path, svc: SimpleNamespace
) -> None:
    from skywarden.store import scans as stored

    scans = adsb_scans(svc.T0, 20)
    whole = Database(f"sqlite:///{tmp_path / 'whole.db'}")
    run_to_end(live_pipeline(whole, scans, svc))
    db = Database(f"sqlite:///{tmp_path / 'killed.db'}")
    run_to_end(live_pipeline(db, scans, svc), scans[:10])  # processed and committed
    p = live_pipeline(db, scans, svc)
    for scan in scans[10:13]:  # accepted and stored, then the process died
        p.store_scan(scan)
    again = live_pipeline(db, scans[13:], svc)  # the sockets carry on with new data
    run_to_end(again)
    assert again.fast_forwarded == 10  # the committed scans rebuild the tracker
    assert again.steps_done == 20  # the three orphans were processed, then the rest
    a, b = store_picture(whole), store_picture(db)
    assert len(a["points"]) >= 15 and len({t for t, _, _ in a["points"]}) >= 15
    assert a == b  # as if nothing had happened: no point lost, none twice, same ids
    with db.session() as s:
        assert stored.count(s, "live:test-feed") == 20
