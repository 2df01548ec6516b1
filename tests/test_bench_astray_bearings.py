"""``bench/astray_bearings.py``: a finder's bearings while its track carried the astray
verdict, told apart by their emitter (the track's own drone, another, or too close to say)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

from bench_loader import load_bench, run_bench

SITE = {"sensor_lat": 31.0, "sensor_lon": -106.0, "sensor_alt_m": 1200.0, "sigma_deg": 3.0}
OWN = (31.0, -105.99)  # due east of the site
OTHER = (31.01, -105.99)  # north-east, some 45 deg away


def _bench() -> ModuleType:
    return load_bench("astray_bearings")


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows))


def _sector(d: Path) -> Path:
    d.mkdir()
    ups = []
    for t in (1.0, 2.0, 3.0):
        u = {"t": t, "track": "T1", "lat": OWN[0], "lon": OWN[1]}
        if t > 1.0:
            u["rf_astray"] = ["rf-1"]
        ups.append(u)
    _write(d / "tracks.jsonl", ups)
    bearing = [(1.0, 90.0), (2.0, 40.5), (3.0, 90.2)]  # own (no verdict yet), other, own
    _write(
        d / "detections.jsonl",
        [
            {"t": t, "sensor": "rf-1", "kind": "rf", "bearing": {**SITE, "bearing_deg": b}}
            for t, b in bearing
        ],
    )
    truth = []
    for t in (1.0, 2.0, 3.0):
        truth.append(
            {
                "t": t,
                "target": "inc-1",
                "kind": "drone",
                "role": "smuggler",
                "lat": OWN[0],
                "lon": OWN[1],
            }
        )
        truth.append(
            {
                "t": t,
                "target": "surv-1",
                "kind": "drone",
                "role": "surveillance",
                "lat": OTHER[0],
                "lon": OTHER[1],
            }
        )
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
    _write(d / "tracks.jsonl", [{"t": 1.0, "track": "T1", "lat": OWN[0], "lon": OWN[1]}])
    assert _bench().judge_track(d, "T1") is None


def test_two_emitters_within_a_sigma_are_ambiguous() -> None:
    b = {"bearing": {**SITE, "bearing_deg": 90.0}}
    near = {"a": (31.0, -105.99, "smuggler"), "b": (31.0002, -105.99, "surveillance")}
    far = {"a": (31.0, -105.99, "smuggler"), "b": (*OTHER, "surveillance")}
    assert _bench()._emitter(b, near)[1] is True
    assert _bench()._emitter(b, far) == ("a", False)


def test_a_directory_that_is_not_a_month_is_refused_by_name(tmp_path: Path) -> None:
    r = run_bench("astray_bearings", "--from", str(tmp_path))
    assert r.returncode != 0
    assert f"--from {tmp_path}: no border.json" in r.stderr
