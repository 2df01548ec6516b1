"""Shared builders for the laser tests: simulated aircraft on KELP's approaches."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from skywarden.geo import M_PER_FT, M_PER_NM, LocalFrame, destination
from skywarden.model import TrackStatus, TrackUpdate
from skywarden.refdata import airport, runways

KELP = airport("KELP")
SECTOR = LocalFrame(KELP.lat, KELP.lon, KELP.elevation_m)

ApproachFn = Callable[..., list[TrackUpdate]]


def approach_updates(
    runway_end: str = "26R",
    *,
    track: str = "T000001",
    t0: float = 1_770_783_000.0,
    from_nm: float = 30.0,
    to_nm: float = 5.0,
    speed_ms: float = 80.0,
    dt: float = 1.0,
    probs: dict[str, float] | None = None,
    callsign: str | None = "SWA1234",
    frame: LocalFrame = SECTOR,
) -> list[TrackUpdate]:
    """An aircraft on the 3-degree glide path to ``runway_end`` of KELP, one update per ``dt``."""
    end = next(e for r in runways("KELP") for e in r.ends if e.ident == runway_end)
    back = (end.heading_true_deg + 180.0) % 360.0
    h = math.radians(end.heading_true_deg)
    tan3 = math.tan(math.radians(3.0))
    v = (speed_ms * math.sin(h), speed_ms * math.cos(h), -speed_ms * tan3)
    out: list[TrackUpdate] = []
    n = int((from_nm - to_nm) * M_PER_NM / speed_ms / dt)
    for k in range(n + 1):
        d = from_nm * M_PER_NM - speed_ms * k * dt
        lat, lon = destination(end.lat, end.lon, back, d)
        alt = end.elevation_m + 50 * M_PER_FT + d * tan3
        x, y, z = frame.to_enu(float(lat), float(lon), alt)
        out.append(
            TrackUpdate(
                t=t0 + k * dt,
                track=track,
                status=TrackStatus.CONFIRMED,
                lat=float(lat),
                lon=float(lon),
                alt_m=alt,
                velocity=v,
                state=(x, y, z, *v),
                cov=None,
                class_probs=probs or {"manned": 0.9, "unknown": 0.1},
                callsign=callsign,
            )
        )
    return out


@pytest.fixture
def approach() -> ApproachFn:
    return approach_updates
