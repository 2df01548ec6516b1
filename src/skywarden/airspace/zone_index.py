"""Vectorised point-in-zone tests for many tracks at once, in the sector's ENU frame.

A track update stream at 10,000 tracks per second cannot afford a Python loop over points.
The zones' ENU polygons sit in a shapely 2 ``STRtree``; one bulk query gives the
(point, zone) pairs whose bounding boxes overlap, then one vectorised, prepared
``contains_xy`` call and numpy comparisons against the floor, the ceiling and, for runway
corridors, the sloped 3 degree ceiling (``attrs["glide"]``, see :mod:`.zones`) keep the
pairs that are really inside.
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

    def __init__(self, frame: LocalFrame, zones: Sequence[Zone]) -> None:
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
        pts = shapely.points(x, y)
        pi, zi = self.tree.query(pts)
        if len(pi) == 0:
            return pi.astype(np.intp), zi.astype(np.intp)
        zp = z[pi]
        keep = (zp >= self.floor[zi]) & (zp <= self.ceiling[zi])
        pi, zi = pi[keep], zi[keep]
        inside = shapely.contains_xy(self.polygons[zi], x[pi], y[pi])
        pi, zi = pi[inside], zi[inside]
        sloped = ~np.isnan(self.g_tan[zi])
        if sloped.any():
            ok = z[pi] <= self.ceiling_at(zi, x[pi], y[pi])
            pi, zi = pi[ok], zi[ok]
        order = np.argsort(pi, kind="stable")
        return pi[order].astype(np.intp), zi[order].astype(np.intp)

    def membership_matrix(self, x: FloatArray, y: FloatArray, z: FloatArray) -> np.ndarray:
        """Boolean (points x zones) matrix of the same test, for small inputs and tests."""
        m = np.zeros((len(np.atleast_1d(x)), len(self.zones)), dtype=bool)
        pi, zi = self.memberships(np.atleast_1d(x), np.atleast_1d(y), np.atleast_1d(z))
        m[pi, zi] = True
        return m
