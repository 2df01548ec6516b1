"""Drop signatures: a sharp descent followed by a climb, or a hover followed by departure.

Payload drops by cross-border drones show either a dip (descend to release height, climb
away) or a stationary hover over the drop point before leaving. What sets a drop apart
from a drone pausing to watch, and from tracker altitude noise, is that it happens *near
the ground*: the lowest point of a dip, or the hover, must be within ``max_drop_agl_m``
of ``ground_m`` (when known). Further, a dip needs ``dip_m`` of descent lasting at least
``min_dip_s`` at ``min_rate_ms`` or faster and ``climb_m`` of climb after it; a hover
needs ``hover_s`` below ``hover_speed_ms`` and then ``depart_speed_ms``; a hover longer
than ``max_hover_s`` is loitering (see :mod:`.loiter`), not a drop. A hover and a dip at
the same drop are one event (at most one per ``min_gap_s`` per track).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.airspace._arrays import grown
from skywarden.airspace.track_table import Batch

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Drop:
    row: int
    signature: str  # "dip" or "hover"
    t: float  # time of the lowest point / the hover start
    x: float
    y: float
    alt_m: float
    t_detected: float
    depth_m: float  # dip depth, or hover duration in s for hovers


class DropDetector:
    def __init__(
        self,
        dip_m: float = 30.0,
        climb_m: float = 15.0,
        min_rate_ms: float = 1.0,
        hover_s: float = 15.0,
        max_hover_s: float = 120.0,
        hover_speed_ms: float = 1.0,
        depart_speed_ms: float = 3.0,
        ground_m: float | None = None,
        max_drop_agl_m: float = 40.0,
        min_dip_s: float = 3.0,
        min_gap_s: float = 120.0,
    ) -> None:
        self.min_gap_s = min_gap_s
        self.last_drop = np.zeros(0)
        self.ceiling_m = np.inf if ground_m is None else ground_m + max_drop_agl_m
        self.min_dip_s = min_dip_s
        self.dip_m = dip_m
        self.climb_m = climb_m
        self.min_rate_ms = min_rate_ms
        self.hover_s = hover_s
        self.max_hover_s = max_hover_s
        self.hover_speed_ms = hover_speed_ms
        self.depart_speed_ms = depart_speed_ms
        self.peak = np.full((0, 4), np.nan)  # t, x, y, alt
        self.trough = np.full((0, 4), np.nan)
        self.hover = np.full((0, 4), np.nan)  # start of the current hover

    def step(self, batch: Batch) -> list[Drop]:
        if len(batch) == 0:
            return []
        cap = batch.row_cap
        self.peak = grown(self.peak, cap, np.nan)
        self.trough = grown(self.trough, cap, np.nan)
        self.hover = grown(self.hover, cap, np.nan)
        self.last_drop = grown(self.last_drop, cap, -np.inf)
        out = self._dips(batch)
        out += self._hovers(batch)
        return self._one_per_gap(out)

    def _dips(self, batch: Batch) -> list[Drop]:
        """Dips: a descent from the peak and a climb back out, below the ceiling."""
        r = batch.rows
        cur = batch.cur
        peak, trough = self.peak[r], self.trough[r]
        new_peak = np.isnan(peak[:, 3]) | (cur[:, 3] >= peak[:, 3])
        peak[new_peak] = cur[new_peak]
        trough[new_peak] = cur[new_peak]
        lower = cur[:, 3] < trough[:, 3]
        trough[lower] = cur[lower]
        depth = peak[:, 3] - trough[:, 3]
        rate = depth / np.maximum(trough[:, 0] - peak[:, 0], 1e-3)
        dip = (
            (depth >= self.dip_m)
            & (trough[:, 0] - peak[:, 0] >= self.min_dip_s)
            & (trough[:, 3] <= self.ceiling_m)
            & (rate >= self.min_rate_ms)
            & (cur[:, 3] - trough[:, 3] >= self.climb_m)
        )
        out = [
            Drop(
                int(r[k]),
                "dip",
                float(trough[k, 0]),
                float(trough[k, 1]),
                float(trough[k, 2]),
                float(trough[k, 3]),
                float(batch.t[k]),
                float(depth[k]),
            )
            for k in dip.nonzero()[0]
        ]
        peak[dip] = cur[dip]
        trough[dip] = cur[dip]
        self.peak[r] = peak
        self.trough[r] = trough
        return out

    def _hovers(self, batch: Batch) -> list[Drop]:
        """Hovers: slow for hover_s to max_hover_s below the ceiling, then departed."""
        r = batch.rows
        cur = batch.cur
        speed = np.hypot(batch.speed, batch.vel[:, 2])
        hov = self.hover[r]
        slow = speed < self.hover_speed_ms
        start = slow & np.isnan(hov[:, 0])
        hov[start] = cur[start]
        departed = (speed > self.depart_speed_ms) & ~np.isnan(hov[:, 0])
        held = batch.t - hov[:, 0]
        long_enough = (
            departed
            & (held >= self.hover_s)
            & (held <= self.max_hover_s)
            & (hov[:, 3] <= self.ceiling_m)
        )
        out = [
            Drop(
                int(r[k]),
                "hover",
                float(hov[k, 0]),
                float(hov[k, 1]),
                float(hov[k, 2]),
                float(hov[k, 3]),
                float(batch.t[k]),
                float(batch.t[k] - hov[k, 0]),
            )
            for k in long_enough.nonzero()[0]
        ]
        hov[departed] = np.nan
        self.hover[r] = hov
        return out

    def _one_per_gap(self, out: list[Drop]) -> list[Drop]:
        """A hover and a dip over the same drop point are one drop: one event per gap."""
        kept = []
        for d in sorted(out, key=lambda d: d.t_detected):
            if d.t_detected - self.last_drop[d.row] >= self.min_gap_s:
                self.last_drop[d.row] = d.t_detected
                kept.append(d)
        return kept

    def forget(self, rows: IntArray) -> None:
        rows = rows[rows < len(self.peak)]
        self.peak[rows] = np.nan
        self.trough[rows] = np.nan
        self.hover[rows] = np.nan
        self.last_drop[rows[rows < len(self.last_drop)]] = -np.inf
