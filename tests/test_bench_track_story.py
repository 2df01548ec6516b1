"""``bench/track_story.py``: which true target a track followed, and where it changed hands.

A small sector written as the simulator and tracker write one: a drone flying east and a
bird flying north that passes it, one direction finder south-west of both, and a track
that follows the drone and then jumps to the bird. The story must find the two segments,
the hand-over's second, the jump, and how far apart the finder sees the two targets."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench_loader import BENCH_DIR, load_bench
from skywarden.geo import LocalFrame

ORIGIN = LocalFrame(31.0, -106.0, 1200.0)
T0 = 1_800_000_000.0
SWAP_S = 40


def _ll(x: float, y: float) -> tuple[float, float]:
    lat, lon, _ = ORIGIN.to_geodetic(x, y, 100.0)
    return float(lat), float(lon)


def _drone(s: int) -> tuple[float, float]:
    return (-400.0 + 10.0 * s, 0.0)


def _bird(s: int) -> tuple[float, float]:
    return (50.0, -300.0 + 8.0 * s)


def _sector(d: Path) -> Path:
    d.mkdir()
    o = {"lat": ORIGIN.lat0, "lon": ORIGIN.lon0, "alt_m": ORIGIN.alt0_m}
    (d / "sector.json").write_text(json.dumps({"origin": o}))
    truth, tracks, dets = [], [], []
    site = _ll(-2000.0, -2000.0)
    for s in range(80):
        t = T0 + s
        for name, kind, xy in (("drone-1", "drone", _drone(s)), ("bird-1", "bird", _bird(s))):
            lat, lon = _ll(*xy)
            truth.append(
                {
                    "t": t,
                    "target": name,
                    "kind": kind,
                    "role": kind,
                    "lat": lat,
                    "lon": lon,
                    "alt_m": 1300.0,
                    "velocity": [0.0, 0.0, 0.0],
                }
            )
        followed = _drone(s) if s < SWAP_S else _bird(s)
        lat, lon = _ll(followed[0] + 5.0, followed[1] - 5.0)
        sd = 20.0 + (60.0 if SWAP_S - 5 <= s < SWAP_S else 0.0)
        cov = [[sd * sd if i == j else 0.0 for j in range(6)] for i in range(6)]
        tracks.append(
            {
                "t": t,
                "track": "T1",
                "status": "confirmed",
                "lat": lat,
                "lon": lon,
                "alt_m": 1300.0,
                "velocity": [0.0, 0.0, 0.0],
                "state": [0.0] * 6,
                "cov": cov,
                "class_probs": {"drone": 0.9, "manned": 0.0, "bird": 0.05, "unknown": 0.05},
                "sensors": ["radar-1", "rf-1"],
            }
        )
        plat, plon = _ll(*followed)
        dets.append(
            {
                "t": t,
                "sensor": "radar-1",
                "kind": "radar",
                "position": {
                    "lat": plat,
                    "lon": plon,
                    "alt_m": 1300.0,
                    "cov": [[400.0, 0.0, 0.0], [0.0, 400.0, 0.0], [0.0, 0.0, 900.0]],
                },
                "attrs": {"range_m": 2500.0, "radial_velocity_mps": 3.0},
            }
        )
        dets.append(
            {
                "t": t,
                "sensor": "rf-1",
                "kind": "rf",
                "bearing": {
                    "sensor_lat": site[0],
                    "sensor_lon": site[1],
                    "sensor_alt_m": 1200.0,
                    "bearing_deg": 45.0,
                    "sigma_deg": 3.0,
                },
            }
        )
    for name, rows in (
        ("truth.jsonl", truth),
        ("tracks.jsonl", tracks),
        ("detections.jsonl", dets),
    ):
        (d / name).write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows))
    return d


def test_the_story_finds_the_hand_over_and_what_fed_it(tmp_path: Path) -> None:
    d = _sector(tmp_path / "S01")
    out = tmp_path / "story.json"
    fig = tmp_path / "story.png"
    subprocess.run(
        [
            sys.executable,
            str(BENCH_DIR / "track_story.py"),
            "--from",
            str(d),
            "--track",
            "S01/T1",
            "--out",
            str(out),
            "--figure",
            str(fig),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    story: dict[str, Any] = json.loads(out.read_text())
    segs = story["segments"]
    assert [(s["target"], s["updates"]) for s in segs] == [
        ("drone-1", SWAP_S),
        ("bird-1", 80 - SWAP_S),
    ]
    assert segs[0]["median_m"] == pytest.approx(7.07, abs=0.05)
    (h,) = story["hand_overs"]
    assert h["at_s"] == SWAP_S
    assert (h["old"], h["new"]) == ("drone-1", "bird-1")
    dx, dy = _bird(SWAP_S)[0] - _drone(SWAP_S - 1)[0], _bird(SWAP_S)[1] - _drone(SWAP_S - 1)[1]
    assert h["jump_m"] == pytest.approx(math.hypot(dx, dy), abs=1.0)
    assert h["sigma_before_m"] == pytest.approx(80.0, abs=0.01)
    assert h["plot"].startswith("radar-1") and "Doppler +3.0 m/s" in h["plot"]
    # The finder at (-2000, -2000) sees the two targets' bearings this many sigma apart.
    b_old = math.degrees(math.atan2(_drone(SWAP_S)[0] + 2000.0, _drone(SWAP_S)[1] + 2000.0))
    b_new = math.degrees(math.atan2(_bird(SWAP_S)[0] + 2000.0, _bird(SWAP_S)[1] + 2000.0))
    assert h["finders"]["rf-1"] == pytest.approx(abs(b_new - b_old) / 3.0, abs=0.05)
    assert fig.stat().st_size > 10_000
    # rf-1 hears a fixed emitter at 45 deg while the track's bearing from it sweeps
    # (drone east, then bird north): its bearings do not follow the track
    (f,) = story["follow"]
    b_first = math.degrees(math.atan2(_drone(0)[0] + 5.0 + 2000.0, _drone(0)[1] - 5.0 + 2000.0))
    assert f["finder"] == "rf-1" and f["fits"] == 80
    assert f["sweep_deg"] > 5.0 and f["sweep_sigmas"] == pytest.approx(f["sweep_deg"] / 3.0)
    assert abs(f["slope"]) < 1e-6
    assert f["rms_deg"] > abs(45.0 - b_first) / 3.0
    # ... and they keep one side of it: the mean offset is most of the rms (own link: ~0)
    assert f["gated"] == 80 and abs(f["mean_deg"]) > 0.7 * f["rms_deg"]
    assert f["mean_sigmas"] == pytest.approx(f["mean_deg"] / 3.0)
    by_seg = story["follow_by_segment"]
    assert [(g["target"], g["follow"][0]["fits"]) for g in by_seg] == [
        ("drone-1", SWAP_S),
        ("bird-1", 80 - SWAP_S),
    ]


def test_a_finder_that_hears_the_track_follows_it_with_slope_one(tmp_path: Path) -> None:
    story = load_bench("track_story")
    from skywarden.model import Detection, TrackUpdate

    site = _ll(-2000.0, -2000.0)
    ups, dets = [], {}
    for s in range(30):
        x, y = _drone(s)
        lat, lon = _ll(x, y)
        ups.append(
            TrackUpdate.from_dict(
                {
                    "t": T0 + s,
                    "track": "T1",
                    "status": "confirmed",
                    "lat": lat,
                    "lon": lon,
                    "alt_m": 100.0 + ORIGIN.alt0_m,
                    "velocity": [10.0, 0.0, 0.0],
                    "sensors": ["rf-1"],
                }
            )
        )
        brg = math.degrees(math.atan2(x + 2000.0, y + 2000.0))
        dets[round(T0 + s, 3)] = [
            Detection.from_dict(
                {
                    "t": T0 + s,
                    "sensor": "rf-1",
                    "kind": "rf",
                    "bearing": {
                        "sensor_lat": site[0],
                        "sensor_lon": site[1],
                        "sensor_alt_m": ORIGIN.alt0_m,
                        "bearing_deg": brg,
                        "sigma_deg": 3.0,
                    },
                }
            )
        ]
    sites = story.finder_sites(dets, ORIGIN)
    (f,) = story.bearing_follow(ups, dets, sites, ORIGIN)
    assert f.fits == 30 and f.slope == pytest.approx(1.0, abs=0.01) and f.rms_deg < 0.1
    assert abs(f.mean_deg) < 0.1  # its own link: no side


def test_a_track_that_never_changes_hands_has_one_segment(tmp_path: Path) -> None:
    story = load_bench("track_story")
    near = (
        [("drone-1", "drone", 5.0)] * 3
        + [("bird-1", "bird", 9.0)]
        + [("drone-1", "drone", 5.0)] * 2
    )

    class U:
        def __init__(self, t: float) -> None:
            self.t = t
            self.class_probs = {"drone": 0.8}

    ups = [U(T0 + i) for i in range(6)]
    segs = story.segments(ups, near)
    # a target nearest for one second in passing is folded into the run around it
    assert [(s.target, s.updates) for s in segs] == [("drone-1", 6)]


def test_an_unknown_track_is_refused_by_name(tmp_path: Path) -> None:
    d = _sector(tmp_path / "S01")
    r = subprocess.run(
        [sys.executable, str(BENCH_DIR / "track_story.py"), "--from", str(d), "--track", "T9"],
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0
    assert "no updates of track T9" in r.stderr
