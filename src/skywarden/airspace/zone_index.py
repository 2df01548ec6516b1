"""Vectorised point-in-zone tests for many tracks at once, in the sector's ENU frame.

A track update stream at 10,000 tracks per second cannot afford a Python loop over points.
The zones' ENU polygons sit in a shapely 2 ``STRtree``, which at construction marks every
cell of a regular grid (500 m) as inside, on the boundary of, or outside each zone. A
point's candidate zones are then an array lookup: cells wholly inside a zone need no
geometry; points in boundary cells get one vectorised, prepared ``contains_xy`` call.
Numpy comparisons against the floor, the ceiling and, for runway corridors, the sloped
3 degree ceiling (``attrs["glide"]``, see :mod:`.zones`) finish the test. Creating a
shapely Point per update (what an STRtree query on points needs) costs more than all of
this together; ``bench/airspace.py`` runs both side by side.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import shapely

from skywarden.airspace.zones import zone_polygon_enu
from skywarden.geo import LocalFrame
from skywarden.model import Zone

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


class ZoneIndex:
    """Zones of a sector, ready for bulk membership tests of ENU points."""

    max_cell_entries = 20_000_000

    def __init__(self, frame: LocalFrame, zones: Sequence[Zone], cell_m: float = 500.0) -> None:
        self.frame = frame
        self.zones = list(zones)
        self.ids = [z.id for z in self.zones]
        self.polygons = np.array([zone_polygon_enu(frame, z) for z in self.zones], dtype=object)
        shapely.prepare(self.polygons)
        self.tree = shapely.STRtree(self.polygons)
        n = len(self.zones)
        self.floor = np.array([z.floor_m for z in self.zones], dtype=float)
        self.ceiling = np.array([z.ceiling_m for z in self.zones], dtype=float)
        # Sloped ceiling of corridors: ceiling(a) = base + a * tan(slope) + buffer, where a
        # is the distance along ``out`` from ``origin``; NaN slope means a flat ceiling.
        self.g_origin = np.zeros((n, 2))
        self.g_out = np.zeros((n, 2))
        self.g_base = np.zeros(n)
        self.g_tan = np.full(n, np.nan)
        self.g_buffer = np.zeros(n)
        for k, z in enumerate(self.zones):
            g = z.attrs.get("glide") if z.attrs else None
            if not g:
                continue
            ox, oy, _ = frame.to_enu(float(g["lat"]), float(g["lon"]), 0.0)
            b = math.radians(float(g["bearing_deg"]))
            self.g_origin[k] = (ox, oy)
            self.g_out[k] = (math.sin(b), math.cos(b))
            self.g_base[k] = float(g["base_elev_m"])
            self.g_tan[k] = math.tan(math.radians(float(g["slope_deg"])))
            self.g_buffer[k] = float(g["buffer_m"])
        self._buffered: dict[float, np.ndarray] = {}
        if n:
            self._build_grid(cell_m)

    def __len__(self) -> int:
        return len(self.zones)

    def along(self, zone: IntArray, x: FloatArray, y: FloatArray) -> FloatArray:
        """Distance (m) along a corridor's outward axis from its origin (threshold/end)."""
        dx = x - self.g_origin[zone, 0]
        dy = y - self.g_origin[zone, 1]
        return dx * self.g_out[zone, 0] + dy * self.g_out[zone, 1]

    def ceiling_at(self, zone: IntArray, x: FloatArray, y: FloatArray) -> FloatArray:
        """The ceiling (m MSL) of each zone at each point: flat or along the glide path."""
        sloped = ~np.isnan(self.g_tan[zone])
        out = self.ceiling[zone].astype(float)
        if sloped.any():
            zs = zone[sloped]
            a = np.maximum(self.along(zs, x[sloped], y[sloped]), 0.0)
            out[sloped] = np.minimum(
                self.g_base[zs] + a * self.g_tan[zs] + self.g_buffer[zs], self.ceiling[zs]
            )
        return out

    def _build_grid(self, cell_m: float) -> None:
        """Cells of ``cell_m`` over all zones, each marked per zone: wholly inside the zone's
        polygon (no test needed), touching its boundary (exact test), or outside.

        Built once with the STRtree (cells x zones); afterwards a point's candidate zones
        are one integer division and one array lookup away.
        """
        n = len(self.zones)
        b = shapely.bounds(self.polygons)
        lo = np.array([b[:, 0].min(), b[:, 1].min()])
        hi = np.array([b[:, 2].max(), b[:, 3].max()])
        # Zones spread over a very large area get coarser cells (at most ~1M cells x zones
        # entries), so memory stays bounded; boundary cells then just need more tests.
        cell_m = max(cell_m, float(np.sqrt(np.prod(hi - lo) * n / self.max_cell_entries)))
        self.g0 = lo - cell_m
        span = hi + cell_m - self.g0
        self.cell_m = cell_m
        self.nx, self.ny = (np.ceil(span / cell_m).astype(int) + 1).tolist()
        ix, iy = np.meshgrid(np.arange(self.nx), np.arange(self.ny), indexing="ij")
        x0 = self.g0[0] + ix.ravel() * cell_m
        y0 = self.g0[1] + iy.ravel() * cell_m
        cells = shapely.box(x0, y0, x0 + cell_m, y0 + cell_m)
        ci, zi = self.tree.query(cells, predicate="intersects")
        inner = shapely.contains_properly(self.polygons[zi], cells[ci])
        self.inside_cell = np.zeros((len(cells), n), dtype=bool)
        self.edge_cell = np.zeros((len(cells), n), dtype=bool)
        self.inside_cell[ci[inner], zi[inner]] = True
        self.edge_cell[ci[~inner], zi[~inner]] = True

    def _candidates(self, x: FloatArray, y: FloatArray) -> tuple[IntArray, IntArray, np.ndarray]:
        """(point, zone, needs exact test) candidates from the cell grid."""
        ix = np.floor((x - self.g0[0]) / self.cell_m).astype(np.intp)
        iy = np.floor((y - self.g0[1]) / self.cell_m).astype(np.intp)
        on = ((ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)).nonzero()[0]
        cell = ix[on] * self.ny + iy[on]
        a_p, a_z = self.inside_cell[cell].nonzero()
        e_p, e_z = self.edge_cell[cell].nonzero()
        pi = np.concatenate([on[a_p], on[e_p]]).astype(np.intp)
        zi = np.concatenate([a_z, e_z]).astype(np.intp)
        exact = np.concatenate([np.zeros(len(a_p), bool), np.ones(len(e_p), bool)])
        return pi, zi, exact

    def memberships(self, x: FloatArray, y: FloatArray, z: FloatArray) -> tuple[IntArray, IntArray]:
        """(point index, zone index) pairs for every point inside every zone's volume.

        Pairs come sorted by point index. Works on any number of points in one call.
        """
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        z = np.asarray(z, dtype=float)
        if len(x) == 0 or not self.zones:
            empty = np.zeros(0, dtype=np.intp)
            return empty, empty
        pi, zi, exact = self._candidates(x, y)
        if len(pi) == 0:
            return pi, zi
        zp = z[pi]
        keep = (zp >= self.floor[zi]) & (zp <= self.ceiling[zi])
        pi, zi, exact = pi[keep], zi[keep], exact[keep]
        if exact.any():
            inside = np.ones(len(pi), dtype=bool)
            inside[exact] = shapely.contains_xy(
                self.polygons[zi[exact]], x[pi[exact]], y[pi[exact]]
            )
            pi, zi = pi[inside], zi[inside]
        sloped = ~np.isnan(self.g_tan[zi])
        if sloped.any():
            ok = z[pi] <= self.ceiling_at(zi, x[pi], y[pi])
            pi, zi = pi[ok], zi[ok]
        order = np.argsort(pi, kind="stable")
        return pi[order].astype(np.intp), zi[order].astype(np.intp)

    def near(
        self, zone: IntArray, x: FloatArray, y: FloatArray, z: FloatArray, margin_m: float
    ) -> np.ndarray:
        """Whether each point is within ``margin_m`` of its zone's volume (pairwise)."""
        if len(zone) == 0:
            return np.zeros(0, dtype=bool)
        if margin_m not in self._buffered:
            grown_polys = shapely.buffer(self.polygons, margin_m, quad_segs=4)
            shapely.prepare(grown_polys)
            self._buffered[margin_m] = grown_polys
        polys = self._buffered[margin_m]
        vert = (z >= self.floor[zone] - margin_m) & (z <= self.ceiling_at(zone, x, y) + margin_m)
        out = np.zeros(len(zone), dtype=bool)
        k = vert.nonzero()[0]
        out[k] = shapely.contains_xy(polys[zone[k]], x[k], y[k])
        return out

    def membership_matrix(self, x: FloatArray, y: FloatArray, z: FloatArray) -> np.ndarray:
        """Boolean (points x zones) matrix of the same test, for small inputs and tests."""
        m = np.zeros((len(np.atleast_1d(x)), len(self.zones)), dtype=bool)
        pi, zi = self.memberships(np.atleast_1d(x), np.atleast_1d(y), np.atleast_1d(z))
        m[pi, zi] = True
        return m
