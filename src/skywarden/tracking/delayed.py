"""Delayed reports: compared with each track as it was when the report was observed.

A Border Patrol observer's sighting reaches the tracker tens of seconds after it was
seen (``attrs["observed_t"]``; the tracker takes them up to ``max_report_age_s``, 60 s,
old). Compared with where the
tracks are when it *arrives*, it goes to whichever track has since flown nearest the
reported point: on seed 11 (S83) a bird that had flown from 968 m to 387 m of a sighting
while the drone the observer saw stayed 310-510 m from it took the report, and the
report's 120 s of visual corroboration counted the bird as an incursion
(docs/notes/wave12.md). Out-of-sequence measurements (Bar-Shalom, "Update with
out-of-sequence measurements in tracking: exact solution", IEEE Trans. AES 38(3), 2002)
are handled by retrodicting the track to the measurement's time; with a
[position, velocity] state and no new process noise that is a linear measurement of the
current state, ``z = p - age * v``: :class:`DelayedPositionMeasurement`, which both the
gate (:func:`retrodicted`) and the filter update use. The report's covariance keeps its
growth by ``report_drift_ms`` per second of age (:mod:`.scan`), now the allowance for
what the target did that its track's velocity does not say.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skywarden.geo import FloatArray


def delayed_matrix(age_s: FloatArray, dims: int) -> FloatArray:
    """``H = [I, -age I]`` per report (k, d, 2d): the position ``age`` seconds ago of a
    ``[position, velocity]`` state moving at constant velocity."""
    k = age_s.shape[0]
    h = np.zeros((k, dims, 2 * dims))
    idx = np.arange(dims)
    h[:, idx, idx] = 1.0
    h[:, idx, dims + idx] = -age_s[:, None]
    return h


def retrodicted(
    x: FloatArray, p: FloatArray, age_s: float, dims: int
) -> tuple[FloatArray, FloatArray]:
    """Positions (k, d) and their covariances (k, d, d) of states ``x`` (k, 2d) with
    covariances ``p`` ``age_s`` seconds ago, at their current velocities."""
    pos = x[:, :dims] - age_s * x[:, dims : 2 * dims]
    ppp = p[:, :dims, :dims]
    ppv = p[:, :dims, dims : 2 * dims]
    pvv = p[:, dims : 2 * dims, dims : 2 * dims]
    cov = ppp - age_s * (ppv + np.swapaxes(ppv, 1, 2)) + age_s**2 * pvv
    return pos, cov


@dataclass
class DelayedPositionMeasurement:
    """Positions ``z`` (k, d) observed ``age_s`` (k,) seconds before the states they
    update, with covariances ``R`` (k, d, d)."""

    z: FloatArray
    R: FloatArray
    age_s: FloatArray

    def linearise(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        d = self.z.shape[1]
        h = delayed_matrix(self.age_s, d)
        return x[:, :d] - self.age_s[:, None] * x[:, d : 2 * d], h

    def residual(self, zhat: FloatArray) -> FloatArray:
        return self.z - zhat
