"""The watched border as points: where the coverage model asks "would this be seen?".

Two ways to cut the shipped US-Mexico line (``refdata.border_line``) into sectors:

- **Squares** (a run, or runs without a month manifest): the line clipped to each
  sector's square (origin +- ``extent_m``); a point inside two squares belongs to the
  first sector.
- **Stretches** (a month, docs/month.md): the whole line measured geodesically from its
  west (Pacific) end, each sector owning the km of its ``stretch_km``, sensed or not, as
  the month simulation cut it; so the unsensed stretches are part of the border too.

Points are every ``step_m`` metres; each keeps its sector, its km (along the sector's
clipped line, or along the whole border) and the rate model's weight per km there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pyproj import Geod
from shapely.geometry import LineString, box
from shapely.geometry.base import BaseGeometry

from skywarden.analytics.material import SectorData

FloatArray = npt.NDArray[np.float64]

STEP_M = 200.0


@dataclass(frozen=True, slots=True)
class BorderSamples:
    """Points along the watched border: place, sector, km, rate weight per km."""

    lat: FloatArray
    lon: FloatArray
    sector: npt.NDArray[np.str_]
    km: FloatArray
    step_km: float
    rate_weight: FloatArray

    def __len__(self) -> int:
        return len(self.lat)


def sample_border(
    sectors: Sequence[SectorData], border: BaseGeometry | None = None, step_m: float = STEP_M
) -> BorderSamples:
    """Points every ``step_m`` along the sectors' border (stretches if they have them)."""
    from skywarden import refdata

    line = border if border is not None else refdata.border_line()
    if any(s.stretch_km is not None for s in sectors):
        return _stretches([s for s in sectors if s.stretch_km is not None], line, step_m)
    return _squares(sectors, line, step_m)


def _empty(step_m: float) -> BorderSamples:
    z = np.zeros(0)
    return BorderSamples(z, z, np.asarray([], str), z, step_m / 1000.0, z)


def _stretches(sectors: Sequence[SectorData], line: BaseGeometry, step_m: float) -> BorderSamples:
    """Sample the whole line by geodesic km; each point to the sector owning its km."""
    c = np.asarray(line.coords)[:, :2]
    _, _, seg = Geod(ellps="WGS84").inv(c[:-1, 0], c[:-1, 1], c[1:, 0], c[1:, 1])
    cum = np.r_[0.0, np.cumsum(np.asarray(seg, float))]
    d = np.arange(step_m / 2, cum[-1], step_m)
    i = np.clip(np.searchsorted(cum, d, side="right") - 1, 0, len(seg) - 1)
    f = (d - cum[i]) / np.maximum(np.asarray(seg, float)[i], 1e-9)
    lon = c[i, 0] + f * (c[i + 1, 0] - c[i, 0])
    lat = c[i, 1] + f * (c[i + 1, 1] - c[i, 1])
    km = d / 1000.0
    owner = np.full(len(d), "", dtype=object)
    weight = np.zeros(len(d))
    for s in sectors:
        assert s.stretch_km is not None
        m = (km >= s.stretch_km[0]) & (km < s.stretch_km[1]) & (owner == "")
        owner[m] = s.id
        weight[m] = s.rate_weight
    keep = owner != ""
    if not keep.any():
        return _empty(step_m)
    return BorderSamples(
        lat[keep], lon[keep], owner[keep].astype(str), km[keep], step_m / 1000.0, weight[keep]
    )


def _squares(sectors: Sequence[SectorData], line: BaseGeometry, step_m: float) -> BorderSamples:
    """Sample the line inside each sector's square; overlaps go to the first sector."""
    from skywarden.geo import LocalFrame

    lats: list[FloatArray] = []
    lons: list[FloatArray] = []
    secs: list[str] = []
    kms: list[FloatArray] = []
    wts: list[FloatArray] = []
    taken: list[tuple[LocalFrame, float]] = []
    coords = np.asarray(line.coords)[:, :2]
    for s in sectors:
        if s.origin is None or s.extent_m is None:
            continue
        frame = LocalFrame(s.origin[0], s.origin[1], 0.0)
        x, y, _ = frame.to_enu(coords[:, 1], coords[:, 0], np.zeros(len(coords)))
        ext = s.extent_m
        clipped = LineString(np.c_[x, y]).intersection(box(-ext, -ext, ext, ext))
        km0 = 0.0
        for part in getattr(clipped, "geoms", [clipped]):
            if part.is_empty or part.length < step_m or part.geom_type != "LineString":
                continue
            d = np.arange(step_m / 2, part.length, step_m)
            pts = np.asarray([part.interpolate(v).coords[0] for v in d])
            la, lo, _ = frame.to_geodetic(pts[:, 0], pts[:, 1], np.zeros(len(pts)))
            la, lo = np.asarray(la, float), np.asarray(lo, float)
            keep = np.ones(len(la), bool)
            for f, e in taken:  # a point of an earlier sector's square is that sector's
                ox, oy, _ = f.to_enu(la, lo, np.zeros(len(la)))
                keep &= ~((np.abs(ox) <= e) & (np.abs(oy) <= e))
            lats.append(la[keep])
            lons.append(lo[keep])
            kms.append((km0 + d[keep]) / 1000.0)
            wts.append(np.full(int(keep.sum()), s.rate_weight))
            secs += [s.id] * int(keep.sum())
            km0 += part.length
        taken.append((frame, ext))
    if not lats:
        return _empty(step_m)
    return BorderSamples(
        np.concatenate(lats),
        np.concatenate(lons),
        np.asarray(secs, str),
        np.concatenate(kms),
        step_m / 1000.0,
        np.concatenate(wts),
    )


def owners(sectors: Sequence[SectorData], lat: FloatArray, lon: FloatArray) -> list[str] | None:
    """The sector owning the border stretch nearest each point (a month's stretches),
    or None without stretches: where a crossing is *attributed*, whichever sector's
    tracker saw it first."""
    from scipy.spatial import cKDTree

    stretched = [s for s in sectors if s.stretch_km is not None]
    if not stretched or len(lat) == 0:
        return None
    bs = _stretches(stretched, _line(), STEP_M)
    if len(bs) == 0:
        return None
    k = float(np.cos(np.radians(np.mean(bs.lat))))
    tree = cKDTree(np.c_[bs.lat, bs.lon * k])
    _, j = tree.query(np.c_[np.asarray(lat, float), np.asarray(lon, float) * k])
    return [str(bs.sector[i]) for i in np.atleast_1d(j)]


def _line() -> BaseGeometry:
    from skywarden import refdata

    return refdata.border_line()
