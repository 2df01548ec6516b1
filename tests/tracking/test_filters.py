"""Filters: the Kalman update against closed forms, the IMM switching to the hover model,
and the bearing Jacobian against finite differences."""

import numpy as np
import pytest

from skywarden.tracking.filters import IMMFilter, KalmanFilter
from skywarden.tracking.measurements import BearingMeasurement, PositionMeasurement
from skywarden.tracking.motion import ConstantVelocity, Hover


def test_scalar_kalman_update_matches_closed_form() -> None:
    # 1-D: prior variance 4, measurement variance 1 -> gain 0.8, posterior variance 0.8.
    kf = KalmanFilter(ConstantVelocity(q=0.0), dims=1)
    a = kf.init(np.array([[0.0, 0.0]]), np.array([[[4.0, 0.0], [0.0, 1.0]]]))
    kf.update(a, np.array([0]), PositionMeasurement(np.array([[10.0]]), np.array([[[1.0]]])))
    assert a["x"][0, 0] == pytest.approx(8.0)
    assert a["P"][0, 0, 0] == pytest.approx(0.8)


def test_constant_velocity_predict_moves_and_grows() -> None:
    kf = KalmanFilter(ConstantVelocity(q=1.0), dims=2)
    a = kf.init(np.array([[0.0, 0.0, 3.0, -1.0]]), np.eye(4)[None] * 1.0)
    kf.predict(a, 2.0)
    assert a["x"][0].tolist() == pytest.approx([6.0, -2.0, 3.0, -1.0])
    # position variance: 1 + dt^2 * 1 + q dt^3 / 3 = 1 + 4 + 8/3
    assert a["P"][0, 0, 0] == pytest.approx(1 + 4 + 8 / 3)


def test_kalman_converges_on_a_straight_track() -> None:
    rng = np.random.default_rng(0)
    kf = KalmanFilter(ConstantVelocity(q=0.01), dims=2)
    a = kf.init(np.zeros((1, 4)), np.diag([100.0, 100.0, 400.0, 400.0])[None])
    for k in range(1, 60):
        kf.predict(a, 1.0)
        z = np.array([[5.0 * k, -2.0 * k]]) + rng.normal(0, 5.0, (1, 2))
        kf.update(a, np.array([0]), PositionMeasurement(z, np.eye(2)[None] * 25.0))
    assert a["x"][0, 2:] == pytest.approx([5.0, -2.0], abs=0.5)


def test_imm_follows_a_drone_that_stops_better_than_constant_velocity() -> None:
    imm = IMMFilter((ConstantVelocity(q=0.2), Hover(tau_s=2.0, q=4.0)), dims=2)
    kf = KalmanFilter(ConstantVelocity(q=0.2), dims=2)
    x0 = np.array([[0.0, 0.0, 10.0, 0.0]])
    p0 = np.diag([25.0, 25.0, 4.0, 4.0])[None]
    a, b = imm.init(x0, p0), kf.init(x0, p0)
    r = np.eye(2)[None] * 4.0

    def step(z: float) -> None:
        for f, s in ((imm, a), (kf, b)):
            f.predict(s, 1.0)
            f.update(s, np.array([0]), PositionMeasurement(np.array([[z, 0.0]]), r))

    for k in range(1, 20):  # cruise east at 10 m/s
        step(10.0 * k)
    assert a["mu"][0, 0] > 0.9  # cruising: the constant-velocity model explains it
    hover_mu, imm_err, cv_err = [], [], []
    for _ in range(5):  # stop dead at x = 190 (a hover)
        step(190.0)
        hover_mu.append(a["mu"][0, 1])
        imm_err.append(abs(a["x"][0, 0] - 190.0))
        cv_err.append(abs(b["x"][0, 0] - 190.0))
    assert max(hover_mu) > 0.8  # the braking model takes over at once
    assert abs(a["x"][0, 2]) < 1.0  # and the IMM knows it has stopped
    assert sum(imm_err) < 0.3 * sum(cv_err)  # while a lone CV filter overshoots


def test_bearing_jacobian_matches_finite_differences() -> None:
    site = np.array([[100.0, -50.0, 10.0]])
    x = np.array([[900.0, 1200.0, 150.0, 1.0, 2.0, 0.0]])
    meas = BearingMeasurement(
        site, np.array([0.5]), np.array([0.05]), np.array([0.1]), np.array([0.05])
    )
    zhat, h = meas.linearise(x)
    eps = 1e-3
    for i in range(3):
        dx = x.copy()
        dx[0, i] += eps
        z2, _ = meas.linearise(dx)
        assert (z2[0] - zhat[0]) / eps == pytest.approx(h[0, :, i], abs=1e-6)


def test_bearing_residual_wraps_across_north() -> None:
    meas = BearingMeasurement(np.zeros((1, 3)), np.array([np.radians(359.0)]), np.array([0.1]))
    res = meas.residual(np.array([[np.radians(1.0)]]))
    assert res[0, 0] == pytest.approx(np.radians(-2.0))
