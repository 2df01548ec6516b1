"""Runway traffic flows and which of them a hazard volume touches.

Why: a range safety officer and the tower think in runway flows ("arrivals to 26L"), not
in coordinates. For every runway end we lay out the nominal arrival path (a 3 degree
glide path to the threshold crossing height of 50 ft, ICAO PANS-OPS / FAA Order 8260.3
standard) and departure path (from lift-off at the far end of the runway, climbing
along the runway heading at ``climb_ft_per_nm``, 300 ft/NM by default, a shallow airline
climb, so the path stays low where a low fan reaches), each out to ``length_nm``, and
test their sample points against the hazard volume. A flow is touched when any sample is
inside; the report gives the band of distances from the runway where it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.geo import M_PER_FT, M_PER_NM, destination
from skywarden.laser.volume import HazardVolume
from skywarden.refdata import runways

FloatArray = npt.NDArray[np.float64]

GLIDE_DEG = 3.0
THRESHOLD_CROSSING_FT = 50.0
LIFT_OFF_FT = 35.0  # take-off screen height, 14 CFR 25.111/25.113


@dataclass(frozen=True)
class Flow:
    """One nominal path: ``kind`` arrival or departure, for ``runway`` end of ``airport``.

    ``course_deg`` is the direction aircraft move along it (true); samples run from the
    runway outward, ``dist_nm`` from the threshold (arrival) or lift-off point (departure).
    """

    airport: str
    runway: str
    kind: str
    course_deg: float
    dist_nm: FloatArray
    lat: FloatArray
    lon: FloatArray
    alt_m: FloatArray

    @property
    def label(self) -> str:
        return (
            f"{self.airport} {self.runway} {'arrivals' if self.kind == 'arrival' else 'departures'}"
        )


def runway_flows(
    icao: str, length_nm: float = 12.0, step_m: float = 100.0, climb_ft_per_nm: float = 300.0
) -> list[Flow]:
    """Arrival and departure paths for every runway end of ``icao``."""
    out: list[Flow] = []
    d = np.arange(0.0, length_nm * M_PER_NM + step_m, step_m)
    d_nm = d / M_PER_NM
    for rwy in runways(icao):
        for end, other in ((rwy.ends[0], rwy.ends[1]), (rwy.ends[1], rwy.ends[0])):
            back = (end.heading_true_deg + 180.0) % 360.0
            lat, lon = destination(
                np.full_like(d, end.lat), np.full_like(d, end.lon), np.full_like(d, back), d
            )
            alt = (
                end.elevation_m
                + THRESHOLD_CROSSING_FT * M_PER_FT
                + d * math.tan(math.radians(GLIDE_DEG))
            )
            out.append(
                Flow(
                    icao,
                    end.ident,
                    "arrival",
                    end.heading_true_deg,
                    d_nm,
                    np.asarray(lat),
                    np.asarray(lon),
                    alt,
                )
            )
            # Departure on ``end``: rolls toward ``other`` and lifts off there.
            lat, lon = destination(
                np.full_like(d, other.lat),
                np.full_like(d, other.lon),
                np.full_like(d, end.heading_true_deg),
                d,
            )
            alt = other.elevation_m + LIFT_OFF_FT * M_PER_FT + d_nm * climb_ft_per_nm * M_PER_FT
            out.append(
                Flow(
                    icao,
                    end.ident,
                    "departure",
                    end.heading_true_deg,
                    d_nm,
                    np.asarray(lat),
                    np.asarray(lon),
                    alt,
                )
            )
    return out


@dataclass(frozen=True)
class FlowHit:
    """Where a flow runs through the volume: from/to distance (NM) and altitude (ft MSL)."""

    flow: Flow
    from_nm: float
    to_nm: float
    min_alt_ft: float
    max_alt_ft: float

    def to_dict(self) -> dict[str, object]:
        return {
            "airport": self.flow.airport,
            "runway": self.flow.runway,
            "kind": self.flow.kind,
            "label": self.flow.label,
            "from_nm": round(self.from_nm, 2),
            "to_nm": round(self.to_nm, 2),
            "min_alt_ft": round(self.min_alt_ft),
            "max_alt_ft": round(self.max_alt_ft),
        }


def flows_touched(volume: HazardVolume, flows: Iterable[Flow]) -> list[FlowHit]:
    """The flows with any sample point inside ``volume``."""
    hits: list[FlowHit] = []
    for f in flows:
        inside = volume.contains(f.lat, f.lon, f.alt_m)
        if not np.any(inside):
            continue
        idx = np.flatnonzero(inside)
        alt_ft = f.alt_m[idx] / M_PER_FT
        hits.append(
            FlowHit(
                f,
                float(f.dist_nm[idx[0]]),
                float(f.dist_nm[idx[-1]]),
                float(alt_ft.min()),
                float(alt_ft.max()),
            )
        )
    return hits
