"""Kinematic features: heading and speed jitter, turning, flocking (weak evidence)."""

import math

import numpy as np

from skywarden.geo import LocalFrame
from skywarden.model import Detection, Identity, Position, SensorKind
from skywarden.tracking import Tracker, TrackerConfig
from skywarden.tracking.classify import BIRD, Classifier
from skywarden.tracking.kinematics import KinematicFeatures


def _tracks(v: np.ndarray, x: np.ndarray | None = None) -> dict:
    clf = Classifier()
    a = clf.init(v.shape[0])
    a["x"] = np.zeros((v.shape[0], 6))
    a["x"][:, 3:6] = v
    if x is not None:
        a["x"][:, :3] = x
    return a


def test_flocks_count_neighbours_moving_alike_only() -> None:
    x = np.array([[0, 0, 50], [80, 0, 50], [0, 90, 50], [50, 50, 50], [5000, 0, 50]], float)
    v = np.array([[8, 2, 0], [8.5, 2, 0], [7.5, 2.5, 0], [-8, -2, 0], [8, 2, 0]], float)
    a = _tracks(v, x)
    KinematicFeatures().observe_flocks(a, np.ones(5, dtype=bool), dims=3)
    np.testing.assert_array_equal(a["c_flock"], [2, 2, 2, 0, 0])


def test_a_jittering_heading_reads_as_variance_a_steady_one_does_not() -> None:
    clf = Classifier()
    steady = _tracks(np.array([[0.0, 10.0, 0.0]]))
    jitter = _tracks(np.array([[0.0, 10.0, 0.0]]))
    rng = np.random.default_rng(1)
    for _ in range(60):
        h = rng.normal(0.0, math.radians(35.0))
        jitter["x"][0, 3:5] = [10 * math.sin(h), 10 * math.cos(h)]
        clf.observe_kinematics(steady, 1.0, 3)
        clf.observe_kinematics(jitter, 1.0, 3)
    hv_s = KinematicFeatures.heading_variance(steady)[0]
    hv_j = KinematicFeatures.heading_variance(jitter)[0]
    assert hv_s < 0.01 < clf.heading_jitter < hv_j
    for a in (steady, jitter):
        clf.update_probabilities(a)
    assert jitter["probs"][0, BIRD] > steady["probs"][0, BIRD]


def test_flocking_alone_is_weak_evidence() -> None:
    clf = Classifier()
    alone, flock = _tracks(np.array([[0.0, 10.0, 0.0]])), _tracks(np.array([[0.0, 10.0, 0.0]]))
    for a in (alone, flock):
        clf.observe_kinematics(a, 10.0, 3)
    flock["c_flock"][:] = 5.0
    ll_alone, ll_flock = clf.log_likelihoods(alone), clf.log_likelihoods(flock)
    assert 0 < ll_flock[0, BIRD] - ll_alone[0, BIRD] <= clf.flock_weight + 1e-12 <= 0.5


def test_track_updates_carry_p_exist_and_corroboration() -> None:
    frame = LocalFrame(31.8, -106.4, 1200.0)
    tracker = Tracker(frame, TrackerConfig())
    t0 = 1_770_000_000.0
    ups = []
    for k in range(6):
        d = Detection(
            t0 + k,
            "rid",
            SensorKind.REMOTE_ID,
            position=Position(31.8 + 2e-5 * k, -106.4, 1260.0),
            identity=Identity(rid_serial="1581E0123456789ABCD"),  # well formed (ANSI/CTA-2063-A)
        )
        ups += tracker.step(t0 + k, [d])
    assert ups
    last = ups[-1]
    assert 0.5 < last.p_exist <= 1.0
    assert "remote_id" in last.corroboration
    assert {"p_exist", "corroboration"} <= set(last.to_dict())
