"""Other tracks' RF-backed updates in a sector, for step 4's co-bearing test.

A direction finder hears a control link and says which way it lies, not how far: every
track on or near that ray fits its bearings, and the tracker shares them by likelihood.
A bird that flies near a drone whose own track the finder has backed for a while takes
a share of the drone's link (held-out seed 26, S87: a bird 700-1,000 m from two
hovering surveillance drones, 5-7 km from two finders, both drones tracked and
RF-backed by the same two finders at the same seconds; docs/notes/wave25.md and
wave26.md). Whether the finder heard the bird cannot be told from the bird's track
alone; it can from the others': the link was already another track's.

:class:`RfBacked` holds, per sector, every RF-backed update of every track the run kept
(time, track, position, the finders that had fed it), read once from ``tracks.jsonl``
when the rule asks (``CountingRule.rf_shared_sigmas``), and answers :meth:`shared`.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import msgspec
import numpy as np
import numpy.typing as npt

from skywarden.analytics.material import Material, SensorSite, bearing_sigma_deg
from skywarden.geo import bearing_deg

#: two tracks stamped within this long of each other (s) were updated by the same scan
SAME_SCAN_S = 1.0


class _RfLine(msgspec.Struct):
    """The fields of a ``tracks.jsonl`` line the test needs."""

    t: float
    track: str
    lat: float
    lon: float
    sensors: list[str] = []
    corroboration: list[str] | None = None


_DECODER = msgspec.json.Decoder(_RfLine)


class SharedQuery(NamedTuple):
    """What :meth:`RfBacked.shared` asks about one track: the sector's finders by id,
    the unit's own tracks (never "another track"), the track's first RF fit, how many
    bearing errors count as the same ray and how long before that first fit the other
    track must have been RF-backed."""

    sites: Mapping[str, SensorSite]
    own: set[str]
    first_fit: float
    sigmas: float
    lead_s: float


@dataclass(frozen=True)
class RfBacked:
    """Every RF-backed update of a sector's tracks, in time order.

    ``finders`` are the sector's direction-finder ids; ``fed`` is, per update, a bit
    mask over them: the finders that had fed the track by then (the tracker reports a
    track's sensors cumulatively). ``first_fit`` is each track's first RF-backed time.
    """

    finders: tuple[str, ...]
    names: tuple[str, ...]
    t: npt.NDArray[np.float64]
    track: npt.NDArray[np.intp]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    fed: npt.NDArray[np.int64]
    first_fit: npt.NDArray[np.float64]

    @classmethod
    def read(cls, path: Path, finders: Sequence[str]) -> RfBacked:
        """The RF-backed updates of a ``tracks.jsonl`` (or ``.gz``); a line that does not
        decode is a clear error naming the file and line (the count's own reader has
        already read every line it needs, so this only meets what it skipped)."""
        finders = tuple(sorted(finders))
        bit = {f: 1 << i for i, f in enumerate(finders)}
        codes: dict[str, int] = {}
        ts: list[float] = []
        tr: list[int] = []
        la: list[float] = []
        lo: list[float] = []
        fm: list[int] = []
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                if b'"rf_geometry"' not in raw:
                    continue
                try:
                    u = _DECODER.decode(raw)
                except msgspec.DecodeError as e:
                    raise ValueError(f"{path}:{n}: not a track update ({e})") from None
                mask = sum(bit.get(s, 0) for s in set(u.sensors))
                if not mask or "rf_geometry" not in (u.corroboration or ()):
                    continue
                ts.append(u.t)
                tr.append(codes.setdefault(u.track, len(codes)))
                la.append(u.lat)
                lo.append(u.lon)
                fm.append(mask)
        t = np.asarray(ts, dtype=float)
        track = np.asarray(tr, dtype=np.intp)
        order = np.argsort(t, kind="stable")
        first = np.full(len(codes), np.inf)
        np.minimum.at(first, track, t)
        return cls(
            finders,
            tuple(codes),
            t[order],
            track[order],
            np.asarray(la, dtype=float)[order],
            np.asarray(lo, dtype=float)[order],
            np.asarray(fm, dtype=np.int64)[order],
            first,
        )

    def shared(
        self,
        t: float,
        lat: float,
        lon: float,
        fed: Sequence[str],
        q: SharedQuery,
    ) -> bool:
        """Whether, for every finder in ``fed``, another track (not one of ``q.own``)
        that finder had fed was RF-backed in the same scan as ``t``, within ``q.sigmas``
        of the finder's bearing errors of (``lat``, ``lon``) as the finder sees it, and
        RF-backed since ``q.lead_s`` or more before ``q.first_fit`` (this track's first
        RF fit): the link was another track's before it was this one's. False when
        ``fed`` is empty."""
        lo = int(np.searchsorted(self.t, t - SAME_SCAN_S, side="left"))
        hi = int(np.searchsorted(self.t, t + SAME_SCAN_S, side="right"))
        rows = np.arange(lo, hi)
        if not len(rows) or not fed:
            return False
        codes = self.track[rows]
        mine = np.array([self.names[c] in q.own for c in codes.tolist()], dtype=bool)
        rows = rows[~mine & (self.first_fit[codes] <= q.first_fit - q.lead_s)]
        for f in fed:
            if f not in self.finders:
                return False
            bit = 1 << self.finders.index(f)
            near = rows[(self.fed[rows] & bit) != 0]
            if not len(near):
                return False
            site = q.sites[f]
            mine_b = bearing_deg(site.lat, site.lon, lat, lon)
            theirs = bearing_deg(
                np.full(len(near), site.lat),
                np.full(len(near), site.lon),
                self.lat[near],
                self.lon[near],
            )
            off = np.abs((theirs - mine_b + 180.0) % 360.0 - 180.0)
            if off.min() > q.sigmas * bearing_sigma_deg(site):
                return False
        return True


def rf_backed(mat: Material, sector: str) -> RfBacked | None:
    """The sector's RF-backed updates of every track (read once, on first use, and kept
    with the material), or None when the source kept no track file or lists no
    direction finders for it."""
    key = f"rf_backed/{sector}"
    if key not in mat.read_later:
        s = next((x for x in mat.sectors if x.id == sector), None)
        finders = mat.direction_finders(sector)
        mat.read_later[key] = (
            RfBacked.read(s.tracks_file, list(finders))
            if s is not None and s.tracks_file is not None and finders
            else None
        )
    found: RfBacked | None = mat.read_later[key]
    return found
