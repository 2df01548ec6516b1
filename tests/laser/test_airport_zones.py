"""FAA laser flight-zone geometry around KELP from the shipped runway data."""

from __future__ import annotations

import numpy as np
import pytest

from skywarden.geo import M_PER_FT, M_PER_NM, LocalFrame, destination
from skywarden.laser.airport_zones import (
    ZoneArea,
    critical_zone,
    laser_free_zone,
    sensitive_zone,
)
from skywarden.laser.flight_zones import FlightZone
from skywarden.refdata import airport, runways

KELP = airport("KELP")
FRAME = LocalFrame(KELP.lat, KELP.lon, KELP.elevation_m)


def _inside(zone: ZoneArea, lat: float, lon: float, alt_m: float) -> bool:
    x, y, _ = FRAME.to_enu(lat, lon, 0.0)
    return bool(zone.contains_enu(np.array([x]), np.array([y]), np.array([alt_m]))[0])


def _on_extended_centreline(
    end_ident: str, out_nm: float, lateral_ft: float
) -> tuple[float, float]:
    end = next(e for r in runways("KELP") for e in r.ends if e.ident == end_ident)
    lat, lon = destination(end.lat, end.lon, (end.heading_true_deg + 180) % 360, out_nm * M_PER_NM)
    # lateral offset to the left of the approach course (south for runway 26L)
    lat2, lon2 = destination(lat, lon, (end.heading_true_deg - 90) % 360, lateral_ft * M_PER_FT)
    return float(lat2), float(lon2)


def test_laser_free_zone_covers_runways_and_extensions() -> None:
    lfz = laser_free_zone("KELP", FRAME)
    assert lfz.zone is FlightZone.LASER_FREE
    low = KELP.elevation_m + 1000 * M_PER_FT
    assert _inside(lfz, KELP.lat, KELP.lon, low)
    # 4.5 NM out on the extended centreline of 26L, 2,000 ft to the side: in the extension
    assert _inside(lfz, *_on_extended_centreline("26L", 4.5, 2000), low)
    # ... but not 3,000 ft to the side, nor 5.5 NM out
    assert not _inside(lfz, *_on_extended_centreline("26L", 4.5, 3000), low)
    assert not _inside(lfz, *_on_extended_centreline("26L", 5.5, 0), low)
    # and only up to 2,000 ft above the airport
    assert not _inside(lfz, KELP.lat, KELP.lon, KELP.elevation_m + 2100 * M_PER_FT)


def test_critical_zone_is_ten_nm_to_ten_thousand_ft_agl() -> None:
    cfz = critical_zone("KELP", FRAME)
    at = KELP.elevation_m + 9000 * M_PER_FT
    near = destination(KELP.lat, KELP.lon, 45.0, 9.9 * M_PER_NM)
    far = destination(KELP.lat, KELP.lon, 45.0, 10.1 * M_PER_NM)
    assert _inside(cfz, float(near[0]), float(near[1]), at)
    assert not _inside(cfz, float(far[0]), float(far[1]), at)
    assert not _inside(cfz, KELP.lat, KELP.lon, KELP.elevation_m + 10_100 * M_PER_FT)


def test_sensitive_zone_from_user_polygon_and_ring_round_trip() -> None:
    ring = [(-106.5, 31.7), (-106.4, 31.7), (-106.4, 31.8), (-106.5, 31.8)]
    sz = sensitive_zone("stadium", ring, 1000.0, 3000.0, FRAME)
    assert _inside(sz, 31.75, -106.45, 2000.0)
    assert not _inside(sz, 31.75, -106.45, 3500.0)
    back = sz.lonlat_ring()
    assert back[0] == pytest.approx(ring[0], abs=1e-9)
