"""Delayed reports (visual sightings) meet each track as it was when they were observed.

Seed 11's S83 bird (docs/notes/wave12.md): a Border Patrol sighting of a drone arrived
51 s after it was seen; by then a bird had flown from 968 m to 387 m of the reported
point while the drone's track stayed ~300-500 m from it, and the bird took the report.
"""

import numpy as np
import pytest
from tests.tracking.test_tracker import FRAME, T0, _pos

from skywarden.model import SensorKind
from skywarden.tracking import Tracker, TrackerConfig, position_meas
from skywarden.tracking.delayed import DelayedPositionMeasurement, delayed_matrix, retrodicted


def test_a_delayed_position_measures_the_state_as_it_was() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(0.0, 50.0, (4, 6))
    a = rng.uniform(0.0, 60.0, 4)
    m = DelayedPositionMeasurement(np.zeros((4, 3)), np.broadcast_to(np.eye(3), (4, 3, 3)), a)
    zhat, h = m.linearise(x)
    np.testing.assert_allclose(zhat, x[:, :3] - a[:, None] * x[:, 3:])
    np.testing.assert_allclose(np.einsum("kij,kj->ki", h, x), zhat)
    np.testing.assert_allclose(h, delayed_matrix(a, 3))
    # the gate's retrodicted covariance is H P H^T
    g = rng.normal(size=(4, 6, 6))
    p = g @ np.swapaxes(g, 1, 2) + np.eye(6)
    for i in range(4):
        pos, cov = retrodicted(x[i : i + 1], p[i : i + 1], float(a[i]), 3)
        np.testing.assert_allclose(pos[0], zhat[i])
        np.testing.assert_allclose(cov[0], h[i] @ p[i] @ h[i].T, rtol=1e-9, atol=1e-9)


def _s83(report_delay_s: float) -> dict[str, float]:
    """A drone hovering 450 m west of where an observer sees it (the report's own error),
    a bird flying north at 15 m/s that is 968 m from that point when it is seen and
    ~200 m from it when the report arrives. Each track's last visual report time."""
    tracker = Tracker(FRAME, TrackerConfig())
    seen = np.array([0.0, 0.0, 100.0])  # where the observer puts the drone
    drone = np.array([-450.0, 0.0, 100.0])
    bird0, bird_v = np.array([0.0, -1700.0, 120.0]), np.array([0.0, 15.0, 0.0])
    rng = np.random.default_rng(8)
    t_seen = 50.0
    updates = []
    for k in range(120):
        t = T0 + k
        bird = bird0 + bird_v * k
        dets = [
            _pos(t, "radar", SensorKind.RADAR, p + rng.normal(0.0, 8.0, 3), 10.0)
            for p in (drone, bird)
        ]
        if k == int(t_seen + report_delay_s):
            dets.append(
                _pos(
                    t,
                    "visual-bp",
                    SensorKind.VISUAL,
                    seen,
                    300.0,
                    attrs={"observed_t": T0 + t_seen},
                )
            )
        updates = tracker.step(t, dets)
    assert len(updates) == 2
    core = tracker.core
    a = core.table.a
    x = a["x"][:, :3]
    row_drone = int(np.argmin(np.linalg.norm(x - drone, axis=1)))
    row_bird = int(np.argmin(np.linalg.norm(x - (bird0 + bird_v * 119), axis=1)))
    assert row_drone != row_bird
    return {"drone": float(a["c_visual_t"][row_drone]), "bird": float(a["c_visual_t"][row_bird])}


def test_a_delayed_sighting_goes_to_the_track_that_was_there_when_it_was_seen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every report backs the track it went to (no likelihood share asked), so the
    # corroboration shows where it went.
    monkeypatch.setattr(position_meas, "VOUCH_SHARE", 0.0)
    # Seen at t=50 s, arriving at t=101 s: the bird, 1,700 - 15*50 = 950 m south of the
    # point then, is ~185 m from it on arrival, nearer than the drone's 450 m.
    got = _s83(report_delay_s=51.0)
    assert np.isfinite(got["drone"]) and np.isnan(got["bird"]), got
    # a report with no delay still goes to the nearer track at its time
    got = _s83(report_delay_s=0.0)
    assert np.isfinite(got["drone"]) and np.isnan(got["bird"]), got


def test_a_sighting_two_tracks_could_have_been_backs_neither_as_a_drone() -> None:
    # Held-out seed 24, S67 (docs/notes/wave23.md). 51 s late, the report is within
    # the retrodicted uncertainty of both tracks (their velocities over 51 s): it still
    # goes to the drone's track, but the drone holds only part of its likelihood, and
    # the report backs neither.
    got = _s83(report_delay_s=51.0)
    assert np.isnan(got["drone"]) and np.isnan(got["bird"]), got
    # Seen and reported at once, the bird 950 m off and the drone 450 m: the drone's.
    got = _s83(report_delay_s=0.0)
    assert np.isfinite(got["drone"]) and np.isnan(got["bird"]), got
