"""Zone entries and exits, with a hold time against flapping at zone boundaries.

An entry is reported at the first update inside a zone's volume (horizontal polygon and
floor/ceiling, sloped for corridors). A track near a boundary that wobbles in and out
would otherwise enter many times, so a track inside stays inside while it is within a
margin of the zone (``ZoneIndex.near``, 50 m), and an exit is only confirmed after
``exit_hold_s`` of continuous absence, reported at the time and place it first left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.airspace._arrays import grown
from skywarden.airspace.track_table import Batch

IntArray = npt.NDArray[np.intp]
BoolMatrix = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class ZoneTransition:
    """``entry`` or ``exit`` of one row into/out of one zone (index into the ZoneIndex)."""

    kind: str
    row: int
    zone: int
    t: float
    lat: float
    lon: float
    alt_m: float


class ZoneWatcher:
    """Incremental entry/exit detector over (row x zone) state matrices."""

    def __init__(self, n_zones: int, exit_hold_s: float = 5.0) -> None:
        self.n_zones = n_zones
        self.exit_hold_s = exit_hold_s
        self.inside = np.zeros((0, n_zones), dtype=bool)
        self.out_since = np.full((0, n_zones), np.nan)
        self.out_at = np.zeros((0, n_zones, 3))  # lat, lon, alt where the track first left

    def current(self, row: int) -> list[int]:
        """Zones a row is inside now (entry reported, exit not yet confirmed)."""
        if row >= len(self.inside):
            return []
        return [int(k) for k in self.inside[row].nonzero()[0]]

    def step(
        self,
        batch: Batch,
        pi: IntArray,
        zi: IntArray,
        near: Callable[[IntArray, IntArray], np.ndarray] | None = None,
    ) -> list[ZoneTransition]:
        """Feed the batch and its (point, zone) memberships; get transitions, time ordered.

        ``near(k, z)`` says whether update ``k`` is still within a margin of zone ``z``
        (see :meth:`ZoneIndex.near`); a track inside a zone that is outside it but within
        the margin stays inside, so tracker noise along a boundary makes no exits.
        """
        n = len(batch)
        if n == 0 or self.n_zones == 0:
            return []
        cap = batch.row_cap
        self.inside = grown(self.inside, cap, False)
        self.out_since = grown(self.out_since, cap, np.nan)
        self.out_at = grown(self.out_at, cap, 0.0)
        rows = batch.rows
        now = np.zeros((n, self.n_zones), dtype=bool)
        now[pi, zi] = True
        was = self.inside[rows]
        if len(pi) == 0 and not was.any():  # outside every zone, before and now
            return []
        if near is not None:
            lk, lz = (was & ~now).nonzero()
            if len(lk):
                keep = near(lk.astype(np.intp), lz.astype(np.intp))
                now[lk[keep], lz[keep]] = True
        out = self._entries(batch, now, was)
        exits, confirmed = self._exits(batch, now, was)
        out += exits
        self.inside[rows] = (was | now) & ~confirmed
        out.sort(key=lambda e: e.t)
        return out

    def _entries(self, batch: Batch, now: BoolMatrix, was: BoolMatrix) -> list[ZoneTransition]:
        """An entry per (update, zone) inside now and not before."""
        rows = batch.rows
        out: list[ZoneTransition] = []
        for k, z in zip(*(now & ~was).nonzero(), strict=True):
            out.append(
                ZoneTransition(
                    "entry",
                    int(rows[k]),
                    int(z),
                    float(batch.t[k]),
                    float(batch.lat[k]),
                    float(batch.lon[k]),
                    float(batch.alt[k]),
                )
            )
        return out

    def _exits(
        self, batch: Batch, now: BoolMatrix, was: BoolMatrix
    ) -> tuple[list[ZoneTransition], BoolMatrix]:
        """Exits held out for exit_hold_s (dated when the track left), and their mask."""
        rows = batch.rows
        out: list[ZoneTransition] = []
        since = self.out_since[rows]
        since[now] = np.nan
        left = was & ~now
        if not left.any():  # the usual step: nobody outside a zone it is in
            self.out_since[rows] = since
            return out, left
        at = self.out_at[rows]
        fk, fz = (left & np.isnan(since)).nonzero()
        if len(fk):
            since[fk, fz] = batch.t[fk]
            at[fk, fz] = np.stack([batch.lat[fk], batch.lon[fk], batch.alt[fk]], axis=1)
        confirmed = left & (batch.t[:, None] - since >= self.exit_hold_s)
        for k, z in zip(*confirmed.nonzero(), strict=True):
            lat, lon, alt = at[k, z]
            out.append(
                ZoneTransition(
                    "exit", int(rows[k]), int(z), float(since[k, z]), lat, lon, float(alt)
                )
            )
        since[confirmed] = np.nan
        self.out_since[rows] = since
        self.out_at[rows] = at
        return out, confirmed

    def forget(self, rows: IntArray) -> None:
        rows = rows[rows < len(self.inside)]
        self.inside[rows] = False
        self.out_since[rows] = np.nan
