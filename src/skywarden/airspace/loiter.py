"""Loitering: a track that stays within ``radius_m`` of one place for ``min_duration_s``.

Smugglers wait for a ground team and surveillance drones watch a spot; both show up as
time spent within a small radius. An anchor per track is reset whenever the track moves
more than ``radius_m`` from it; staying long enough near the anchor is a loiter, reported
once per anchor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.airspace._arrays import grown
from skywarden.airspace.track_table import Batch

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Loiter:
    row: int
    t: float  # when the track had stayed long enough
    x: float  # anchor (ENU m)
    y: float
    alt_m: float
    since: float  # when it arrived at the anchor


class LoiterDetector:
    def __init__(self, radius_m: float = 150.0, min_duration_s: float = 120.0) -> None:
        self.radius_m = radius_m
        self.min_duration_s = min_duration_s
        self.anchor = np.full((0, 4), np.nan)  # t, x, y, alt
        self.reported = np.zeros(0, dtype=bool)

    def step(self, batch: Batch) -> list[Loiter]:
        if len(batch) == 0:
            return []
        cap = batch.row_cap
        self.anchor = grown(self.anchor, cap, np.nan)
        self.reported = grown(self.reported, cap, False)
        r = batch.rows
        a = self.anchor[r]
        moved = np.isnan(a[:, 0]) | (np.hypot(batch.x - a[:, 1], batch.y - a[:, 2]) > self.radius_m)
        reset = r[moved]
        self.anchor[reset] = batch.cur[moved]
        self.reported[reset] = False
        a = self.anchor[r]
        hit = ~self.reported[r] & (batch.t - a[:, 0] >= self.min_duration_s)
        self.reported[r[hit]] = True
        return [
            Loiter(int(r[k]), float(batch.t[k]), a[k, 1], a[k, 2], a[k, 3], a[k, 0])
            for k in hit.nonzero()[0]
        ]

    def forget(self, rows: IntArray) -> None:
        rows = rows[rows < len(self.anchor)]
        self.anchor[rows] = np.nan
        self.reported[rows] = False
