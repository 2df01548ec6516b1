"""Which flight zones the hazard volume reaches, and the irradiance where it enters them.

Why: the FAA approves a laser operation zone by zone (AC 70-1B): in the laser-free zone
the visually-corrected irradiance must stay below 50 nW/cm^2, in the critical zone below
5 uW/cm^2, in a sensitive zone below 100 uW/cm^2, and everywhere below the MPE. For each
zone we fill the volume (out to the distance where the beam meets that zone's limit) with
a grid of points, keep those inside the zone's polygon and height band, and report the
nearest such range and the irradiance there: the worst exposure a crew in that zone gets.
The grid is spaced quadratically in range, so it is fine near the site; the range step
at the reported point is given with the result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from skywarden.geo import M_PER_FT
from skywarden.laser.airport_zones import ZoneArea
from skywarden.laser.beam import Beam
from skywarden.laser.flight_zones import ZONE_LIMIT_W_CM2, FlightZone, HazardDistances
from skywarden.laser.volume import HazardVolume


@dataclass(frozen=True)
class ZoneHit:
    """The beam in one zone: nearest range, irradiance there and the zone's limit."""

    zone: ZoneArea
    nearest_range_m: float
    irradiance_w_cm2: float
    limit_w_cm2: float
    resolution_m: float

    @property
    def exceeds(self) -> bool:
        return self.irradiance_w_cm2 > self.limit_w_cm2

    def to_dict(self) -> dict[str, object]:
        return {
            "zone": self.zone.name,
            "kind": str(self.zone.zone),
            "airport": self.zone.airport,
            "ceiling_ft_msl": round(self.zone.ceiling_m / M_PER_FT),
            "nearest_range_m": round(self.nearest_range_m, 1),
            "irradiance_w_cm2": self.irradiance_w_cm2,
            "limit_w_cm2": self.limit_w_cm2,
            "exceeds": self.exceeds,
            "resolution_m": round(self.resolution_m, 1),
        }


def zone_limit(zone: FlightZone, distances: HazardDistances) -> float:
    """The irradiance limit that applies in ``zone`` (the MPE in the normal zone)."""
    lim = ZONE_LIMIT_W_CM2[zone]
    return distances.mpe_w_cm2 if lim is None else lim


def zones_penetrated(
    beam: Beam,
    distances: HazardDistances,
    volume_for: dict[FlightZone, HazardVolume],
    zones: Sequence[ZoneArea],
    n_az: int = 36,
    n_el: int = 16,
    n_r: int = 240,
) -> list[ZoneHit]:
    """Zones entered by the part of the beam still above that zone's limit.

    ``volume_for`` maps a zone kind to the volume out to its distance; the irradiance in
    visual zones is weighted by the VCF, and the MPE (unweighted) is checked everywhere.
    """
    hits: list[ZoneHit] = []
    cache: dict[FlightZone, tuple[np.ndarray, ...]] = {}
    for area in zones:
        vol = volume_for[area.zone]
        if vol.range_m <= 0.0:
            continue
        if area.zone not in cache:
            x, y, z = vol.sample_enu(n_az, n_el, n_r)
            lat, lon, alt = vol.frame.to_geodetic(x, y, z)
            cache[area.zone] = (x, y, z, lat, lon, alt)
        x, y, z, lat, lon, alt = cache[area.zone]
        # Zone polygons live in their own frame; bring the samples there.
        zx, zy, _ = area_frame_xy(area, lat, lon, alt)
        inside = area.contains_enu(zx, zy, alt)
        if not np.any(inside):
            continue
        rng = np.sqrt(x[inside] ** 2 + y[inside] ** 2 + z[inside] ** 2)
        r0 = float(rng.min())
        e_mpe = float(beam.irradiance_w_cm2(r0))
        if area.zone is FlightZone.NORMAL:
            e, lim = e_mpe, distances.mpe_w_cm2
        else:
            e = e_mpe * distances.vcf
            lim = zone_limit(area.zone, distances)
            if e <= lim and e_mpe > distances.mpe_w_cm2:
                # Invisible or dim beam: the eye hazard is what matters in this zone.
                e, lim = e_mpe, distances.mpe_w_cm2
        hits.append(ZoneHit(area, r0, e, lim, 2.0 * math.sqrt(r0 * vol.range_m) / (n_r - 1)))
    return hits


def area_frame_xy(
    area: ZoneArea, lat: np.ndarray, lon: np.ndarray, alt: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ground projection of geographic samples in the zone polygon's frame (exact: via
    lat/lon at height 0, not the tangent plane, which tilts away over tens of km)."""
    x, y, z = area.frame.to_enu(lat, lon, np.zeros_like(alt))
    return np.asarray(x), np.asarray(y), np.asarray(z)
