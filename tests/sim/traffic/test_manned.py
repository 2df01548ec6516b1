"""Manned truth: arrivals on a 3 degree glide path at ~70 m/s, departures, overflights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skywarden.model import TargetClass
from skywarden.sim import load_scenario
from skywarden.sim.geography import Geography
from skywarden.sim.scenario import AirportFlow, OverflightTraffic
from skywarden.sim.seeding import stream
from skywarden.sim.traffic import manned

SCENARIO = Path(__file__).parents[3] / "scenarios" / "el-paso.yaml"
T0 = 1_770_778_800.0


@pytest.fixture(scope="module")
def geo() -> Geography:
    scn = load_scenario(SCENARIO)
    return Geography(
        scn.frame, scn.sector.extent_m, scn.sector.ground_alt_m, ["KELP", "KBIF", "MMCS"]
    )


@pytest.mark.parametrize(("icao", "rwy"), [("KELP", "26L"), ("KELP", "22"), ("KBIF", "21")])
def test_arrival_flies_the_glide_path_to_the_real_threshold(
    geo: Geography, icao: str, rwy: str
) -> None:
    flow = AirportFlow(airport=icao, runways=[rwy])
    end = geo.runway_end(icao, rwy)
    tg = manned.arrival(flow, geo, T0, stream(4, "arrival", 0), "a0")
    assert tg.kind is TargetClass.MANNED and tg.adsb and tg.identity is not None
    h = np.radians(end.heading_deg)
    ax, ay = end.x + np.sin(h) * 300.0, end.y + np.cos(h) * 300.0  # aiming point
    along = (tg.xyz[:, 0] - ax) * np.sin(h) + (tg.xyz[:, 1] - ay) * np.cos(h)
    across = -(tg.xyz[:, 0] - ax) * np.cos(h) + (tg.xyz[:, 1] - ay) * np.sin(h)
    final = (along > -10_000.0) & (along < -2_000.0)
    assert final.sum() > 60
    assert np.abs(across[final]).max() < 5.0  # on the extended centreline
    slope = np.degrees(np.arctan((tg.xyz[final, 2] - end.elevation_m) / -along[final]))
    assert np.allclose(slope, 3.0, atol=0.1)
    speed = np.linalg.norm(tg.vel[final], axis=1)
    assert speed.min() > 64.0 and speed.max() < 76.0  # ~70 m/s on approach
    assert abs(tg.xyz[-1, 2] - end.elevation_m) < 1.0  # rolled out on the runway


def test_departure_rolls_lifts_off_and_climbs(geo: Geography) -> None:
    flow = AirportFlow(airport="KELP", runways=["26L"])
    end = geo.runway_end("KELP", "26L")
    tg = manned.departure(flow, geo, T0, stream(5, "departure", 0), "d0")
    assert np.hypot(tg.xyz[0, 0] - end.x, tg.xyz[0, 1] - end.y) < 50.0
    assert abs(tg.xyz[0, 2] - end.elevation_m) < 1.0
    assert tg.xyz[-1, 2] - end.elevation_m > 2_000.0
    assert np.linalg.norm(tg.vel, axis=1).max() < 150.0


def test_overflight_is_level_and_fast(geo: Geography) -> None:
    cfg = OverflightTraffic()
    tg = manned.overflight(cfg, geo, T0, stream(6, "overflight", 0), "o0")
    assert np.ptp(tg.xyz[:, 2]) < 1e-6
    speed = np.linalg.norm(tg.vel[5:-5], axis=1)
    assert cfg.speed_mps[0] - 1e-6 <= speed.min() and speed.max() <= cfg.speed_mps[1] + 1e-6


def test_military_traffic_may_fly_without_adsb(geo: Geography) -> None:
    flow = AirportFlow(airport="KBIF", runways=["21"], military_fraction=1.0)
    tgs = [manned.arrival(flow, geo, T0, stream(7, "arrival", i), f"m{i}") for i in range(40)]
    assert 0 < sum(t.adsb for t in tgs) < 40
    assert all(t.identity is not None and t.identity.icao24 for t in tgs)


def test_altimeter_errors_spread_like_their_stated_sigma(geo: Geography) -> None:
    from skywarden.sim.calibration import sd_ok

    cfg = OverflightTraffic()
    bias = np.array(
        [
            manned.overflight(cfg, geo, T0, stream(8, "overflight", i), f"o{i}").attrs[
                "baro_bias_m"
            ]
            for i in range(400)
        ]
    )
    assert sd_ok(bias, manned.BARO_BIAS_SIGMA_M)
