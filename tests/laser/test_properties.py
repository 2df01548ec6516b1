"""Property-based checks (hypothesis) of the geometry the safety case rests on."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywarden.geo import M_PER_NM, distance_m
from skywarden.laser.tfr import smallest_tfr
from skywarden.laser.volume import Fan, HazardVolume

T0 = 1_770_782_400.0

fans = st.builds(
    lambda az0, width, el0, span: Fan(az0, (az0 + width) % 360.0, el0, min(el0 + span, 89.0)),
    st.floats(0.0, 359.0),
    st.floats(5.0, 300.0),
    st.floats(-5.0, 60.0),
    st.floats(1.0, 60.0),
)


@settings(max_examples=40, deadline=None)
@given(fan=fans, range_m=st.floats(500.0, 60_000.0))
def test_tfr_cylinder_contains_every_point_of_any_volume(fan: Fan, range_m: float) -> None:
    vol = HazardVolume(31.84, -106.30, 1235.0, fan, range_m)
    tfr = smallest_tfr(vol, T0, T0 + 600)
    x, y, z = vol.sample_enu(24, 6, 24)
    lat, lon, alt = vol.frame.to_geodetic(x, y, z)
    d = np.asarray(
        distance_m(np.full_like(lat, tfr.centre_lat), np.full_like(lon, tfr.centre_lon), lat, lon)
    )
    assert np.all(d <= tfr.radius_nm * M_PER_NM + 1e-6)
    assert np.all(alt / 0.3048 <= tfr.ceiling_ft_msl + 1e-6)


@settings(max_examples=40, deadline=None)
@given(
    fan=fans,
    p=st.tuples(st.floats(-30e3, 30e3), st.floats(-30e3, 30e3), st.floats(-500.0, 15e3)),
    d=st.tuples(st.floats(-1.0, 1.0), st.floats(-1.0, 1.0), st.floats(-1.0, 1.0)),
    margin=st.floats(1.0, 2000.0),
)
def test_margin_covers_every_point_within_that_distance(
    fan: Fan, p: tuple[float, float, float], d: tuple[float, float, float], margin: float
) -> None:
    # Any point within ``margin`` of a point inside the volume passes the inflated test:
    # the guarantee the hold-fire look-ahead relies on between its samples.
    vol = HazardVolume(31.84, -106.30, 1235.0, fan, 25_000.0)
    q = np.array(p)
    if not vol.contains_enu(q[0], q[1], q[2]):
        return
    n = np.array(d)
    if np.linalg.norm(n) < 1e-6:
        return
    moved = q + n / np.linalg.norm(n) * margin * 0.999
    assert vol.contains_enu(moved[0], moved[1], moved[2], margin)


@settings(max_examples=80, deadline=None)
@given(
    p=st.tuples(st.floats(-50e3, 50e3), st.floats(-50e3, 50e3), st.floats(0.0, 12e3)),
    heading=st.floats(0.0, 2 * math.pi),
    speed=st.floats(40.0, 260.0),
    climb=st.floats(-15.0, 15.0),
)
def test_hold_fire_never_misses_a_passage_inside_the_look_ahead(
    p: tuple[float, float, float], heading: float, speed: float, climb: float
) -> None:
    # Dense truth (every 0.1 s) against the decision sampled every step_s.
    from pathlib import Path

    from skywarden.laser.holdfire import HOLD, HoldFire
    from skywarden.laser.plan import load_laser_plan

    plan = load_laser_plan(Path(__file__).resolve().parents[2] / "scenarios" / "el-paso-laser.yaml")
    hold = HoldFire(plan, plan.volume().frame, volume_margin_m=0.0)
    pos = np.array([p])
    vel = np.array([[speed * math.sin(heading), speed * math.cos(heading), climb]])
    s = np.arange(0.0, hold.look_ahead_s + 1e-9, 0.1)
    path = pos + vel * s[:, None]
    enters = bool(np.any(hold.volume.contains_enu(path[:, 0], path[:, 1], path[:, 2])))
    d = hold.decide_arrays(0.0, ["A"], pos, vel, np.array([True]))
    if enters:
        assert d.state == HOLD


@settings(max_examples=200, deadline=None)
@given(lat=st.floats(-89.9, 89.9), lon=st.floats(-179.9, 179.9))
def test_notam_coordinates_read_back_within_half_a_second(lat: float, lon: float) -> None:
    from aviconv_core import coords

    from skywarden.laser.notam import format_lat, format_lon

    a, b = format_lat(lat), format_lon(lon)
    assert len(a) == 7 and len(b) == 8
    back_lat, back_lon = coords.parse_pair(f"{a} {b}")
    assert abs(back_lat - lat) <= 0.5 / 3600 + 1e-9
    assert abs(back_lon - lon) <= 0.5 / 3600 + 1e-9
