"""A report's velocity is East-North-Up at its own point; the tracker's frame is the
origin's. Hundreds of kilometres out, "up" leans by degrees: an airliner's cruise speed,
taken unturned, reads as a climb, the track's height drifts off its reports, and the
identity gate (rightly) refuses the aircraft's own reports. That split the real rs1090
flight into 12 tracks (wave 6's bisection); these tests pin the cause.
"""

from __future__ import annotations

import math

import numpy as np

from skywarden.geo import LocalFrame, destination
from skywarden.model import Detection, Identity, Position, SensorKind
from skywarden.tracking import Tracker, TrackerConfig

PARIS = LocalFrame(48.99, 2.56, 100.0)
T0 = 1_720_249_165.0


def test_a_vector_at_the_origin_is_unchanged_and_the_turn_round_trips() -> None:
    v = np.array([[10.0, -220.0, -5.0], [3.0, 4.0, 0.0]])
    here = PARIS.vectors_to_frame(np.full(2, 48.99), np.full(2, 2.56), v)
    np.testing.assert_allclose(here, v, atol=1e-9)
    lat, lon = np.array([45.15, 31.8]), np.array([1.83, -106.4])
    back = PARIS.vectors_from_frame(lat, lon, PARIS.vectors_to_frame(lat, lon, v))
    np.testing.assert_allclose(back, v, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(back, axis=1), np.linalg.norm(v, axis=1))


def test_level_flight_far_south_of_the_origin_leans_by_the_arc() -> None:
    """Southbound and level 430 km south: in the origin's axes it descends at about
    speed x (430 km / Earth radius), the angle between the two verticals."""
    lat, lon = destination(48.99, 2.56, 180.0, 430_000.0)
    v = PARIS.vectors_to_frame(np.array([lat]), np.array([lon]), np.array([[0.0, -220.0, 0.0]]))
    lean = 220.0 * math.sin(430_000.0 / 6_371_000.0)
    assert abs(v[0, 2] + lean) < 0.1 and lean > 14.0


def _airliner(k: int) -> Detection:
    """Southbound 220 m/s, descending 5 m/s, 400-460 km south of Paris, at 1 Hz."""
    lat, lon = destination(48.99, 2.56, 180.0, 400_000.0 + 220.0 * k)
    alt = 9_500.0 - 5.0 * k
    cov = ((400.0, 0.0, 0.0), (0.0, 400.0, 0.0), (0.0, 0.0, 64.0))
    return Detection(
        t=T0 + k,
        sensor="adsb-1",
        kind=SensorKind.ADSB,
        position=Position(float(lat), float(lon), alt, cov),
        velocity=(0.0, -220.0, -5.0),
        velocity_sigma=0.5,
        identity=Identity(icao24="393322", callsign="AFR34ZG"),
    )


def test_an_airliner_far_from_the_origin_keeps_one_track_on_its_reports() -> None:
    tracker = Tracker(PARIS, TrackerConfig())
    ups = [u for k in range(300) for u in tracker.step(T0 + k + 0.5, [_airliner(k)])]
    assert {u.track for u in ups} == {ups[0].track}
    last = ups[-1]
    truth = _airliner(299)
    assert truth.position is not None
    assert abs(last.alt_m - truth.position.alt_m) < 15.0  # drifted 220 m before the fix
    ve, vn, vu = last.velocity  # East-North-Up at the track's own point, as reported
    assert abs(ve) < 2.0 and abs(vn + 220.0) < 2.0 and abs(vu + 5.0) < 1.0
