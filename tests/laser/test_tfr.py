"""The smallest TFR: it contains the volume, and it is as small as geometry allows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from skywarden.geo import FT_PER_M, M_PER_NM, distance_m
from skywarden.laser.mpe import LaserInputError
from skywarden.laser.tfr import smallest_tfr
from skywarden.laser.volume import Fan, HazardVolume

T0 = 1_770_782_400.0  # 2026-02-11T04:00Z


def _samples(vol: HazardVolume) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, y, z = vol.sample_enu(40, 10, 60)
    return vol.frame.to_geodetic(x, y, z)


def test_cylinder_and_polygon_contain_the_volume() -> None:
    vol = HazardVolume(31.84, -106.30, 1235.0, Fan(20.0, 105.0, 3.0, 20.0), 30_000.0)
    tfr = smallest_tfr(vol, T0, T0 + 7200)
    lat, lon, alt = _samples(vol)
    d = np.asarray(
        distance_m(np.full_like(lat, tfr.centre_lat), np.full_like(lon, tfr.centre_lon), lat, lon)
    )
    assert np.all(d <= tfr.radius_nm * M_PER_NM)
    assert np.all(alt * FT_PER_M <= tfr.ceiling_ft_msl)
    from shapely.geometry import Point, Polygon

    poly = Polygon(tfr.polygon)
    assert all(poly.covers(Point(a, b)) for a, b in zip(lon, lat, strict=True))
    assert tfr.polygon_area_nm2 < tfr.cylinder_area_nm2
    assert tfr.minutes == 120.0


def test_sixty_degree_fan_gets_the_analytic_minimum_circle() -> None:
    # A 60-degree sector of radius R (flat, elevation 0-1 deg) is enclosed at best by the
    # circumcircle of its equilateral triangle: R / sqrt(3), centred off the site.
    r = 20_000.0
    vol = HazardVolume(32.0, -106.0, 1200.0, Fan(60.0, 120.0, 0.0, 1.0), r)
    tfr = smallest_tfr(vol, T0, T0 + 600)
    exact_nm = r / math.sqrt(3) / M_PER_NM
    assert exact_nm <= tfr.radius_nm <= exact_nm + 0.15  # rounding up to 0.1 NM and 1"
    # far smaller than a circle of the hazard range around the site
    assert tfr.cylinder_area_nm2 < 0.4 * math.pi * (r / M_PER_NM) ** 2


def test_buffer_grows_the_shapes() -> None:
    vol = HazardVolume(32.0, -106.0, 1200.0, Fan(60.0, 120.0, 5.0, 30.0), 10_000.0)
    a = smallest_tfr(vol, T0, T0 + 600)
    b = smallest_tfr(vol, T0, T0 + 600, buffer_nm=1.0)
    assert b.radius_nm == pytest.approx(a.radius_nm + 1.0, abs=0.11)
    assert b.polygon_area_nm2 > a.polygon_area_nm2


def test_window_must_be_forward() -> None:
    vol = HazardVolume(32.0, -106.0, 1200.0, Fan(60.0, 120.0, 5.0, 30.0), 10_000.0)
    with pytest.raises(LaserInputError, match=r"window\.end"):
        smallest_tfr(vol, T0, T0)


def test_tfr_as_a_shared_zone_contains_the_circle() -> None:
    from shapely.geometry import Polygon as ShapelyPolygon

    from skywarden.model import ZoneKind

    vol = HazardVolume(31.84, -106.30, 1235.0, Fan(20.0, 105.0, 3.0, 20.0), 30_000.0)
    tfr = smallest_tfr(vol, T0, T0 + 7200)
    zone = tfr.to_zone("TFR-LASER-1", "laser test")
    assert zone.kind is ZoneKind.TFR and zone.attrs["floor"] == "SFC"
    assert zone.ceiling_m == pytest.approx(tfr.ceiling_ft_msl * 0.3048)
    # every vertex is at least the radius from the centre (the 72-gon circumscribes)
    lon = np.array([p[0] for p in zone.polygon])
    lat = np.array([p[1] for p in zone.polygon])
    d = np.asarray(
        distance_m(np.full_like(lat, tfr.centre_lat), np.full_like(lon, tfr.centre_lon), lat, lon)
    )
    assert np.all(d >= tfr.radius_nm * M_PER_NM)
    poly_zone = tfr.to_zone("TFR-LASER-2", "laser test", polygon=True)
    assert ShapelyPolygon(poly_zone.polygon).area == pytest.approx(ShapelyPolygon(tfr.polygon).area)
    assert zone.to_dict()["kind"] == "tfr"


def test_all_round_fan_is_a_circle_on_the_site() -> None:
    vol = HazardVolume(31.74, -106.30, 1200.0, Fan(0.0, 0.0, 5.0, 30.0), 5000.0)
    assert vol.fan.width_deg == 360.0
    tfr = smallest_tfr(vol, T0, T0 + 60)
    reach_nm = 5000.0 * math.cos(math.radians(5.0)) / M_PER_NM
    assert reach_nm <= tfr.radius_nm <= reach_nm + 0.15
    assert float(distance_m(tfr.centre_lat, tfr.centre_lon, 31.74, -106.30)) < 50.0
    assert len(tfr.polygon) == 24 and tfr.cylinder_area_nm2 < tfr.polygon_area_nm2
