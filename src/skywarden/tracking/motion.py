"""Motion models: the state transition ``F(dt)`` and process noise ``Q(dt)`` of a target.

The state is ``[position (d), velocity (d)]`` in the sector's ENU frame (metres, m/s), with
``d`` = 3 for the live tracker and 2 for plain planar data. Every track in the core is kept
at the same time, so one ``(F, Q)`` pair serves the whole stack of tracks in a predict:
the models return single matrices and the filter broadcasts them over ``(n, 2d, 2d)``.

Matrices are cached per (parameters, dt): scans at a steady rate reuse them.

References: Bar-Shalom, Li, Kirubarajan, *Estimation with Applications to Tracking and
Navigation* (2001), section 6.2.2 (continuous white-noise acceleration model) and 8.2
(first-order Gauss-Markov velocity, the "hover" model used by the IMM).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

from skywarden.geo import FloatArray


class MotionModel(Protocol):
    """What a filter needs from a motion model: its matrices for a time step."""

    @property
    def name(self) -> str:
        """Short name for reports."""
        ...

    def matrices(self, dt: float, dims: int) -> tuple[FloatArray, FloatArray]:
        """``(F, Q)`` for a step of ``dt`` seconds in ``dims`` spatial dimensions."""
        ...


def _cwna_q(q: float, dt: float) -> FloatArray:
    """2x2 per-axis block of the continuous white-noise-acceleration process noise."""
    return np.asarray(q * np.array([[dt**3 / 3.0, dt**2 / 2.0], [dt**2 / 2.0, dt]]), dtype=float)


@lru_cache(maxsize=256)
def _cv_matrices(q: float, dt: float, dims: int) -> tuple[FloatArray, FloatArray]:
    f = np.array([[1.0, dt], [0.0, 1.0]])
    return _per_axis(f, dims), _per_axis(_cwna_q(q, dt), dims)


@lru_cache(maxsize=256)
def _hover_matrices(tau: float, q: float, dt: float, dims: int) -> tuple[FloatArray, FloatArray]:
    a = math.exp(-dt / tau)
    f = np.array([[1.0, tau * (1.0 - a)], [0.0, a]])
    return _per_axis(f, dims), _per_axis(_cwna_q(q, dt), dims)


def _per_axis(block: FloatArray, dims: int) -> FloatArray:
    """Spread a 2x2 [pos, vel] block over ``dims`` axes in [pos..., vel...] order."""
    return np.asarray(np.kron(block, np.eye(dims)), dtype=float)


@dataclass(frozen=True)
class ConstantVelocity:
    """Nearly constant velocity: acceleration is white noise of spectral density ``q``.

    ``q`` (m^2/s^3): about (expected change of speed per second)^2 per second. 0.1-1 for
    steady flight, 10-50 for a drone that stops, drops and turns.
    """

    q: float = 0.5
    name: str = "cv"

    def matrices(self, dt: float, dims: int) -> tuple[FloatArray, FloatArray]:
        return _cv_matrices(self.q, dt, dims)


@dataclass(frozen=True)
class Hover:
    """Velocity decays towards zero with time constant ``tau_s`` (a drone braking to hover).

    First-order Gauss-Markov velocity; ``q`` (m^2/s^3) is the noise density driving it.
    The noise uses the white-noise-acceleration form, a close and conservative
    approximation of the exact Gauss-Markov discretisation for ``dt`` <= ``tau_s``.
    """

    tau_s: float = 2.0
    q: float = 4.0
    name: str = "hover"

    def matrices(self, dt: float, dims: int) -> tuple[FloatArray, FloatArray]:
        return _hover_matrices(self.tau_s, self.q, dt, dims)


@lru_cache(maxsize=256)
def _turn_matrices(omega: float, q: float, dt: float, dims: int) -> tuple[FloatArray, FloatArray]:
    f, noise = _cv_matrices(q, dt, dims)
    f = f.copy()
    s, c = math.sin(omega * dt), math.cos(omega * dt)
    vx, vy = dims, dims + 1  # [x, y, (z), vx, vy, (vz)]: the turn is in the horizontal
    f[0, vx], f[0, vy] = s / omega, -(1.0 - c) / omega
    f[1, vx], f[1, vy] = (1.0 - c) / omega, s / omega
    f[vx, vx], f[vx, vy] = c, -s
    f[vy, vx], f[vy, vy] = s, c
    return f, noise


@dataclass(frozen=True)
class CoordinatedTurn:
    """A turn at a known rate ``omega`` (rad/s, positive anticlockwise seen from above):
    the horizontal velocity keeps its speed and rotates; height as constant velocity;
    white-noise acceleration ``q`` (m^2/s^3) as in :class:`ConstantVelocity`.

    Bar-Shalom, Li and Kirubarajan (2001), section 11.7.1 (the coordinated turn with a
    known rate; a pair at +-omega in an IMM covers turns either way, Li and Jilkov 2003,
    "Survey of maneuvering target tracking, part I", section 4.2). Unlike a noisy
    constant-velocity model it keeps the speed: a drone at 8 m/s that turns is still at
    8 m/s, a hovering one is still at rest, so the pair follows a turn without also
    accepting a bird's plot at 10 m/s beside a hovering drone (docs/notes/wave18.md).
    """

    omega: float
    q: float = 0.5
    name: str = "turn"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.omega) and self.omega != 0.0):
            raise ValueError(f"CoordinatedTurn: omega must be finite and non-zero: {self.omega}")

    def matrices(self, dt: float, dims: int) -> tuple[FloatArray, FloatArray]:
        if dims < 2:
            raise ValueError("CoordinatedTurn needs at least two dimensions")
        return _turn_matrices(self.omega, self.q, dt, dims)
