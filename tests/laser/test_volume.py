"""The hazard volume: a wedge of azimuths and elevations out to the hazard range."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import Point

from skywarden.laser.mpe import LaserInputError
from skywarden.laser.volume import Fan, HazardVolume


def _enu(r: float, az: float, el: float) -> tuple[float, float, float]:
    a, e = math.radians(az), math.radians(el)
    return r * math.cos(e) * math.sin(a), r * math.cos(e) * math.cos(a), r * math.sin(e)


VOL = HazardVolume(31.84, -106.30, 1235.0, Fan(20.0, 105.0, 3.0, 20.0), 40_000.0)


@pytest.mark.parametrize(
    ("r", "az", "el", "inside"),
    [
        (10_000, 60, 10, True),  # in the middle of the fan
        (39_000, 21, 19, True),  # near a corner
        (41_000, 60, 10, False),  # beyond the hazard range
        (10_000, 110, 10, False),  # right of the fan
        (10_000, 15, 10, False),  # left of the fan
        (10_000, 60, 2, False),  # below the minimum elevation
        (10_000, 60, 21, False),  # above the maximum elevation
    ],
)
def test_contains_enu(r: float, az: float, el: float, inside: bool) -> None:
    x, y, z = _enu(r, az, el)
    assert bool(VOL.contains_enu(np.array([x]), np.array([y]), np.array([z]))[0]) is inside


def test_margin_inflates_by_at_least_that_distance() -> None:
    # 10 km out, 1 degree right of the fan edge: ~175 m outside the volume.
    x, y, z = _enu(10_000, 106, 10)
    assert not VOL.contains_enu(x, y, z)
    assert VOL.contains_enu(x, y, z, margin_m=200.0)
    assert not VOL.contains_enu(x, y, z, margin_m=100.0)


def test_fan_wrapping_through_north() -> None:
    fan = Fan(350.0, 20.0, 0.0, 45.0)
    assert fan.width_deg == pytest.approx(30.0)
    assert list(fan.contains_azimuth(np.array([355.0, 0.0, 19.0, 21.0, 340.0]))) == [
        True, True, True, False, False,
    ]  # fmt: skip


def test_contains_geographic_points_through_geo() -> None:
    lat, lon, alt = VOL.frame.to_geodetic(*_enu(20_000, 60, 10))
    assert VOL.contains(np.array([lat]), np.array([lon]), np.array([alt]))[0]
    assert not VOL.contains(np.array([lat]), np.array([lon]), np.array([alt - 3000.0]))[0]


def test_footprint_contains_every_sampled_point() -> None:
    x, y, _ = VOL.sample_enu(20, 8, 40)
    fp = VOL.footprint
    assert all(fp.buffer(1e-6).contains(Point(a, b)) for a, b in zip(x, y, strict=True))
    # ... and it is close to the true sector area (circumscribed arc, 2-degree steps)
    sector = 0.5 * math.radians(85.0) * (40_000 * math.cos(math.radians(3))) ** 2
    assert fp.area == pytest.approx(sector, rel=2e-3)


def test_ceiling_includes_earth_curvature() -> None:
    flat = 1235.0 + 40_000 * math.sin(math.radians(20))
    ceiling = VOL.ceiling_msl_m()
    # the Earth falls away under the beam: d^2 / 2R at d = 37.6 km is ~110 m
    assert flat + 80 < ceiling < flat + 140


@pytest.mark.parametrize(
    ("fan", "field"),
    [
        ((0.0, 400.0, 0.0, 10.0), "fan.azimuth_to_deg"),
        ((0.0, 90.0, 10.0, 5.0), "fan.elevation_max_deg"),
        ((float("nan"), 90.0, 0.0, 5.0), "fan.azimuth_from_deg"),
    ],
)
def test_bad_fans_are_named(fan: tuple[float, float, float, float], field: str) -> None:
    with pytest.raises(LaserInputError) as err:
        Fan(*fan)
    assert err.value.field == field
