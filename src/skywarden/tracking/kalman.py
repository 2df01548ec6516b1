"""Kalman predict and update on stacks of states: the arithmetic every filter shares.

Shapes: ``x`` (k, n), ``P`` (k, n, n); a measurement model gives ``h(x)`` (k, m),
``H`` (k, m, n), ``R`` (k, m, m). The update is the textbook one (Bar-Shalom et al. 2001,
section 5.2) with the Joseph form for the covariance, which stays symmetric positive
definite under the rounding of thousands of float64 updates per second. Everything is
batched over ``k``; no Python loop runs per track.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from skywarden.geo import FloatArray
from skywarden.tracking.measurements import MeasurementModel, PositionMeasurement

LOG_2PI = float(np.log(2.0 * np.pi))


def predict(
    x: FloatArray, p: FloatArray, f: FloatArray, q: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """``x' = F x``, ``P' = F P F^T + Q`` for every row; ``F`` and ``Q`` shared."""
    return x @ f.T, f @ p @ f.T + q


@lru_cache(maxsize=8)
def _eye(n: int) -> FloatArray:
    """The identity of size ``n``, built once (read-only): every update subtracts from it."""
    eye = np.eye(n)
    eye.setflags(write=False)
    return eye


def inv_small(s: FloatArray) -> FloatArray:
    """Inverse of a stack of small SPD matrices (k, m, m)."""
    if s.shape[-1] == 1:
        return 1.0 / s
    return np.asarray(np.linalg.inv(s))


@dataclass
class UpdateResult:
    """Posterior states with the normalised innovation squared and log-likelihood."""

    x: FloatArray
    P: FloatArray
    nis: FloatArray
    log_likelihood: FloatArray


def update(x: FloatArray, p: FloatArray, meas: MeasurementModel) -> UpdateResult:
    """Kalman (or extended Kalman, for nonlinear ``meas``) update of ``k`` states.

    For a position measurement (``H = [I 0]``) the products with ``H`` are column and
    row selections, taken as such: the same numbers without three batched products.
    """
    n = x.shape[1]
    if isinstance(meas, PositionMeasurement):
        d = meas.z.shape[1]
        nu = meas.z - x[:, :d]
        pht = p[:, :, :d]
        s = pht[:, :d, :] + meas.R
    else:
        zhat, h = meas.linearise(x)
        nu = meas.residual(zhat)
        pht = p @ np.swapaxes(h, 1, 2)
        s = h @ pht + meas.R
    s_inv = inv_small(s)
    k_gain = pht @ s_inv
    x_new = x + np.einsum("kij,kj->ki", k_gain, nu)
    if isinstance(meas, PositionMeasurement):
        kh = np.zeros((x.shape[0], n, n))
        kh[:, :, :d] = k_gain
    else:
        kh = k_gain @ h
    i_kh = _eye(n) - kh
    p_new = i_kh @ p @ np.swapaxes(i_kh, 1, 2) + k_gain @ meas.R @ np.swapaxes(k_gain, 1, 2)
    nis = np.einsum("ki,kij,kj->k", nu, s_inv, nu)
    m = nu.shape[1]
    logdet = np.log(np.linalg.det(s)) if m > 1 else np.log(s[:, 0, 0])
    loglik = -0.5 * (nis + logdet + m * LOG_2PI)
    return UpdateResult(x_new, p_new, nis, loglik)
