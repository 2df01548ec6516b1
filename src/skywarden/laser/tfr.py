"""The smallest temporary flight restriction (TFR) that contains the airborne hazard volume.

Why: the proportionate answer to a laser test is not a blanket closure but the least
airspace that keeps every aircraft out of the beam's hazard: a cylinder (centre, radius
in NM, surface to a ceiling in feet MSL) or a polygon, for the firing window only.

The cylinder is the minimum enclosing circle (shapely 2 ``minimum_bounding_circle``) of
the volume's horizontal footprint, not a circle around the site: a fan that fires east
from a site gets a circle centred east of it, with half the radius. Published values
are rounded outward so the published shape still contains the volume: the centre to
whole arc-seconds (then the radius re-measured from the rounded centre), the radius up to
0.1 NM, the ceiling up to 100 ft.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon

from skywarden.geo import FT_PER_M, M_PER_FT, M_PER_NM, destination, distance_m
from skywarden.laser.mpe import LaserInputError
from skywarden.laser.volume import HazardVolume
from skywarden.model import Zone, ZoneKind

ROUNDING_M = 25.0


def _round_arcsec(deg: float) -> float:
    return round(deg * 3600.0) / 3600.0


def _ceil_to(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


@dataclass(frozen=True)
class Tfr:
    """A TFR for a window: the cylinder and the (tighter) polygon alternative.

    Coordinates in degrees WGS84; ``polygon`` as (lon, lat) vertices, closed implicitly.
    The floor is the surface; ``ceiling_ft_msl`` is rounded up to 100 ft.
    """

    centre_lat: float
    centre_lon: float
    radius_nm: float
    ceiling_ft_msl: float
    polygon: tuple[tuple[float, float], ...]
    start_t: float
    end_t: float
    cylinder_area_nm2: float
    polygon_area_nm2: float

    @property
    def minutes(self) -> float:
        return (self.end_t - self.start_t) / 60.0

    def to_zone(self, zone_id: str, name: str, *, polygon: bool = False) -> Zone:
        """The TFR as a shared ``model.Zone`` (kind TFR) for the map, the store and the bus.

        The cylinder is drawn as a 72-gon circumscribing the circle (it contains it);
        the floor is the surface (``attrs["floor"] == "SFC"``, ``floor_m`` the model's
        lowest altitude).
        """
        if polygon:
            ring = list(self.polygon)
        else:
            n = 72
            r = self.radius_nm * M_PER_NM / math.cos(math.pi / n)
            az = np.arange(n) * 360.0 / n
            lat, lon = destination(
                np.full(n, self.centre_lat), np.full(n, self.centre_lon), az, np.full(n, r)
            )
            ring = [
                (float(a), float(b)) for a, b in zip(np.asarray(lon), np.asarray(lat), strict=True)
            ]
        return Zone(
            id=zone_id,
            kind=ZoneKind.TFR,
            name=name,
            polygon=tuple(ring),
            floor_m=-500.0,
            ceiling_m=self.ceiling_ft_msl * M_PER_FT,
            owner="laser",
            attrs={
                "floor": "SFC",
                "start_t": self.start_t,
                "end_t": self.end_t,
                **(
                    {}
                    if polygon
                    else {
                        "centre_lat": self.centre_lat,
                        "centre_lon": self.centre_lon,
                        "radius_nm": self.radius_nm,
                    }
                ),
            },
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "centre_lat": self.centre_lat,
            "centre_lon": self.centre_lon,
            "radius_nm": self.radius_nm,
            "floor": "SFC",
            "ceiling_ft_msl": self.ceiling_ft_msl,
            "polygon": [list(p) for p in self.polygon],
            "start_t": self.start_t,
            "end_t": self.end_t,
            "minutes": self.minutes,
            "cylinder_area_nm2": self.cylinder_area_nm2,
            "polygon_area_nm2": self.polygon_area_nm2,
        }


def _coarse_sector(volume: HazardVolume, max_step_deg: float = 15.0) -> Polygon:
    """The footprint with few vertices, for a readable NOTAM polygon.

    Vertices sit at reach / cos(step/2), so every edge is tangent to the true arc and
    the polygon contains the footprint.
    """
    fp = volume.footprint
    if volume.fan.width_deg >= 360.0:
        # A full circle: a circumscribed 24-gon (the cylinder will be the smaller shape).
        reach = float(np.hypot(*fp.exterior.coords[0])) * math.cos(math.radians(1.0))
        n = 24
        ring = np.arange(n) * 2 * math.pi / n
        rr = reach / math.cos(math.pi / n) * 1.0001
        return Polygon(
            list(zip((rr * np.sin(ring)).tolist(), (rr * np.cos(ring)).tolist(), strict=True))
        )
    reach = max(float(np.hypot(x, y)) for x, y in fp.exterior.coords[1:2])
    n = max(1, math.ceil(volume.fan.width_deg / max_step_deg))
    step = math.radians(volume.fan.width_deg) / n
    az = math.radians(volume.fan.azimuth_from_deg) + step * np.arange(n + 1)
    rr = reach / math.cos(step / 2.0)
    return Polygon(
        [(0.0, 0.0), *zip((rr * np.sin(az)).tolist(), (rr * np.cos(az)).tolist(), strict=True)]
    )


def smallest_tfr(volume: HazardVolume, start_t: float, end_t: float, buffer_nm: float = 0.0) -> Tfr:
    """The smallest cylinder (and polygon) containing ``volume``'s footprint and height.

    ``buffer_nm`` adds a lateral margin (navigation tolerance) to both shapes.
    """
    if not end_t > start_t:
        raise LaserInputError("window.end", "the window must end after it starts")
    frame = volume.frame
    # The footprint is drawn in the site's tangent plane (z = 0). A point of the volume
    # high above a far point is geodetically *nearer* the site (by about d*z/R, the
    # Earth's vertical tilting away), so the ground projection of the whole volume lies
    # inside the footprint taken at z = 0: converting that to lat/lon is conservative.
    fp = volume.footprint
    buf = buffer_nm * M_PER_NM
    circle = shapely.minimum_bounding_circle(fp)
    cx, cy = circle.centroid.x, circle.centroid.y
    clat, clon, _ = frame.to_geodetic(cx, cy, 0.0)
    clat, clon = _round_arcsec(float(clat)), _round_arcsec(float(clon))
    xs, ys = np.asarray(fp.exterior.xy)
    vlat, vlon, _ = frame.to_geodetic(xs, ys, np.zeros_like(xs))
    far_m = float(
        np.max(distance_m(np.full_like(vlat, clat), np.full_like(vlon, clon), vlat, vlon))
    )
    radius_nm = _ceil_to((far_m + buf) / M_PER_NM, 0.1)
    # +1 m: the rim is sampled in azimuth; the altitude varies by millimetres between samples.
    ceiling_ft = _ceil_to((volume.ceiling_msl_m() + 1.0) * FT_PER_M, 100.0)

    # 25 m covers rounding the published vertices to whole arc-seconds.
    # Mitred corners, bevelled beyond 1.5x the distance: few vertices, and the bevel
    # still lies outside the round buffer, so the polygon contains it.
    poly = _coarse_sector(volume).buffer(buf + ROUNDING_M, join_style="mitre", mitre_limit=1.5)
    px, py = np.asarray(poly.exterior.xy)
    plat, plon, _ = frame.to_geodetic(px[:-1], py[:-1], np.zeros(len(px) - 1))
    ring = tuple((float(lo), float(la)) for lo, la in zip(plon, plat, strict=True))
    return Tfr(
        centre_lat=clat,
        centre_lon=clon,
        radius_nm=radius_nm,
        ceiling_ft_msl=ceiling_ft,
        polygon=ring,
        start_t=float(start_t),
        end_t=float(end_t),
        cylinder_area_nm2=math.pi * radius_nm**2,
        polygon_area_nm2=poly.area / M_PER_NM**2,
    )
