"""Geodesy: WGS84 <-> a sector's local East-North-Up frame, geodesic distance and bearing.

The one module that knows the Earth's shape. Built on PROJ (pyproj): the ENU frame is
PROJ's ``topocentric`` conversion applied to geocentric (``cart``) coordinates, which is
exact on the ellipsoid (no flat-Earth or spherical approximation), and distances and
bearings are Karney's geodesics (``pyproj.Geod``).

Altitudes in skywarden are metres above mean sea level. The ENU frame treats them as
heights above the ellipsoid: the geoid separation (about -25 m around El Paso) is nearly
constant across a sector, so the error is a common vertical offset that cancels in a
round trip and between targets, and does not change horizontal positions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import overload

import numpy as np
import numpy.typing as npt
import pymap3d
from pyproj import Geod, Transformer

WGS84 = Geod(ellps="WGS84")

FT_PER_M = 1.0 / 0.3048
M_PER_FT = 0.3048
M_PER_NM = 1852.0
KT_TO_MS = M_PER_NM / 3600.0
FPM_TO_MS = M_PER_FT / 60.0  # feet per minute (vertical rate) to m/s

ArrayLike = float | Sequence[float] | npt.NDArray[np.float64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LocalFrame:
    """A local East-North-Up frame, metres, tangent to the ellipsoid at an origin.

    >>> f = LocalFrame(31.8, -106.4, 1200.0)
    >>> x, y, z = f.to_enu(31.81, -106.39, 1300.0)
    """

    lat0: float
    lon0: float
    alt0_m: float = 0.0

    @cached_property
    def _transformer(self) -> Transformer:
        pipeline = (
            "+proj=pipeline"
            " +step +proj=axisswap +order=2,1"
            " +step +proj=unitconvert +xy_in=deg +xy_out=rad"
            " +step +proj=cart +ellps=WGS84"
            f" +step +proj=topocentric +ellps=WGS84 +lat_0={self.lat0!r}"
            f" +lon_0={self.lon0!r} +h_0={self.alt0_m!r}"
        )
        return Transformer.from_pipeline(pipeline)

    @overload
    def to_enu(self, lat: float, lon: float, alt_m: float) -> tuple[float, float, float]: ...
    @overload
    def to_enu(
        self, lat: FloatArray, lon: FloatArray, alt_m: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]: ...

    def to_enu(self, lat, lon, alt_m):  # type: ignore[no-untyped-def]
        """Geographic (deg, deg, m) to ENU metres; scalars in, scalars out; arrays vectorised."""
        x, y, z = self._transformer.transform(lat, lon, alt_m)
        return x, y, z

    @overload
    def to_geodetic(self, x: float, y: float, z: float) -> tuple[float, float, float]: ...
    @overload
    def to_geodetic(
        self, x: FloatArray, y: FloatArray, z: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]: ...

    def to_geodetic(self, x, y, z):  # type: ignore[no-untyped-def]
        """ENU metres to geographic (lat deg, lon deg, alt m)."""
        lat, lon, alt = self._transformer.transform(x, y, z, direction="INVERSE")
        return lat, lon, alt

    @cached_property
    def _origin_trig(self) -> tuple[np.float64, np.float64, np.float64, np.float64]:
        """cos and sin of the origin's latitude and longitude, computed once, as
        pymap3d computes them on every call (numpy on the degrees turned to radians)."""
        lat0, lon0 = np.radians(self.lat0), np.radians(self.lon0)
        return np.cos(lat0), np.sin(lat0), np.cos(lon0), np.sin(lon0)

    def vectors_to_frame(self, lat: FloatArray, lon: FloatArray, v: FloatArray) -> FloatArray:
        """(m, 3) vectors given in the East-North-Up axes at each point (lat, lon) turned
        into this frame's axes. A velocity's "up" 400 km from the origin leans 3.6 degrees
        off the frame's: unturned, 220 m/s of cruise reads as 14 m/s of climb.

        Each point's own rotation is pymap3d's ``enu2uvw``; the origin's (``uvw2enu``)
        is pymap3d's arithmetic term for term on the origin's cached cos and sin: the
        same numbers without four trigonometric calls per call."""
        u, w, z = pymap3d.enu2uvw(v[:, 0], v[:, 1], v[:, 2], lat, lon)
        clat, slat, clon, slon = self._origin_trig
        t = clon * u + slon * w
        east = -slon * u + clon * w
        up = clat * t + slat * z
        north = -slat * t + clat * z
        return np.stack([east, north, up], axis=1)

    def vectors_from_frame(self, lat: FloatArray, lon: FloatArray, v: FloatArray) -> FloatArray:
        """The inverse of :meth:`vectors_to_frame`: frame axes to each point's own ENU
        (the origin's rotation as pymap3d's ``enu2uvw``, term for term, cached trig)."""
        clat, slat, clon, slon = self._origin_trig
        e, n, up = v[:, 0], v[:, 1], v[:, 2]
        t = clat * up - slat * n
        z = slat * up + clat * n
        u = clon * t - slon * e
        w = slon * t + clon * e
        e2, n2, up2 = pymap3d.uvw2enu(u, w, z, lat, lon)
        return np.stack([e2, n2, up2], axis=1)

    def to_dict(self) -> dict[str, float]:
        return {"lat": self.lat0, "lon": self.lon0, "alt_m": self.alt0_m}


@overload
def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float: ...
@overload
def distance_m(
    lat1: FloatArray | float, lon1: FloatArray | float, lat2: FloatArray, lon2: FloatArray
) -> FloatArray: ...
@overload
def distance_m(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray | float, lon2: FloatArray | float
) -> FloatArray: ...


def distance_m(lat1, lon1, lat2, lon2):  # type: ignore[no-untyped-def]
    """Geodesic distance on WGS84 in metres (vectorised: arrays in, array out)."""
    _, _, d = WGS84.inv(lon1, lat1, lon2, lat2)
    return d


@overload
def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float: ...
@overload
def bearing_deg(
    lat1: FloatArray | float, lon1: FloatArray | float, lat2: FloatArray, lon2: FloatArray
) -> FloatArray: ...
@overload
def bearing_deg(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray | float, lon2: FloatArray | float
) -> FloatArray: ...


def bearing_deg(lat1, lon1, lat2, lon2):  # type: ignore[no-untyped-def]
    """Initial true bearing from point 1 to point 2, degrees clockwise from north, [0, 360)."""
    az, _, _ = WGS84.inv(lon1, lat1, lon2, lat2)
    return float(az % 360.0) if np.ndim(az) == 0 else np.mod(az, 360.0)


@overload
def destination(lat: float, lon: float, bearing: float, dist_m: float) -> tuple[float, float]: ...  # type: ignore[overload-overlap]
@overload
def destination(
    lat: FloatArray | float,
    lon: FloatArray | float,
    bearing: FloatArray | float,
    dist_m: FloatArray | float,
) -> tuple[FloatArray, FloatArray]: ...


def destination(lat, lon, bearing, dist_m):  # type: ignore[no-untyped-def]
    """The point ``dist_m`` away along the geodesic with initial ``bearing`` (deg)."""
    lon2, lat2, _ = WGS84.fwd(lon, lat, bearing, dist_m)
    return lat2, lon2


def line_length_m(lons: Sequence[float], lats: Sequence[float]) -> float:
    """Geodesic length of a polyline given as lon/lat sequences, metres."""
    return float(WGS84.line_length(lons, lats))


def enu_to_bearing_elevation(
    dx: ArrayLike, dy: ArrayLike, dz: ArrayLike
) -> tuple[ArrayLike, ArrayLike, ArrayLike]:
    """Range (m), bearing (deg from north) and elevation (deg) of an ENU offset."""
    dx, dy, dz = np.asarray(dx), np.asarray(dy), np.asarray(dz)
    horiz = np.hypot(dx, dy)
    rng = np.hypot(horiz, dz)
    brg = np.mod(np.degrees(np.arctan2(dx, dy)), 360.0)
    elev = np.degrees(np.arctan2(dz, horiz))
    return rng, brg, elev


def horizontal_sigma_m(cov: Sequence[Sequence[float]]) -> float:
    """The 1-sigma position error along the long axis of the east-north ellipse of a
    covariance whose first two rows and columns are east and north (m^2): how well a
    track knows where it is, whichever way it is unsure."""
    a, b, c = float(cov[0][0]), float(cov[0][1]), float(cov[1][1])
    # plain floats: the store calls this for every track update it commits
    return math.sqrt(max((a + c) / 2.0 + math.hypot((a - c) / 2.0, b), 0.0))
