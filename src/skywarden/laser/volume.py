"""The laser's hazard volume: a spherical wedge from the site, as far as the beam is a hazard.

Why: what airspace a counter-drone laser can hurt is not a circle around the site but
the set of directions it may fire in (its fan: azimuth limits and minimum/maximum
elevation, the beam-control limits of an outdoor laser under ANSI Z136.6) out to the
range at which the beam falls below the relevant limit, or to a backstop or range
limit that terminates it.
The volume lives in an East-North-Up frame centred on the site (skywarden.geo), where a
beam is a straight line; aircraft are brought into that frame exactly (both ENU frames
are rigid transforms of Earth-centred coordinates), so Earth curvature is accounted for.

Containment tests are vectorised over arrays of points; ``margin_m`` inflates the volume
by at least that distance (range, azimuth and elevation limits all widened), which the
hold-fire logic uses for pointing error and for the gaps between look-ahead samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
from shapely.geometry import Polygon

from skywarden.geo import LocalFrame
from skywarden.laser.mpe import LaserInputError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Fan:
    """Firing limits: azimuth clockwise from ``azimuth_from_deg`` to ``azimuth_to_deg`` (true),
    elevation between ``elevation_min_deg`` and ``elevation_max_deg`` above the horizontal."""

    azimuth_from_deg: float
    azimuth_to_deg: float
    elevation_min_deg: float
    elevation_max_deg: float

    def __post_init__(self) -> None:
        for name in ("azimuth_from_deg", "azimuth_to_deg"):
            v = float(getattr(self, name))
            if not math.isfinite(v) or not 0.0 <= v <= 360.0:
                raise LaserInputError(f"fan.{name}", f"{v!r} outside [0, 360]")
        lo, hi = float(self.elevation_min_deg), float(self.elevation_max_deg)
        if not (math.isfinite(lo) and math.isfinite(hi)) or not -90.0 <= lo < hi <= 90.0:
            raise LaserInputError(
                "fan.elevation_max_deg", f"need -90 <= min ({lo}) < max ({hi}) <= 90"
            )

    @property
    def width_deg(self) -> float:
        w = (self.azimuth_to_deg - self.azimuth_from_deg) % 360.0
        return 360.0 if w == 0.0 else w

    @property
    def centre_deg(self) -> float:
        return (self.azimuth_from_deg + self.width_deg / 2.0) % 360.0

    def contains_azimuth(
        self, az_deg: FloatArray, margin_deg: FloatArray | float = 0.0
    ) -> BoolArray:
        """Azimuths (deg) inside the fan widened by ``margin_deg`` each side (vectorised)."""
        off = np.mod(np.asarray(az_deg) - self.azimuth_from_deg + margin_deg, 360.0)
        out: BoolArray = off <= self.width_deg + 2.0 * np.asarray(margin_deg)
        return out


@dataclass(frozen=True)
class HazardVolume:
    """The wedge of airspace within ``range_m`` of the site inside the fan.

    ``range_m`` is already the smaller of the hazard distance and any range limit or
    backstop (see :meth:`LaserPlan.volume`).
    """

    site_lat: float
    site_lon: float
    site_alt_m: float
    fan: Fan
    range_m: float
    frame: LocalFrame = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not math.isfinite(self.range_m) or self.range_m < 0.0:
            raise LaserInputError("range_m", f"{self.range_m!r} must be >= 0")
        object.__setattr__(self, "frame", LocalFrame(self.site_lat, self.site_lon, self.site_alt_m))

    # ------------------------------------------------------------------ containment

    @cached_property
    def _planes(self) -> tuple[float, float, float, float, float, float, float, float]:
        """Unit normals of the fan's two vertical edge planes and the elevation cones."""
        a0 = math.radians(self.fan.azimuth_from_deg)
        a1 = math.radians(self.fan.azimuth_from_deg + self.fan.width_deg)
        # Inward normals (horizontal): rotate the edge direction by 90 degrees.
        n0x, n0y = math.cos(a0), -math.sin(a0)  # points clockwise of the left edge
        n1x, n1y = -math.cos(a1), math.sin(a1)  # points anticlockwise of the right edge
        e0, e1 = math.radians(self.fan.elevation_min_deg), math.radians(self.fan.elevation_max_deg)
        return n0x, n0y, n1x, n1y, math.sin(e0), math.cos(e0), math.sin(e1), math.cos(e1)

    def contains_enu(
        self,
        x: FloatArray | float,
        y: FloatArray | float,
        z: FloatArray | float,
        margin_m: FloatArray | float = 0.0,
    ) -> BoolArray:
        """Which site-frame ENU points (m) lie within ``margin_m`` of the volume.

        Each bounding surface is a half-space (the fan's edge planes through the vertical
        at the site, the elevation cones, the range sphere) whose signed distance is cheap
        and exact; a point passes when it is within ``margin_m`` of every one. That is a
        superset of the points within ``margin_m`` of the volume (conservative), and equal
        to the volume for ``margin_m = 0``. Multiply-adds and one square root per point:
        this is the hot path of the hold-fire decision.
        """
        x, y, z = np.asarray(x, float), np.asarray(y, float), np.asarray(z, float)
        m = np.asarray(margin_m, float)
        n0x, n0y, n1x, n1y, s0, c0, s1, c1 = self._planes
        h = np.sqrt(x * x + y * y)
        ok = (h * h + z * z) <= (self.range_m + m) ** 2
        ok &= z * c0 - h * s0 >= -m  # above the lower elevation cone
        ok &= h * s1 - z * c1 >= -m  # below the upper elevation cone
        w = self.fan.width_deg
        if w < 360.0:
            left = x * n0x + y * n0y >= -m
            right = x * n1x + y * n1y >= -m
            ok &= (left & right) if w <= 180.0 else (left | right)
        out: BoolArray = ok
        return out

    def contains(self, lat: FloatArray, lon: FloatArray, alt_m: FloatArray) -> BoolArray:
        """Which geographic points (deg, deg, m MSL) are inside the volume."""
        x, y, z = self.frame.to_enu(
            np.asarray(lat, float), np.asarray(lon, float), np.asarray(alt_m, float)
        )
        return self.contains_enu(x, y, z)

    # ------------------------------------------------------------------ sampling and shape

    def sample_enu(
        self, n_az: int = 24, n_el: int = 12, n_r: int = 60
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """A grid of points filling the volume (site frame ENU, m), for zone penetration."""
        az = np.radians(self.fan.azimuth_from_deg + np.linspace(0.0, self.fan.width_deg, n_az))
        el = np.radians(np.linspace(self.fan.elevation_min_deg, self.fan.elevation_max_deg, n_el))
        # Quadratic spacing: fine near the site (where irradiance is highest and changes
        # fastest), coarse far out; the step at range r is about 2 sqrt(r R) / n_r.
        r = self.range_m * np.linspace(0.0, 1.0, n_r)[1:] ** 2
        A, E, R = np.meshgrid(az, el, r, indexing="ij")
        h = R * np.cos(E)
        return (h * np.sin(A)).ravel(), (h * np.cos(A)).ravel(), (R * np.sin(E)).ravel()

    @cached_property
    def footprint(self) -> Polygon:
        """Horizontal projection (site-frame ENU polygon, m) of the volume above the site.

        The arc is circumscribed (vertices pushed out by 1/cos of half the step), so the
        polygon contains the true footprint.
        """
        el_lo, el_hi = np.radians([self.fan.elevation_min_deg, self.fan.elevation_max_deg])
        # Farthest horizontal reach: at the elevation closest to the horizontal.
        el_flat = 0.0 if el_lo <= 0.0 <= el_hi else min(abs(el_lo), abs(el_hi))
        reach = self.range_m * math.cos(el_flat)
        n = max(8, math.ceil(self.fan.width_deg / 2.0))
        step = math.radians(self.fan.width_deg) / n
        az = np.radians(self.fan.azimuth_from_deg) + step * np.arange(n + 1)
        rr = reach / math.cos(step / 2.0)
        arc = list(zip((rr * np.sin(az)).tolist(), (rr * np.cos(az)).tolist(), strict=True))
        if self.fan.width_deg >= 360.0:
            return Polygon(arc)
        # The apex (the site) closes the sector. Endpoints of the arc sit on the true radius.
        arc[0] = (reach * math.sin(az[0]), reach * math.cos(az[0]))
        arc[-1] = (reach * math.sin(az[-1]), reach * math.cos(az[-1]))
        return Polygon([(0.0, 0.0), *arc])

    def top_enu_m(self) -> float:
        """Highest ENU height (m above the site) the volume reaches."""
        return self.range_m * math.sin(math.radians(max(self.fan.elevation_max_deg, 0.0)))

    def ceiling_msl_m(self) -> float:
        """Highest altitude (m MSL) of the volume, with Earth curvature (via geo).

        Along any direction the altitude grows with elevation (the Earth falls away under
        the beam), so the top is on the far rim at the maximum elevation; the ellipsoid's
        curvature differs with azimuth (least north-south), so the rim is sampled across
        the fan and at the cardinal bearings inside it.
        """
        fan = self.fan
        az = fan.azimuth_from_deg + np.linspace(0.0, fan.width_deg, 33)
        cardinal = np.array([0.0, 90.0, 180.0, 270.0])
        az = np.radians(np.concatenate([az, cardinal[fan.contains_azimuth(cardinal)]]))
        el = math.radians(fan.elevation_max_deg)
        h = self.range_m * math.cos(el)
        _, _, alt = self.frame.to_geodetic(
            h * np.sin(az), h * np.cos(az), np.full(az.shape, self.range_m * math.sin(el))
        )
        return float(max(np.max(alt), self.site_alt_m))
