"""Fail closed: whatever keeps hold-fire from deciding makes it HOLD, with the reason.

Fault injection on the real pipeline and the real El Paso hold-fire interlock over a
recorded scene (three drones crossing the river downtown, which alone leave the laser
CLEAR): a stage that raises, hold-fire that raises, a stage that is missing, scans that
stop coming, and a start-up that cannot build the interlock or the analyzer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from skywarden.bus import InProcessBus
from skywarden.laser import HoldFire, load_laser_plan
from skywarden.pipeline import Pipeline, Scan, run_to_end
from skywarden.service.app import create_app
from skywarden.service.launch import LaunchError, _hazard_geojson, build_stages
from skywarden.service.sources import TracksFile, read_sector_json
from skywarden.store import Database, laser, users

ROOT = Path(__file__).resolve().parents[2]
PLAN_FILE = ROOT / "scenarios" / "el-paso-laser.yaml"
PLAN = {"id": "el-paso-laser", "name": "test range"}


@pytest.fixture
def scene(tmp_path: Path, svc: SimpleNamespace) -> SimpleNamespace:
    path = svc.write_scene(tmp_path / "night", seconds=12, n_tracks=3)
    sector = read_sector_json(path.with_name("sector.json"))
    assert sector is not None
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    hold = HoldFire(load_laser_plan(str(PLAN_FILE)), sector.frame)
    return SimpleNamespace(path=path, sector=sector, db=db, hold=hold, T0=svc.T0)


def pipeline(scene: SimpleNamespace) -> Pipeline:
    src = TracksFile(scene.path)
    return Pipeline(scene.db, InProcessBus(), src, hold_fire=scene.hold, laser_plan=PLAN)


def decisions(db: Database) -> list[dict[str, Any]]:
    with db.session() as s:
        return list(reversed(laser.decisions(s)))


def test_without_faults_the_scene_is_clear(scene: SimpleNamespace) -> None:
    run_to_end(pipeline(scene))
    assert [d["state"] for d in decisions(scene.db)] == ["CLEAR"]


def test_hold_fire_raising_means_hold_with_the_error(
    scene: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise FloatingPointError("beam model diverged")

    monkeypatch.setattr(scene.hold, "decide", broken)
    run_to_end(pipeline(scene))
    (d,) = decisions(scene.db)
    assert d["state"] == "HOLD"
    assert d["reasons"] == ["hold-fire error: FloatingPointError: beam model diverged"]


class FailsAt:
    """An analyzer stand-in that raises on one scan."""

    def __init__(self, t_bad: float) -> None:
        self.t_bad = t_bad

    def step(self, t: float, updates: list[object]) -> SimpleNamespace:
        if t == self.t_bad:
            raise ZeroDivisionError("division by zero in a detector")
        return SimpleNamespace(events=[], incidents=[], recommendations=[])


def test_a_stage_raising_holds_that_scan_and_clears_after(scene: SimpleNamespace) -> None:
    bad = scene.T0 + 5
    run_to_end(
        Pipeline(
            scene.db,
            InProcessBus(),
            TracksFile(scene.path),
            analyzer=FailsAt(bad),
            hold_fire=scene.hold,
            laser_plan=PLAN,
        )
    )
    got = decisions(scene.db)
    assert [(d["t"], d["state"]) for d in got] == [
        (scene.T0, "CLEAR"),
        (bad, "HOLD"),
        (bad + 1, "CLEAR"),
    ]
    assert got[1]["reasons"] == ["stage error: ZeroDivisionError: division by zero in a detector"]


@pytest.mark.parametrize(
    ("remove", "words"),
    [
        ("hold_fire", "missing stage: hold-fire"),
        ("analyzer", "missing stage: analyzer"),
        ("tracker", "missing stage: tracker"),
    ],
)
def test_a_missing_stage_means_hold(scene: SimpleNamespace, remove: str, words: str) -> None:
    p = Pipeline(
        scene.db,
        InProcessBus(),
        TracksFile(scene.path),
        analyzer=FailsAt(-1.0),
        hold_fire=scene.hold,
        laser_plan=PLAN,
        zones=[],
    )
    setattr(p, remove, None)
    scans = list(TracksFile(scene.path).scans())[:3]
    if remove == "analyzer":
        from skywarden.airspace import sector_zones

        p.zones = list(sector_zones(scene.sector.frame, airports=["KELP"]))
    if remove == "tracker":  # detections to track, and no tracker to track them
        scans = [Scan(s.t, detections=[]) for s in scans]
    run_to_end(p, scans)
    (d,) = decisions(scene.db)
    assert d["state"] == "HOLD" and words in d["reasons"][0]


class Stalls:
    """A source that yields a few scans, then stops coming until released (a dead feed)."""

    def __init__(self, scans: list[Scan]) -> None:
        self.id, self.name = "stalls", "a feed that stalls"
        self._scans = scans
        self.release = threading.Event()

    def scans(self) -> Iterator[Scan]:
        yield from self._scans
        self.release.wait(30)


def test_stale_input_holds_and_the_api_says_why(
    scene: SimpleNamespace, svc: SimpleNamespace
) -> None:
    with scene.db.session() as s:
        users.add_user(s, "ana", "operator", "ana-password")
    src = Stalls(list(TracksFile(scene.path).scans())[:3])
    bus = InProcessBus()
    p = Pipeline(
        scene.db,
        bus,
        src,
        hold_fire=scene.hold,
        laser_plan=PLAN,
        hazard=_hazard_geojson(scene.hold),
        speed=50.0,
        stale_after_s=1.0,
    )
    app = create_app(scene.db, bus, runner=p.run)
    seen: list[tuple[str, tuple[str, ...]]] = []
    with TestClient(app) as client:
        tok = client.post("/api/token", data={"username": "ana", "password": "ana-password"})
        h = {"Authorization": f"Bearer {tok.json()['access_token']}"}
        end = time.monotonic() + 20
        while time.monotonic() < end:
            st = client.get("/api/laser/status", headers=h).json()
            if not seen or seen[-1] != (st["state"], tuple(st["reasons"])):
                seen.append((st["state"], tuple(st["reasons"])))
            if st["reasons"] and st["reasons"][0].startswith("stale input"):
                break
            time.sleep(0.05)
        src.release.set()
        end = time.monotonic() + 10
        while time.monotonic() < end:
            st = client.get("/api/laser/status", headers=h).json()
            if st["reasons"] and st["reasons"][0].startswith("source ended"):
                break
            time.sleep(0.05)
        assert st["state"] == "HOLD" and st["reasons"] == ["source ended: no more input"]
        assert st["hazard"] is not None  # the map still draws the volume, in red
    states = [state for state, _ in seen]
    assert "CLEAR" in states, "the scans before the stall decide normally"
    assert seen[-1][0] == "HOLD" and "HOLD after 1 s" in seen[-1][1][0]
    assert states.index("CLEAR") < len(states) - 1
    stored = decisions(scene.db)
    assert [d["state"] for d in stored][-2:] == ["CLEAR", "HOLD"] or stored[-1]["state"] == "HOLD"


def test_a_laser_plan_that_cannot_be_built_stops_the_start(
    scene: SimpleNamespace, tmp_path: Path
) -> None:
    bad = tmp_path / "broken-laser.yaml"
    bad.write_text(PLAN_FILE.read_text().replace("laser:", "lazer:", 1))
    with pytest.raises(LaunchError) as e:
        build_stages(scene.sector, True, bad, [])
    assert e.value.param == "--laser-plan"
    assert str(bad) in str(e.value) and "refusing to serve" in str(e.value)
    assert "\n" not in str(e.value)


def test_an_analyzer_that_cannot_be_built_stops_the_start(
    scene: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import skywarden.airspace

    def broken(*_: object, **__: object) -> None:
        raise MemoryError("zone index")

    monkeypatch.setattr(skywarden.airspace, "Analyzer", broken)
    with pytest.raises(LaunchError, match=r"airspace analyzer cannot be built.*MemoryError"):
        build_stages(scene.sector, True, None, [])
