"""The sector's geography in map coordinates: border, countries, airports and runways.

Built once per run from the reference data (``skywarden.refdata``). Which country a
point lies in comes from the shipped Natural Earth land polygons of the United States
and Mexico (``countries_us_mx.geojson``), projected to the sector's ENU frame: a point
over neither (the Pacific, the Gulf of Mexico) is at sea. This works wherever the
sector sits on the border, including where the line ends at either coast; splitting a
square with the line did not, because there the line ends inside the square.

The polygons are simplified to 0.002 deg (up to ~200 m off the border line), so within
``BORDER_BAND_M`` of the line the line itself decides the side of a land point (the
side of its nearest segment: the border runs west to east with the United States on
its left). That keeps "which country" consistent with the line the crossing detectors
use. A user's own border file (``sector.border_file``) decides the side everywhere on
land, since it may differ from the shipped line by more than the band.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString, MultiLineString, box
from shapely.geometry.base import BaseGeometry

from skywarden import refdata
from skywarden.errors import SkywardenError
from skywarden.geo import LocalFrame
from skywarden.refdata import Airport, Runway

FloatArray = npt.NDArray[np.float64]
SideArray = npt.NDArray[np.int8]


MESA_RADIUS_M = 4000.0

#: Within this distance of the border line, the line (not the simplified polygons)
#: decides the country of a land point. Five times the polygons' 0.002 deg (~200 m)
#: simplification, so the two never disagree beyond it.
BORDER_BAND_M = 1000.0

#: ``Geography.side`` values.
MEXICO, SEA, US = -1, 0, 1

#: How far around the sector the border and countries are kept (m beyond extent_m):
#: traffic launched near the edge of the sector may start outside it.
PAD_M = 60_000.0


class GeographyError(SkywardenError, ValueError):
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
        self.own_border = border is not None
        self.border_lonlat = border if border is not None else refdata.border_line()
        pad = extent_m + PAD_M
        self._big = box(-pad, -pad, pad, pad)
        lon, lat = np.asarray(self.border_lonlat.xy)
        x, y, _ = frame.to_enu(lat, lon, np.zeros_like(lat))
        clipped = LineString(np.column_stack([x, y])).intersection(self._big)
        self._near_line = clipped
        segs = np.array(self._segments(clipped)) if not clipped.is_empty else np.zeros((0, 2, 2))
        self._seg = segs.reshape(-1, 2, 2)
        self._seg_tree = shapely.STRtree(shapely.linestrings(self._seg))
        self.mexico_land = self._country("MEX")
        self.us_land = self._country("USA")
        sector = box(-extent_m, -extent_m, extent_m, extent_m)
        self.border_xy: BaseGeometry = (
            clipped.intersection(sector) if not clipped.is_empty else LineString()
        )
        #: Kept for callers of the old name: Mexico's land around the sector, or None.
        self.mexico: BaseGeometry | None = (
            self.mexico_land if not self.mexico_land.is_empty else None
        )
        self._airports = {icao: refdata.airport(icao) for icao in airports}
        ap_xy = [self.airport_xy(icao) for icao in airports]
        self._mesa_xy = np.array(ap_xy).reshape(-1, 2)
        self._mesa_dz = np.array([self._airports[i].elevation_m - ground_alt_m for i in airports])
        self.runways: dict[str, list[Runway]] = {icao: refdata.runways(icao) for icao in airports}

    def _country(self, a3: str) -> BaseGeometry:
        """A country's shipped land polygon in map metres, clipped around the sector."""
        b = self._big.bounds
        cx = np.array([b[0], b[2], b[2], b[0], 0.0, b[0], b[2], 0.0])
        cy = np.array([b[1], b[1], b[3], b[3], b[1], 0.0, 0.0, b[3]])
        lat, lon, _ = self.frame.to_geodetic(cx, cy, np.zeros_like(cx))
        margin = 0.05  # degrees: the square's edges are not parallels or meridians
        window = box(
            float(np.min(lon)) - margin,
            float(np.min(lat)) - margin,
            float(np.max(lon)) + margin,
            float(np.max(lat)) + margin,
        )
        poly = refdata.countries().get(a3)
        if poly is None:
            return shapely.Polygon()
        near = poly.intersection(window)
        if near.is_empty:
            return near

        def to_xy(c: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            ex, ny, _ = self.frame.to_enu(c[:, 1], c[:, 0], np.zeros(len(c)))
            return np.column_stack([ex, ny])

        out = shapely.transform(near, to_xy).intersection(self._big)
        shapely.prepare(out)
        return out

    @property
    def has_border(self) -> bool:
        """Whether the border crosses the sector with land on both sides of it there."""
        if self.border_xy.is_empty:
            return False
        sector = box(-self.extent_m, -self.extent_m, self.extent_m, self.extent_m)
        return self.mexico_land.intersects(sector) and self.us_land.intersects(sector)

    @staticmethod
    def _segments(line: BaseGeometry) -> list[tuple[tuple[float, float], ...]]:
        parts = getattr(line, "geoms", [line])
        out: list[tuple[tuple[float, float], ...]] = []
        for part in parts:
            if isinstance(part, LineString):
                out.extend(itertools.pairwise(part.coords))
        return out

    # ---------------------------------------------------------------- queries

    def side(self, x: FloatArray | float, y: FloatArray | float) -> SideArray:
        """Vectorised: ``US`` (1), ``MEXICO`` (-1) or ``SEA`` (0) under map points (x, y).

        Land comes from the country polygons; near the line (``BORDER_BAND_M``), or
        anywhere with a user's own border, the side of the nearest border segment decides
        the country of a land point.
        """
        xa, ya = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        in_mx = shapely.contains_xy(self.mexico_land, xa, ya)
        in_us = shapely.contains_xy(self.us_land, xa, ya)
        out = np.where(in_mx, MEXICO, np.where(in_us, US, SEA)).astype(np.int8)
        land = in_mx | in_us
        if len(self._seg) and land.any():
            pts = shapely.points(xa[land], ya[land])
            (qi, si), dist = self._seg_tree.query_nearest(
                pts, return_distance=True, all_matches=False
            )
            px, py = xa[land][qi], ya[land][qi]
            by_line = np.where(self._left_of_line(si, px, py), US, MEXICO).astype(np.int8)
            use = np.ones(len(qi), dtype=bool) if self.own_border else dist < BORDER_BAND_M
            sub = out[land]
            sub[qi[use]] = by_line[use]
            out[land] = sub
        return out

    def _left_of_line(
        self, si: npt.NDArray[np.intp], px: FloatArray, py: FloatArray
    ) -> npt.NDArray[np.bool_]:
        """Whether each point lies left of the line (the US side), given its nearest
        segment ``si``.

        Left of the nearest segment, except where the nearest point of the line is a
        vertex: there the segment's extension can point the wrong way (a point 940 m
        south of a sharp bend of the Rio Grande, inside Mexico's polygon, was called the
        US). At a vertex the left side is the wedge left of both segments when the line
        turns left, and left of either when it turns right.
        """
        seg = self._seg[si]
        a, b = seg[:, 0], seg[:, 1]
        d = b - a
        rel = np.column_stack([px, py]) - a
        left = d[:, 0] * rel[:, 1] - d[:, 1] * rel[:, 0] > 0
        t = (rel * d).sum(axis=1) / np.maximum((d * d).sum(axis=1), 1e-12)
        n = len(self._seg)
        for end, step in ((t <= 0.0, -1), (t >= 1.0, 1)):
            other = np.clip(si + step, 0, n - 1)
            v = 0 if step < 0 else 1
            vertex = seg[:, v]
            joined = end & (other != si) & np.all(self._seg[other][:, 1 - v] == vertex, axis=1)
            if not joined.any():
                continue
            j = np.flatnonzero(joined)
            d_in = d[j] if step > 0 else self._seg[other[j], 1] - self._seg[other[j], 0]
            d_out = self._seg[other[j], 1] - self._seg[other[j], 0] if step > 0 else d[j]
            r = np.column_stack([px[j], py[j]]) - vertex[j]
            c_in = d_in[:, 0] * r[:, 1] - d_in[:, 1] * r[:, 0] > 0
            c_out = d_out[:, 0] * r[:, 1] - d_out[:, 1] * r[:, 0] > 0
            turns_left = d_in[:, 0] * d_out[:, 1] - d_in[:, 1] * d_out[:, 0] > 0
            left[j] = np.where(turns_left, c_in & c_out, c_in | c_out)
        return left

    def in_mexico(self, x: FloatArray, y: FloatArray) -> npt.NDArray[np.bool_]:
        """Vectorised: which of the points (map x, y) lie over Mexican land."""
        return np.asarray(self.side(x, y) == MEXICO)

    def in_us(self, x: FloatArray | float, y: FloatArray | float) -> npt.NDArray[np.bool_]:
        """Vectorised: which of the points (map x, y) lie over US land."""
        return np.asarray(self.side(x, y) == US)

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

    def border_fraction(self, x: float, y: float) -> float:
        """The fraction of the in-sector border (``border_point``'s ``s``) nearest (x, y)."""
        return float(self._border_line.project(shapely.Point(x, y), normalized=True))

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
