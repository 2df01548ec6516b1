"""Kinematic features of every track at once: how steadily and how a target moves.

Birds flap: their speed and heading jitter with the wing beat and the wind, and they
soar in thermals (sustained turning, slow climbs) and glide (slow descents). Multirotor
drones fly straight legs at steady speed, stop and hover, and climb or descend
vertically. Manned aircraft are fast and steady. Features, all exponentially smoothed
over ``tau_s`` from the filtered velocity at every prediction step:

- ``c_speed_var``: variance of ground speed about its smoothed mean (m/s)^2;
- ``c_head_c``, ``c_head_s``: smoothed unit heading vector; ``1 - |mean|`` is the
  circular variance of the heading (0 steady, 1 uniform), counted only while moving;
- ``c_turn``: smoothed absolute turn rate (rad/s);
- ``c_vz_mean``: smoothed vertical rate (m/s; the vertical profile: climb, glide, level);
- ``c_flock``: tracks moving with this one (within ``flock_radius_m`` and
  ``flock_dv_ms`` of its velocity), counted each scan.

Flocking is weak evidence by design: drone convoys fly together too. The classifier
(:mod:`.classify`) turns the features into small log-likelihood terms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from skywarden.geo import FloatArray

Arrays = dict[str, FloatArray]


@dataclass(frozen=True)
class KinematicFeatures:
    """Smoothing and flocking parameters (seconds, m/s, metres)."""

    tau_s: float = 6.0
    moving_ms: float = 4.0
    flock_radius_m: float = 300.0
    flock_dv_ms: float = 2.0

    def __post_init__(self) -> None:
        for name in ("tau_s", "moving_ms", "flock_radius_m", "flock_dv_ms"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v > 0):
                raise ValueError(f"kinematics.{name} must be a positive number, got {v!r}")

    def init(self, k: int) -> Arrays:
        return {
            "c_speed_var": np.zeros(k),
            "c_head_c": np.zeros(k),
            "c_head_s": np.zeros(k),
            "c_turn": np.zeros(k),
            "c_vz_mean": np.zeros(k),
            "c_flock": np.zeros(k),
            "c_moving_s": np.zeros(k),
        }

    def observe(self, a: Arrays, dt: float, dims: int, speed_mean: FloatArray) -> None:
        """Fold the filtered velocities (after ``dt`` seconds) into the features."""
        v = a["x"][:, dims : 2 * dims]
        gs = np.hypot(v[:, 0], v[:, 1])
        alpha = 1.0 - np.exp(-dt / self.tau_s)
        dev = np.nan_to_num(gs - speed_mean)
        a["c_speed_var"] = a["c_speed_var"] + alpha * (dev**2 - a["c_speed_var"])
        moving = gs > self.moving_ms
        safe = np.where(moving, gs, 1.0)
        ch, sh = v[:, 1] / safe, v[:, 0] / safe  # cos/sin of heading from north
        # turn rate from the change of the unit heading vector since the last step
        prev_c, prev_s = a["c_head_c"], a["c_head_s"]
        norm = np.hypot(prev_c, prev_s)
        have_prev = moving & (norm > 0.3)
        dpsi = np.arctan2(
            prev_c * sh - prev_s * ch, prev_c * ch + prev_s * sh
        )  # signed angle from the smoothed heading to the current one
        # an exponential mean lags a steady turn of rate w by about w * tau
        turn = np.where(have_prev, np.abs(dpsi) / self.tau_s, 0.0)
        a["c_turn"] = np.where(moving, a["c_turn"] + alpha * (turn - a["c_turn"]), a["c_turn"])
        a["c_head_c"] = np.where(moving, prev_c + alpha * (ch - prev_c), prev_c)
        a["c_head_s"] = np.where(moving, prev_s + alpha * (sh - prev_s), prev_s)
        a["c_moving_s"] = np.where(moving, a["c_moving_s"] + dt, a["c_moving_s"])
        if dims == 3:
            a["c_vz_mean"] = a["c_vz_mean"] + alpha * (v[:, 2] - a["c_vz_mean"])

    @staticmethod
    def heading_variance(a: Arrays) -> FloatArray:
        """Circular variance of the heading (0 steady .. 1 uniform); 0 until moving a while."""
        r = np.hypot(a["c_head_c"], a["c_head_s"])
        seen = np.minimum(a["c_moving_s"] / 10.0, 1.0)  # the mean vector builds up first
        return np.asarray(np.clip(1.0 - r, 0.0, 1.0) * seen)

    def observe_flocks(self, a: Arrays, live: np.ndarray, dims: int) -> None:
        """Count, for each of the ``live`` rows, the other live tracks flying with it."""
        a["c_flock"] = np.zeros(a["x"].shape[0])
        rows = np.flatnonzero(live)
        if rows.shape[0] < 2:
            return
        x = a["x"][rows]
        pairs = cKDTree(x[:, :2]).query_pairs(self.flock_radius_m, output_type="ndarray")
        if pairs.shape[0] == 0:
            return
        v = x[:, dims : dims + 2]
        dv = np.linalg.norm(v[pairs[:, 0]] - v[pairs[:, 1]], axis=1)
        moving = np.hypot(v[:, 0], v[:, 1]) > self.moving_ms
        ok = (dv < self.flock_dv_ms) & moving[pairs[:, 0]] & moving[pairs[:, 1]]
        count = np.bincount(pairs[ok].ravel(), minlength=rows.shape[0]).astype(float)
        a["c_flock"][rows] = count
