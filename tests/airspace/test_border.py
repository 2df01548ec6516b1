"""Border crossings from track segments: direction, place, time, and no double counting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from skywarden.airspace.border import BorderCrossingDetector, orient_us_left

# A border along y = 0 running west to east (US north of it), 20 km long.
LINE = LineString([(-10_000.0, 0.0), (10_000.0, 0.0)])


def feed(det: BorderCrossingDetector, track: np.ndarray) -> list:
    """Feed (t, x, y, alt) rows of one track, one update per step."""
    out = []
    prev = np.full(4, np.nan)
    for row in track:
        out += det.step(np.array([0]), prev[None, :], row[None, :])
        prev = row
    return out


def straight(y0: float, y1: float, n: int = 41, x: float = 500.0) -> np.ndarray:
    t = np.arange(n, dtype=float)
    return np.column_stack([t, np.full(n, x), np.linspace(y0, y1, n), np.full(n, 1200.0)])


def test_northbound_and_southbound_with_point_time_and_altitude():
    det = BorderCrossingDetector(LINE, hysteresis_m=40.0, extent_m=20_000.0)
    north = feed(det, straight(-400.0, 400.0))  # 20 m/s, crosses y=0 at t=20
    assert len(north) == 1
    c = north[0]
    assert c.direction_name == "northbound"
    assert (c.t, c.x, c.y, c.alt_m) == pytest.approx((20.0, 500.0, 0.0, 1200.0))
    back = straight(400.0, -400.0)
    back[:, 0] += 41.0
    south = feed(det, back)
    assert [c.direction_name for c in south] == ["southbound"]


def test_zigzag_on_the_line_is_one_crossing():
    rng = np.random.default_rng(7)
    tr = straight(-300.0, 300.0, n=121)  # 5 m/s
    tr[:, 2] += rng.normal(0.0, 15.0, len(tr))  # tracker noise straddles the line
    det = BorderCrossingDetector(LINE, hysteresis_m=40.0, extent_m=20_000.0)
    found = feed(det, tr)
    assert [c.direction_name for c in found] == ["northbound"]
    assert abs(found[0].y) < 1e-6 and abs(found[0].t - 60.0) < 15.0


def test_touching_the_line_and_turning_back_is_not_a_crossing():
    det = BorderCrossingDetector(LINE, hysteresis_m=40.0, extent_m=20_000.0)
    there = straight(-300.0, 20.0, n=17)
    back = straight(20.0, -300.0, n=17)
    back[:, 0] += 17.0
    assert feed(det, np.vstack([there, back])) == []


def test_direction_follows_the_line_not_the_compass():
    # A river bend: the border runs east, then south for 5 km, then east again. On the
    # southward stretch the US (left of the line) is to the east, so flying due east
    # across it enters the US: northbound, whatever the heading.
    bend = LineString([(-10_000.0, 0.0), (0.0, 0.0), (0.0, -5000.0), (10_000.0, -5000.0)])
    det = BorderCrossingDetector(orient_us_left(bend), hysteresis_m=40.0, extent_m=20_000.0)
    t = np.arange(41, dtype=float)
    due_east = np.column_stack(
        [t, np.linspace(-400, 400, 41), np.full(41, -2500.0), np.full(41, 1200.0)]
    )
    (c,) = feed(det, due_east)
    assert c.direction_name == "northbound"
    assert (c.x, c.y) == pytest.approx((0.0, -2500.0))


def test_a_line_drawn_east_to_west_is_reoriented():
    reversed_line = LineString(list(LINE.coords)[::-1])
    det = BorderCrossingDetector(orient_us_left(reversed_line), 40.0, 20_000.0)
    assert [c.direction_name for c in feed(det, straight(-400.0, 400.0))] == ["northbound"]


def test_many_tracks_at_once_each_get_their_own_crossing():
    det = BorderCrossingDetector(LINE, hysteresis_m=40.0, extent_m=20_000.0)
    n = 500
    rows = np.arange(n)
    xs = np.linspace(-9000, 9000, n)
    found = []
    prev = np.full((n, 4), np.nan)
    for t in range(41):
        y = -400.0 + 20.0 * t
        cur = np.column_stack([np.full(n, t), xs, np.full(n, y), np.full(n, 1200.0)])
        found += det.step(rows, prev, cur)
        prev = cur
    assert sorted(c.row for c in found) == list(range(n))


@settings(max_examples=80, deadline=None)
@given(
    x0=st.floats(-8000, 8000),
    y0=st.floats(200, 3000),
    dx=st.floats(-3000, 3000),
    y1=st.floats(-3000, -200),
    speed=st.floats(3.0, 30.0),
    north=st.booleans(),
)
def test_any_straight_crossing_is_found_once_with_its_direction(x0, y0, dx, y1, speed, north):
    # A straight flight from one side to the other at a drone's speed, 1 Hz updates.
    a, b = np.array([x0, y0]), np.array([x0 + dx, y1])
    # The flight must cross the line itself, not pass beyond its end at x = -10 km (a
    # draw such as x0 = -7999, dx = -2173 crosses y = 0 at x = -10,006: no border there).
    x_cross = x0 + dx * y0 / (y0 - y1)
    assume(abs(x_cross) < 9_900.0)
    if north:
        a, b = b, a
    n = max(int(np.hypot(*(b - a)) / speed), 2)
    s = np.linspace(0.0, 1.0, n + 1)
    track = np.column_stack(
        [np.arange(n + 1.0), a[0] + s * (b - a)[0], a[1] + s * (b - a)[1], np.full(n + 1, 1200.0)]
    )
    det = BorderCrossingDetector(LINE, hysteresis_m=40.0, extent_m=20_000.0)
    (c,) = feed(det, track)
    assert c.direction_name == ("northbound" if north else "southbound")
    # The true crossing point: where the straight line meets y = 0.
    u = a[1] / (a[1] - b[1])
    assert c.x == pytest.approx(a[0] + u * (b - a)[0], abs=1e-6)
    assert c.t == pytest.approx(u * n, abs=1e-6)
