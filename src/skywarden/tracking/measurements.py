"""Measurement models: how each sensor sees the state, as stacks of measurements.

A measurement model holds ``k`` measurements of one kind and gives, for the ``k`` states
they update, the predicted measurement ``h(x)``, its Jacobian ``H`` and the residual
``z - h(x)`` (wrapped for angles). Linear models (position, full state) and the bearing
model (extended Kalman update) share this interface, so the filters never branch on
the sensor.

- :class:`PositionMeasurement`: radar (range/azimuth/elevation already converted to ENU
  with its converted covariance), visual and electro-optical fixes, triangulated RF.
- :class:`StateMeasurement`: Remote ID and ADS-B, which report position and velocity.
- :class:`BearingMeasurement`: RF direction finders: azimuth (and elevation when given)
  from a known site.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

from skywarden.geo import FloatArray


class MeasurementModel(Protocol):
    """A stack of ``k`` measurements, row ``i`` updating state row ``i``."""

    R: FloatArray  # (k, m, m) measurement noise

    def linearise(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``(h(x), H)`` for states ``x`` (k, n): shapes (k, m) and (k, m, n)."""
        ...

    def residual(self, zhat: FloatArray) -> FloatArray:
        """``z - zhat`` (k, m), angles wrapped to (-pi, pi]."""
        ...


@lru_cache(maxsize=8)
def position_matrix(dims: int) -> FloatArray:
    """``H = [I 0]``: the position part of a ``[position, velocity]`` state (read-only,
    built once per dimension: it is asked for on every update)."""
    h = np.hstack([np.eye(dims), np.zeros((dims, dims))])
    h.setflags(write=False)
    return h


@dataclass
class PositionMeasurement:
    """Positions ``z`` (k, d) in ENU metres with covariances ``R`` (k, d, d) in m^2."""

    z: FloatArray
    R: FloatArray

    def linearise(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        d = self.z.shape[1]
        h = position_matrix(d)
        return x[:, :d], np.broadcast_to(h, (x.shape[0], *h.shape))

    def residual(self, zhat: FloatArray) -> FloatArray:
        return self.z - zhat


@dataclass
class StateMeasurement:
    """Full states ``z`` (k, 2d): position and velocity, as Remote ID and ADS-B report."""

    z: FloatArray
    R: FloatArray

    def linearise(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        n = x.shape[1]
        return x, np.broadcast_to(np.eye(n), (x.shape[0], n, n))

    def residual(self, zhat: FloatArray) -> FloatArray:
        return self.z - zhat


def wrap_angle(a: FloatArray) -> FloatArray:
    """Angles to (-pi, pi]."""
    return np.asarray(np.pi - np.mod(np.pi - a, 2.0 * np.pi))


@dataclass
class BearingMeasurement:
    """Azimuth (radians clockwise from north) from sites ``site`` (k, 3) ENU metres.

    With ``elevation`` (k,) radians the measurement is 2-D ``[azimuth, elevation]``.
    ``R`` is diagonal from the per-measurement standard deviations (radians).
    """

    site: FloatArray
    azimuth: FloatArray
    sigma: FloatArray
    elevation: FloatArray | None = None
    elevation_sigma: FloatArray | None = None

    def __post_init__(self) -> None:
        if self.elevation is None:
            self.R = (self.sigma**2)[:, None, None]
        else:
            assert self.elevation_sigma is not None
            k = self.sigma.shape[0]
            self.R = np.zeros((k, 2, 2))
            self.R[:, 0, 0] = self.sigma**2
            self.R[:, 1, 1] = self.elevation_sigma**2

    def linearise(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        k, n = x.shape
        dx = x[:, 0] - self.site[:, 0]
        dy = x[:, 1] - self.site[:, 1]
        rho2 = np.maximum(dx * dx + dy * dy, 1.0)
        az = np.arctan2(dx, dy)
        m = 1 if self.elevation is None else 2
        hmat = np.zeros((k, m, n))
        hmat[:, 0, 0] = dy / rho2
        hmat[:, 0, 1] = -dx / rho2
        if self.elevation is None:
            return az[:, None], hmat
        dz = x[:, 2] - self.site[:, 2]
        rho = np.sqrt(rho2)
        r2 = rho2 + dz * dz
        el = np.arctan2(dz, rho)
        hmat[:, 1, 0] = -dx * dz / (r2 * rho)
        hmat[:, 1, 1] = -dy * dz / (r2 * rho)
        hmat[:, 1, 2] = rho / r2
        return np.stack([az, el], axis=1), hmat

    def residual(self, zhat: FloatArray) -> FloatArray:
        if self.elevation is None:
            return wrap_angle(self.azimuth[:, None] - zhat)
        z = np.stack([self.azimuth, self.elevation], axis=1)
        return wrap_angle(z - zhat)
