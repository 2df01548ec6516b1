"""Track deletion: by time since the last update and by covariance growth.

Stone Soup's ``UpdateTimeDeleter`` and ``CovarianceBasedDeleter`` in one small object,
applied to every track at once. A confirmed track that misses a scan *coasts* on its
prediction; it ends when it has gone ``max_coast_s`` without an update or when its
position uncertainty (square root of the trace of the position covariance) exceeds
``max_position_sigma_m``, past which a prediction is no longer a useful picture. Tentative
tracks get the shorter ``tentative_max_coast_s``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.geo import FloatArray

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Deleter:
    """Ends tracks that are stale (seconds) or too uncertain (metres, 1-sigma radius)."""

    max_coast_s: float = 10.0
    tentative_max_coast_s: float = 2.5
    max_position_sigma_m: float = 1500.0

    def to_end(
        self, t: float, tentative: BoolArray, t_update: FloatArray, p: FloatArray, dims: int
    ) -> BoolArray:
        """Mask of tracks to end at time ``t``."""
        since = t - t_update
        stale = np.where(tentative, since > self.tentative_max_coast_s, since > self.max_coast_s)
        pos_var = np.trace(p[:, :dims, :dims], axis1=1, axis2=2)
        return np.asarray(stale | (pos_var > self.max_position_sigma_m**2))

    def after_gap(
        self,
        t: float,
        t_last: float,
        cadence: float,
        tentative: BoolArray,
        t_update: FloatArray,
        p: FloatArray,
        dims: int,
    ) -> BoolArray | None:
        """Mask of tracks a feed gap has made stale, to end before the scan at ``t``.

        A steady feed ends a track at the first scan past its coast limit, after that
        scan's association. When scans stop (an outage, or a month jumping between its
        windows) nothing ends the tracks, and the first scan after the gap would gate its
        detections against tracks predicted across the gap, whose covariance has grown
        to take anything in (a bird then inherits a drone track's class). So when at
        least one scan of the feed's own ``cadence`` is missing (``t`` at least two
        intervals after ``t_last``), :meth:`to_end` is applied at ``t - cadence``, the
        last scan the feed would have made. ``None`` when no scan is missing: a steady
        or merely jittery feed keeps its deletion timing exactly.
        """
        if cadence <= 0.0 or t - t_last < 2.0 * cadence:
            return None
        return self.to_end(t - cadence, tentative, t_update, p, dims)
