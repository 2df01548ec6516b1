"""``bench/astray_bearings.py``: a finder's bearings while its track carried the astray
verdict, told apart by their emitter (the track's own drone, another, or too close to say)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import numpy as np

from bench_loader import load_bench, run_bench
from skywarden.geo import LocalFrame
from skywarden.model import (
    Bearing,
    Detection,
    SensorKind,
    TargetClass,
    TrackStatus,
    TrackUpdate,
    TruthPoint,
)

FRAME = LocalFrame(31.0, -106.0, 1200.0)
T0 = 1_800_000_000.0
SITE = {"sensor_lat": 31.0, "sensor_lon": -106.0, "sensor_alt_m": 1200.0, "sigma_deg": 3.0}
OWN = (31.0, -105.99)  # due east of the site
OTHER = (31.01, -105.99)  # north-east, some 45 deg away


def _bench() -> ModuleType:
    return load_bench("astray_bearings")


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows))


def _truth(t: float, target: str, role: str, at: tuple[float, float]) -> TruthPoint:
    return TruthPoint(t, target, TargetClass.DRONE, role, at[0], at[1], 1300.0, (0.0, 0.0, 0.0))


def _bearing(t: float, deg: float) -> Detection:
    return Detection(t, "rf-1", SensorKind.RF, bearing=Bearing(**SITE, bearing_deg=deg))


def _sector(d: Path) -> Path:
    d.mkdir()
    o = {"lat": FRAME.lat0, "lon": FRAME.lon0, "alt_m": FRAME.alt0_m}
    (d / "sector.json").write_text(json.dumps({"origin": o}))
    ups = [
        TrackUpdate(
            T0 + s,
            "T1",
            TrackStatus.CONFIRMED,
            *OWN,
            1300.0,
            (0.0, 0.0, 0.0),
            (0.0,) * 6,
            None,
            {"drone": 0.9, "bird": 0.1},
            rf_astray=("rf-1",) if s > 0 else (),
        ).to_dict()
        for s in range(3)
    ]
    _write(d / "tracks.jsonl", ups)
    # own (no verdict yet), the watcher's, own
    dets = [_bearing(T0, 90.0), _bearing(T0 + 1, 40.5), _bearing(T0 + 2, 90.2)]
    _write(d / "detections.jsonl", [x.to_dict() for x in dets])
    truth = []
    for s in range(3):
        truth.append(_truth(T0 + s, "inc-1", "smuggler", OWN).to_dict())
        truth.append(_truth(T0 + s, "surv-1", "surveillance", OTHER).to_dict())
    _write(d / "truth.jsonl", truth)
    return d


def test_bearings_under_the_verdict_are_told_by_their_nearest_emitter(tmp_path: Path) -> None:
    r = _bench().judge_track(_sector(tmp_path / "S01"), "T1")
    assert r is not None
    assert r["own_drone"] == "inc-1"
    assert r["finders"] == ["rf-1"]
    assert (r["updates_astray"], r["updates"]) == (2, 3)
    # t=1 carried no verdict: not read; t=2 the watcher's bearing; t=3 the drone's own
    assert (r["bearings_own"], r["bearings_other"], r["bearings_ambiguous"]) == (1, 1, 0)
    assert r["other_roles"] == {"surveillance": 1}


def test_a_track_without_a_verdict_is_not_judged(tmp_path: Path) -> None:
    d = _sector(tmp_path / "S01")
    lines = (d / "tracks.jsonl").read_text().splitlines()
    (d / "tracks.jsonl").write_text(lines[0] + "\n")
    assert _bench().judge_track(d, "T1") is None


def test_two_emitters_within_a_sigma_are_ambiguous() -> None:
    b = _bearing(T0, 90.0)
    site = np.array(FRAME.to_enu(SITE["sensor_lat"], SITE["sensor_lon"], SITE["sensor_alt_m"]))
    own = _truth(T0, "a", "smuggler", OWN)
    near = [own, _truth(T0, "b", "surveillance", (31.0002, -105.99))]
    far = [own, _truth(T0, "b", "surveillance", OTHER)]
    assert _bench()._emitter(b, site, near, FRAME)[1] is True
    q, close = _bench()._emitter(b, site, far, FRAME)
    assert (q.target, close) == ("a", False)


def test_a_directory_that_is_not_a_month_is_refused_by_name(tmp_path: Path) -> None:
    r = run_bench("astray_bearings", "--from", str(tmp_path))
    assert r.returncode != 0
    assert f"--from {tmp_path}: no border.json" in r.stderr
