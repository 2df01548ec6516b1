"""Drone truth: plausible quadcopter kinematics and the behaviours each role stands for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skywarden.model import TargetClass
from skywarden.sim import load_scenario
from skywarden.sim.geography import Geography
from skywarden.sim.scenario import (
    ConvoyTraffic,
    HobbyTraffic,
    SmugglerTraffic,
    SurveillanceTraffic,
)
from skywarden.sim.seeding import stream
from skywarden.sim.target import Target
from skywarden.sim.traffic import drones

SCENARIO = Path(__file__).parents[3] / "scenarios" / "el-paso.yaml"
T0 = 1_770_778_800.0


@pytest.fixture(scope="module")
def geo() -> Geography:
    scn = load_scenario(SCENARIO)
    return Geography(scn.frame, scn.sector.extent_m, scn.sector.ground_alt_m, ["KELP"])


def _speeds(tg: Target) -> np.ndarray:
    return np.linalg.norm(tg.vel, axis=1)


def _agl(tg: Target, geo: Geography) -> np.ndarray:
    return tg.xyz[:, 2] - geo.ground_at(tg.xyz[:, 0], tg.xyz[:, 1])


def _plausible_quadcopter(tg: Target, geo: Geography) -> None:
    assert tg.kind is TargetClass.DRONE
    assert _speeds(tg).max() <= 20.0 + 1.0  # 20 m/s plus the gust wander
    agl = _agl(tg, geo)
    assert agl.min() >= 0.0 and agl.max() <= 150.0
    assert len(tg.xyz) <= 2400  # 40 min battery


def test_smugglers_cross_north_drop_and_return(geo: Geography) -> None:
    cfg = SmugglerTraffic()
    for i in range(25):
        tg = drones.smuggler(cfg, geo, T0, stream(1, "smuggler", i), f"s{i}")
        _plausible_quadcopter(tg, geo)
        south = geo.in_mexico(tg.xyz[:, 0], tg.xyz[:, 1])
        assert south[0] and south[-1], "launched and recovered in Mexico"
        changes = np.flatnonzero(np.diff(south.astype(int)))
        assert len(changes) >= 2 and not south[changes[0] + 1], "north first, then back"
        # The drop: slow and low (a hover and a descent) on the US side.
        agl = _agl(tg, geo)
        drop = (~south) & (agl < cfg.drop_agl_m[1] + 3.0) & (_speeds(tg) < 1.5)
        assert drop.sum() >= 5
        assert np.linalg.norm(tg.xyz[0, :2] - tg.xyz[-1, :2]) < 20.0  # home again


def test_smugglers_respect_the_battery(geo: Geography) -> None:
    cfg = SmugglerTraffic(
        drop_north_m=(15_000.0, 20_000.0), speed_mps=(6.0, 6.0), endurance_s=(1200.0, 1200.0)
    )
    for i in range(10):
        tg = drones.smuggler(cfg, geo, T0, stream(1, "smuggler", i), "far")
        assert len(tg.xyz) <= 1200
        # Shorter legs, but still across the border and back.
        south = geo.in_mexico(tg.xyz[:, 0], tg.xyz[:, 1])
        assert south[0] and south[-1] and not south.all()


def test_surveillance_stays_south_of_the_border(geo: Geography) -> None:
    cfg = SurveillanceTraffic()
    for i in range(15):
        tg = drones.surveillance(cfg, geo, T0, stream(2, "surveillance", i, 0), f"v{i}")
        _plausible_quadcopter(tg, geo)
        assert geo.in_mexico(tg.xyz[:, 0], tg.xyz[:, 1]).all()
        assert tg.link is not None and tg.link.all()  # flown live: the link is always on
        # A loiter: at least one stretch of 120 s within 150 m of where it began.
        xy = tg.xyz[:, :2]
        loiters = any(
            np.linalg.norm(xy[k : k + 120] - xy[k], axis=1).max() < 150.0
            for k in range(0, len(xy) - 120, 10)
        )
        assert loiters
        assert len(tg.xyz) >= 1200 * 0.85 * 0.5


def test_hobby_flights_over_the_city_with_remote_id(geo: Geography) -> None:
    cfg = HobbyTraffic(remote_id_fraction=1.0)
    centre = geo.airport_xy("KELP")
    for i in range(15):
        tg = drones.hobby(cfg, geo, T0, stream(3, "hobby", i, 0), f"h{i}", centre_xy=centre)
        _plausible_quadcopter(tg, geo)
        assert tg.remote_id and tg.identity is not None and tg.identity.rid_serial
        lat, lon = tg.identity.operator_lat, tg.identity.operator_lon
        assert lat is not None and lon is not None
        op = geo.frame.to_enu(lat, lon, 0.0)
        dist = np.hypot(tg.xyz[:, 0] - op[0], tg.xyz[:, 1] - op[1])
        assert dist.max() < 1_600.0  # within visual line of sight of the pilot
        assert not geo.in_mexico(np.array([op[0]]), np.array([op[1]]))[0]
    assert not drones.hobby(
        HobbyTraffic(remote_id_fraction=0.0),
        geo,
        T0,
        stream(3, "hobby", 0, 0),
        "h",
        centre_xy=centre,
    ).remote_id


def test_convoys_fly_one_route_together(geo: Geography) -> None:
    cfg = ConvoyTraffic(per_hour=1.0, size=(3, 5), spacing_m=(20.0, 60.0))
    for i in range(8):
        members = drones.convoy(cfg, geo, T0, stream(1, "convoy", i), f"convoy-{i:04d}")
        assert 3 <= len(members) <= 5
        assert len({m.id for m in members}) == len(members)
        lead = members[0]
        for m in members:
            _plausible_quadcopter(m, geo)
            assert m.role == "smuggler" and m.attrs["group"] == f"convoy-{i:04d}"
            assert len(m.xyz) == len(lead.xyz) and m.t0 == lead.t0
            gap = np.linalg.norm(m.xyz[:, :2] - lead.xyz[:, :2], axis=1)
            assert gap.max() < 60.0 + 15.0  # spacing plus both wanders
            # Moving together: velocities within a few m/s of the leader's.
            assert np.median(np.linalg.norm(m.vel - lead.vel, axis=1)) < 2.0
            south = geo.in_mexico(m.xyz[:, 0], m.xyz[:, 1])
            assert south[0] and not south.all()


def _meandering(scn_geo: Geography) -> Geography:
    """The El Paso square with a made-up border of tight river bends (600 m deep, 1.6 km
    apart): straight patrol legs between turn points would cut across them."""
    from shapely.geometry import LineString

    x = np.linspace(-30_000.0, 30_000.0, 1501)
    y = 600.0 * np.sin(2 * np.pi * x / 1600.0)
    lat, lon, _ = scn_geo.frame.to_geodetic(x, y, np.zeros_like(x))
    line = LineString(np.column_stack([lon, lat]))
    return Geography(scn_geo.frame, scn_geo.extent_m, scn_geo.ground_alt_m, [], border=line)


def test_surveillance_patrols_do_not_cut_across_river_bends(geo: Geography) -> None:
    bendy = _meandering(geo)
    cfg = SurveillanceTraffic(standoff_m=(200.0, 400.0))
    for i in range(12):
        tg = drones.surveillance(cfg, bendy, T0, stream(3, "surveillance", i, 0), f"m{i}")
        assert bendy.in_mexico(tg.xyz[:, 0], tg.xyz[:, 1]).all(), tg.id


def test_a_leg_that_stays_in_mexico_is_flown_straight(geo: Geography) -> None:
    bx, by, nx, ny = geo.border_point(0.5)
    a = (bx - 1500 * nx - 300 * ny, by - 1500 * ny + 300 * nx)
    b = (bx - 1500 * nx + 300 * ny, by - 1500 * ny - 300 * nx)
    assert drones.clear_leg(geo, a, b, 300.0) == [b]
