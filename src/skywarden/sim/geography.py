"""The sector's geography in map coordinates: border, sides of it, airports and runways.

Built once per run from the reference data (``skywarden.refdata``): the US-Mexico border
is converted to the sector's ENU frame and clipped to a padded square around it; the
square is split along the border so "which country is this point over" is one
vectorised polygon test (``shapely.contains_xy``). The border runs west to east with
the United States on its left, so the left-hand normal of a border segment points north
into the US.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString, MultiLineString, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import split

from skywarden import refdata
from skywarden.geo import LocalFrame
from skywarden.refdata import Airport, Runway

FloatArray = npt.NDArray[np.float64]


MESA_RADIUS_M = 4000.0


class GeographyError(ValueError):
    """The border does not cross the sector, or an airport/runway named is unknown."""


@dataclass(frozen=True)
class RunwayEndMap:
    """A runway end in map coordinates: threshold (x, y), elevation, true heading."""

    airport: str
    ident: str
    x: float
    y: float
    elevation_m: float
    heading_deg: float


class Geography:
    """What the traffic generators and the crossing counter need to know about the ground."""

    def __init__(
        self,
        frame: LocalFrame,
        extent_m: float,
        ground_alt_m: float,
        airports: list[str],
        border: LineString | None = None,
    ) -> None:
        self.frame = frame
        self.extent_m = extent_m
        self.ground_alt_m = ground_alt_m
        self.border_lonlat = border if border is not None else refdata.border_line()
        self.mexico: BaseGeometry | None = None
        self.border_xy: BaseGeometry = LineString()
        pad = extent_m + 60_000.0
        lon, lat = np.asarray(self.border_lonlat.xy)
        x, y, _ = frame.to_enu(lat, lon, np.zeros_like(lat))
        big = box(-pad, -pad, pad, pad)
        clipped = LineString(np.column_stack([x, y])).intersection(big)
        polys = (
            [g for g in split(big, clipped).geoms if isinstance(g, Polygon)]
            if not clipped.is_empty
            else []
        )
        if len(polys) >= 2:  # the border cuts across: a sector on the border
            south = [p for p in polys if self._right_of(clipped, p.representative_point())]
            self.mexico = shapely.union_all(south)
            shapely.prepare(self.mexico)
            self.border_xy = clipped.intersection(box(-extent_m, -extent_m, extent_m, extent_m))
        self._airports = {icao: refdata.airport(icao) for icao in airports}
        ap_xy = [self.airport_xy(icao) for icao in airports]
        self._mesa_xy = np.array(ap_xy).reshape(-1, 2)
        self._mesa_dz = np.array([self._airports[i].elevation_m - ground_alt_m for i in airports])
        self.runways: dict[str, list[Runway]] = {icao: refdata.runways(icao) for icao in airports}

    @classmethod
    def _right_of(cls, line: BaseGeometry, pt: shapely.Point) -> bool:
        """Whether ``pt`` lies right of the nearest border segment (the Mexican side)."""
        best, side = float("inf"), False
        for (x0, y0), (x1, y1) in cls._segments(line):
            seg = LineString([(x0, y0), (x1, y1)])
            d = seg.distance(pt)
            if d < best:
                best = d
                side = (x1 - x0) * (pt.y - y0) - (y1 - y0) * (pt.x - x0) < 0
        return side

    @property
    def has_border(self) -> bool:
        """Whether the border crosses the sector (needed by cross-border traffic)."""
        return self.mexico is not None and not self.border_xy.is_empty

    @staticmethod
    def _segments(line: LineString | MultiLineString) -> list[tuple[tuple[float, float], ...]]:
        parts = line.geoms if isinstance(line, MultiLineString) else [line]
        out: list[tuple[tuple[float, float], ...]] = []
        for part in parts:
            out.extend(itertools.pairwise(part.coords))
        return out

    # ---------------------------------------------------------------- queries

    def in_mexico(self, x: FloatArray, y: FloatArray) -> npt.NDArray[np.bool_]:
        """Vectorised: which of the points (map x, y) lie south of the border."""
        if self.mexico is None:
            return np.zeros(np.shape(x), dtype=bool)
        return shapely.contains_xy(self.mexico, x, y)

    @cached_property
    def _border_line(self) -> LineString:
        g = self.border_xy
        if not self.has_border:
            raise GeographyError("the border does not cross the sector")
        if isinstance(g, MultiLineString):
            g = max(g.geoms, key=lambda p: p.length)
        if not isinstance(g, LineString) or g.is_empty:
            raise GeographyError("no stretch of border inside the sector")
        return g

    @property
    def border_length_m(self) -> float:
        return float(self._border_line.length)

    def border_point(self, s: float) -> tuple[float, float, float, float]:
        """Point at fraction ``s`` of the in-sector border, and the unit normal into the US.

        Returns (x, y, nx, ny).
        """
        line = self._border_line
        d = float(np.clip(s, 0.0, 1.0)) * line.length
        p = line.interpolate(d)
        a = line.interpolate(max(d - 50.0, 0.0))
        b = line.interpolate(min(d + 50.0, line.length))
        tx, ty = b.x - a.x, b.y - a.y
        n = float(np.hypot(tx, ty)) or 1.0
        return float(p.x), float(p.y), -ty / n, tx / n

    def ground_at(self, x: FloatArray | float, y: FloatArray | float) -> FloatArray:
        """Ground altitude (m MSL) under map points: a crude terrain without a DEM.

        The sector floor is ``ground_alt_m``; each airport raises it to its published
        elevation under a Gaussian bump of ``MESA_RADIUS_M``, the highest bump winning
        (El Paso's airports sit 50-60 m above the river on the mesa). Enough to keep
        drones near a runway above it; not a terrain model for line of sight.
        """
        xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        rise = np.zeros(np.broadcast(xa, ya).shape)
        for (ax, ay), dz in zip(self._mesa_xy, self._mesa_dz, strict=True):
            bump = dz * np.exp(-((xa - ax) ** 2 + (ya - ay) ** 2) / MESA_RADIUS_M**2)
            rise = np.maximum(rise, bump)  # neighbouring airports share a mesa, not stack
        return self.ground_alt_m + rise

    def airport(self, icao: str) -> Airport:
        return self._airports[icao]

    def airport_xy(self, icao: str) -> tuple[float, float]:
        a = self._airports[icao]
        x, y, _ = self.frame.to_enu(a.lat, a.lon, a.elevation_m)
        return float(x), float(y)

    def runway_end(self, icao: str, ident: str) -> RunwayEndMap:
        """A runway end by designator (``"26L"``), as a landing threshold in map terms."""
        for rw in self.runways.get(icao, []):
            for e in rw.ends:
                if e.ident == ident:
                    x, y, _ = self.frame.to_enu(e.lat, e.lon, e.elevation_m)
                    return RunwayEndMap(
                        icao, ident, float(x), float(y), e.elevation_m, e.heading_true_deg
                    )
        raise GeographyError(f"{icao} has no runway end {ident!r}")
