"""The FAA laser flight zones around an airport, built from the shipped runway data.

Why: whether a visible beam may reach a place depends on the zone it is in (see
:mod:`skywarden.laser.flight_zones`). AC 70-1B (chapter "Flight zones", Figure 1) and
FAA Order JO 7400.2 chapter 29 define them around each airport:

* laser-free zone (LFZ): the airspace up to 2,000 ft above ground within 2 NM of every
  runway centreline, plus an extension along each extended centreline, 2,500 ft either
  side of it, for a further 3 NM beyond the 2 NM boundary (so 5 NM from the runway end);
* critical zone (CFZ): within 10 NM of the airport reference point up to 10,000 ft AGL;
* sensitive zones (SFZ): designated case by case; here the plan's user zones.

Geometry is built with shapely 2 in a local East-North-Up frame (skywarden.geo), metres,
so buffers are true distances; heights are converted to metres MSL with the airport
elevation (AGL = above the airport elevation, as the FAA zones are drawn).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from skywarden.geo import M_PER_FT, M_PER_NM, LocalFrame
from skywarden.laser.flight_zones import FlightZone
from skywarden.refdata import airport, runways

LFZ_RADIUS_NM = 2.0
LFZ_EXTENSION_NM = 3.0
LFZ_EXTENSION_HALF_WIDTH_FT = 2500.0
LFZ_CEILING_FT_AGL = 2000.0
CFZ_RADIUS_NM = 10.0
CFZ_CEILING_FT_AGL = 10_000.0


@dataclass(frozen=True)
class ZoneArea:
    """One flight-zone volume: a polygon in a local ENU frame, floor/ceiling in m MSL."""

    name: str
    zone: FlightZone
    airport: str | None
    polygon: BaseGeometry
    floor_m: float
    ceiling_m: float
    frame: LocalFrame

    def contains_enu(self, x: np.ndarray, y: np.ndarray, alt_msl_m: np.ndarray) -> np.ndarray:
        """Vectorised: points (ENU x, y of the point at 0 m MSL; altitude m MSL) inside."""
        inside = shapely.contains_xy(self.polygon, x, y)
        return np.asarray(inside & (alt_msl_m >= self.floor_m) & (alt_msl_m <= self.ceiling_m))

    def lonlat_ring(self) -> list[tuple[float, float]]:
        """The exterior ring as (lon, lat) pairs, for maps and ``model.Zone``."""
        poly = self.polygon if isinstance(self.polygon, Polygon) else self.polygon.convex_hull
        xs, ys = np.asarray(poly.exterior.xy)
        lat, lon, _ = self.frame.to_geodetic(xs, ys, _msl_z(self.frame, xs, ys))
        return list(zip(lon.tolist(), lat.tolist(), strict=True))


EARTH_RADIUS_M = 6_371_000.0


def _msl_z(frame: LocalFrame, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ENU height of the sea-level surface below (x, y): polygons are drawn at 0 m MSL, so
    a vertex maps back to the same lat/lon (to well under a metre over 100 km)."""
    out: np.ndarray = -frame.alt0_m - (x**2 + y**2) / (2.0 * EARTH_RADIUS_M)
    return out


def _xy(frame: LocalFrame, lat: object, lon: object) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal ENU position of (lat, lon) at 0 m MSL: how every zone is drawn."""
    la, lo = np.asarray(lat, float), np.asarray(lon, float)
    x, y, _ = frame.to_enu(la, lo, np.zeros_like(la))
    return np.asarray(x), np.asarray(y)


def _extension(x0: float, y0: float, heading_deg: float) -> Polygon:
    """Rectangle from a runway end outward (against the landing heading) for 5 NM, +-2,500 ft."""
    hd = math.radians(heading_deg + 180.0)  # outward, away from the runway
    ux, uy = math.sin(hd), math.cos(hd)
    px, py = uy, -ux
    length = (LFZ_RADIUS_NM + LFZ_EXTENSION_NM) * M_PER_NM
    w = LFZ_EXTENSION_HALF_WIDTH_FT * M_PER_FT
    return Polygon(
        [
            (x0 + px * w, y0 + py * w),
            (x0 + px * w + ux * length, y0 + py * w + uy * length),
            (x0 - px * w + ux * length, y0 - py * w + uy * length),
            (x0 - px * w, y0 - py * w),
        ]
    )


def laser_free_zone(icao: str, frame: LocalFrame) -> ZoneArea:
    """The LFZ of one airport, from all its runways (AC 70-1B Figure 1)."""
    ap = airport(icao)
    parts: list[BaseGeometry] = []
    for rwy in runways(icao):
        a, b = rwy.ends
        xa, ya = (float(v) for v in _xy(frame, a.lat, a.lon))
        xb, yb = (float(v) for v in _xy(frame, b.lat, b.lon))
        parts.append(LineString([(xa, ya), (xb, yb)]).buffer(LFZ_RADIUS_NM * M_PER_NM, 64))
        # The approach to end ``a`` comes from beyond ``a``: extend outward from ``a``.
        parts.append(_extension(xa, ya, a.heading_true_deg))
        parts.append(_extension(xb, yb, b.heading_true_deg))
    if not parts:
        x, y = (float(v) for v in _xy(frame, ap.lat, ap.lon))
        parts.append(Point(x, y).buffer(LFZ_RADIUS_NM * M_PER_NM, 64))
    return ZoneArea(
        f"{icao} laser-free zone",
        FlightZone.LASER_FREE,
        icao,
        shapely.union_all(parts),
        -500.0,
        ap.elevation_m + LFZ_CEILING_FT_AGL * M_PER_FT,
        frame,
    )


def critical_zone(icao: str, frame: LocalFrame) -> ZoneArea:
    """The CFZ of one airport: 10 NM around the reference point, to 10,000 ft AGL."""
    ap = airport(icao)
    x, y = (float(v) for v in _xy(frame, ap.lat, ap.lon))
    return ZoneArea(
        f"{icao} critical zone",
        FlightZone.CRITICAL,
        icao,
        Point(x, y).buffer(CFZ_RADIUS_NM * M_PER_NM, 128),
        -500.0,
        ap.elevation_m + CFZ_CEILING_FT_AGL * M_PER_FT,
        frame,
    )


def sensitive_zone(
    name: str,
    lonlat: Sequence[tuple[float, float]],
    floor_m: float,
    ceiling_m: float,
    frame: LocalFrame,
) -> ZoneArea:
    """A user-designated sensitive flight zone from a (lon, lat) polygon."""
    lon = np.array([p[0] for p in lonlat], float)
    lat = np.array([p[1] for p in lonlat], float)
    x, y = _xy(frame, lat, lon)
    return ZoneArea(
        name, FlightZone.SENSITIVE, None, Polygon(zip(x, y, strict=True)), floor_m, ceiling_m, frame
    )


def airport_zones(airports: Iterable[str], frame: LocalFrame) -> list[ZoneArea]:
    """LFZ and CFZ of every airport named, in ``frame``."""
    out: list[ZoneArea] = []
    for icao in airports:
        out.append(laser_free_zone(icao, frame))
        out.append(critical_zone(icao, frame))
    return out
