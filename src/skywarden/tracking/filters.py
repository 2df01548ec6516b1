"""Filters: a constant-velocity Kalman filter and an interacting multiple model filter.

A filter owns no tracks. It describes the per-track arrays it needs (``init``), and
predicts or updates those arrays in place for whole stacks of tracks. The track table
stores the arrays, so adding or dropping tracks is array indexing, never a loop. Every
filter keeps the combined estimate in ``"x"`` (k, 2d) and ``"P"`` (k, 2d, 2d): gating,
classification and output read only those.

The IMM (Blom and Bar-Shalom 1988; Bar-Shalom et al. 2001, section 11.6) runs the models
side by side per track (``"xm"`` (k, r, 2d), ``"Pm"`` (k, r, 2d, 2d), mode probabilities
``"mu"`` (k, r)) and mixes them each step, so a drone that cruises, stops and turns is
followed by whichever model explains it best without a wide gate all the time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, cast

import numpy as np
import numpy.typing as npt

from skywarden.geo import FloatArray
from skywarden.tracking import kalman
from skywarden.tracking.doppler import PositionDopplerMeasurement
from skywarden.tracking.measurements import (
    MeasurementModel,
    PositionMeasurement,
    StateMeasurement,
)
from skywarden.tracking.motion import ConstantVelocity, Hover, MotionModel

Arrays = dict[str, FloatArray]
IntArray = npt.NDArray[np.intp]


class Filter(Protocol):
    """The seam between track management and estimation."""

    def init(self, x0: FloatArray, p0: FloatArray) -> Arrays:
        """Per-track arrays for new tracks with prior mean ``x0`` and covariance ``p0``."""
        ...

    def predict(self, a: Arrays, dt: float) -> None:
        """Advance every track in ``a`` by ``dt`` seconds, in place."""
        ...

    def update(self, a: Arrays, rows: IntArray, meas: MeasurementModel) -> None:
        """Update tracks ``rows`` with ``meas`` (row i by measurement i), in place."""
        ...


@dataclass(frozen=True)
class KalmanFilter:
    """Linear Kalman filter (extended for bearings) with one motion model."""

    model: MotionModel = field(default_factory=ConstantVelocity)
    dims: int = 3

    def init(self, x0: FloatArray, p0: FloatArray) -> Arrays:
        return {"x": x0.copy(), "P": p0.copy()}

    def predict(self, a: Arrays, dt: float) -> None:
        if dt <= 0.0 or a["x"].shape[0] == 0:
            return
        f, q = self.model.matrices(dt, self.dims)
        a["x"], a["P"] = kalman.predict(a["x"], a["P"], f, q)

    def update(self, a: Arrays, rows: IntArray, meas: MeasurementModel) -> None:
        res = kalman.update(a["x"][rows], a["P"][rows], meas)
        a["x"][rows] = res.x
        a["P"][rows] = res.P


def repeat_rows(meas: MeasurementModel, r: int) -> MeasurementModel:
    """``meas`` with each measurement repeated ``r`` times in a row (row ``i * r + j`` is
    measurement ``i``): one measurement for each of a track's ``r`` model states."""
    if r == 1:
        return meas
    if type(meas) in (PositionMeasurement, StateMeasurement):
        # the two measurements of almost every update: their fields by name, not by
        # dataclass introspection (a few microseconds a call, some 30,000 calls a day)
        pm = cast(PositionMeasurement | StateMeasurement, meas)
        return type(pm)(pm.z.repeat(r, axis=0), pm.R.repeat(r, axis=0))
    if isinstance(meas, PositionDopplerMeasurement):  # every radar plot with its Doppler
        z, rr, site = meas.z, meas.R, meas.site
        return PositionDopplerMeasurement(
            z.repeat(r, axis=0), rr.repeat(r, axis=0), site.repeat(r, axis=0)
        )
    assert dataclasses.is_dataclass(meas) and not isinstance(meas, type)
    cols = {
        f.name: np.repeat(v, r, axis=0) if isinstance(v, np.ndarray) else v
        for f in dataclasses.fields(meas)
        for v in (getattr(meas, f.name),)
    }
    return type(meas)(**cols)


@lru_cache(maxsize=64)
def _transition(stay_per_s: tuple[float, ...], dt: float) -> FloatArray:
    r = len(stay_per_s)
    stay = np.asarray(stay_per_s) ** dt
    pi = np.repeat(((1.0 - stay) / max(r - 1, 1))[:, None], r, axis=1)
    np.fill_diagonal(pi, stay)
    pi.setflags(write=False)
    return pi


def default_imm_models() -> tuple[MotionModel, ...]:
    """Cruise (quiet constant velocity) and hover/manoeuvre (braking, high noise)."""
    return (ConstantVelocity(q=0.5), Hover(tau_s=2.0, q=8.0))


@dataclass(frozen=True)
class IMMFilter:
    """Interacting multiple model filter over ``models``.

    ``stay_per_s``: probability per second of staying in each model (the rest is spread
    evenly over the others); the transition matrix for a step ``dt`` uses ``stay**dt``.
    ``mu0``: initial mode probabilities.
    """

    models: Sequence[MotionModel] = field(default_factory=default_imm_models)
    stay_per_s: Sequence[float] = (0.98, 0.85)
    mu0: Sequence[float] = (0.8, 0.2)
    dims: int = 3

    def __post_init__(self) -> None:
        r = len(self.models)
        if len(self.stay_per_s) != r or len(self.mu0) != r:
            raise ValueError("IMMFilter: models, stay_per_s and mu0 need the same length")

    def _transition(self, dt: float) -> FloatArray:
        """Mode transition matrix for a step of ``dt`` (cached: scans repeat their dt)."""
        return _transition(tuple(self.stay_per_s), dt)

    def init(self, x0: FloatArray, p0: FloatArray) -> Arrays:
        r = len(self.models)
        k = x0.shape[0]
        return {
            "x": x0.copy(),
            "P": p0.copy(),
            "xm": np.repeat(x0[:, None, :], r, axis=1),
            "Pm": np.repeat(p0[:, None, :, :], r, axis=1),
            "mu": np.tile(np.asarray(self.mu0, dtype=float), (k, 1)),
        }

    @staticmethod
    def _combine(xm: FloatArray, pm: FloatArray, mu: FloatArray) -> tuple[FloatArray, FloatArray]:
        x = np.einsum("kr,kri->ki", mu, xm)
        d = xm - x[:, None, :]
        p = np.einsum("kr,krij->kij", mu, pm + d[..., :, None] * d[..., None, :])
        return x, p

    def predict(self, a: Arrays, dt: float) -> None:
        if dt <= 0.0 or a["x"].shape[0] == 0:
            return
        xm, pm, mu = a["xm"], a["Pm"], a["mu"]
        pi = self._transition(dt)
        c = mu @ pi  # (k, r) predicted mode probabilities
        c = np.maximum(c, 1e-300)
        w = mu[:, :, None] * pi[None, :, :] / c[:, None, :]  # w[k, i, j] = mu_{i|j}
        x0 = np.einsum("kij,kin->kjn", w, xm)
        d = xm[:, :, None, :] - x0[:, None, :, :]  # (k, i, j, n)
        # spread of the means, sum_i w_ij d_ij d_ij^T, one product per model i (the
        # three-operand einsum's arithmetic, in the same order, a third faster)
        spread = w[:, 0, :, None, None] * d[:, 0, :, :, None] * d[:, 0, :, None, :]
        for i in range(1, w.shape[1]):
            spread = spread + w[:, i, :, None, None] * d[:, i, :, :, None] * d[:, i, :, None, :]
        p0 = np.einsum("kij,kinm->kjnm", w, pm) + spread
        for j, model in enumerate(self.models):
            f, q = model.matrices(dt, self.dims)
            x0[:, j], p0[:, j] = kalman.predict(x0[:, j], p0[:, j], f, q)
        a["xm"], a["Pm"], a["mu"] = x0, p0, c
        a["x"], a["P"] = self._combine(x0, p0, c)

    def update(self, a: Arrays, rows: IntArray, meas: MeasurementModel) -> None:
        r = len(self.models)
        k = len(rows)
        xm, pm, mu = a["xm"][rows], a["Pm"][rows], a["mu"][rows]
        n = xm.shape[2]
        # Every (track, model) pair in one batched update: the same arithmetic per pair
        # as one update per model, with a few dozen fewer small-array calls per group.
        res = kalman.update(xm.reshape(k * r, n), pm.reshape(k * r, n, n), repeat_rows(meas, r))
        xm, pm = res.x.reshape(k, r, n), res.P.reshape(k, r, n, n)
        loglik = res.log_likelihood.reshape(k, r)
        logw = np.log(np.maximum(mu, 1e-300)) + loglik
        logw -= logw.max(axis=1, keepdims=True)
        w = np.exp(logw)
        mu_new = w / w.sum(axis=1, keepdims=True)
        a["xm"][rows], a["Pm"][rows], a["mu"][rows] = xm, pm, mu_new
        x, p = self._combine(xm, pm, mu_new)
        a["x"][rows], a["P"][rows] = x, p
