"""Flight zones a beam penetrates, with the irradiance at the nearest point inside."""

from __future__ import annotations

import pytest

from skywarden.laser.airport_zones import airport_zones
from skywarden.laser.beam import Beam
from skywarden.laser.flight_zones import FlightZone, HazardDistances, hazard_distances
from skywarden.laser.penetration import zones_penetrated
from skywarden.laser.volume import Fan, HazardVolume
from skywarden.refdata import airport

KELP = airport("KELP")
# A site 10 km south-east of KELP, outside its laser-free zone, firing north-west over it.
SITE = (31.74, -106.30, 1200.0)


def _volumes(
    beam: Beam, fan: Fan, vcf: float | None = None
) -> tuple[HazardDistances, dict[FlightZone, HazardVolume]]:
    d = hazard_distances(beam, vcf=vcf)
    vols = {z: HazardVolume(*SITE, fan, d.for_zone(z)) for z in FlightZone}
    return d, vols


def test_green_show_laser_over_the_airport_breaks_the_laser_free_zone() -> None:
    beam = Beam(6.0, 532.0, 1.1, 3.0)
    d, vols = _volumes(beam, Fan(290.0, 340.0, 0.0, 10.0), vcf=1.0)
    frame = vols[FlightZone.NORMAL].frame
    zones = airport_zones(["KELP"], frame)
    hits = {h.zone.name: h for h in zones_penetrated(beam, d, vols, zones)}
    lfz = hits["KELP laser-free zone"]
    assert lfz.exceeds and lfz.limit_w_cm2 == 50e-9
    # the irradiance reported is the beam's (VCF = 1) at the nearest range inside the zone
    assert lfz.irradiance_w_cm2 == pytest.approx(float(beam.irradiance_w_cm2(lfz.nearest_range_m)))
    assert 5000 < lfz.nearest_range_m < 10_000  # its edge is ~2 NM short of the airport
    assert hits["KELP critical zone"].exceeds


def test_low_power_beam_stays_below_the_laser_free_limit() -> None:
    # 1 uW, wide: its LFED is a few metres, so it never reaches the airport at 50 nW/cm^2.
    beam = Beam(1e-6, 532.0, 20.0, 3.0)
    d, vols = _volumes(beam, Fan(290.0, 340.0, 0.0, 10.0), vcf=1.0)
    zones = airport_zones(["KELP"], vols[FlightZone.NORMAL].frame)
    names = {h.zone.name for h in zones_penetrated(beam, d, vols, zones)}
    assert "KELP laser-free zone" not in names


def test_fan_pointing_away_penetrates_nothing_at_the_airport() -> None:
    beam = Beam(6.0, 532.0, 1.1, 3.0)
    d, vols = _volumes(beam, Fan(100.0, 160.0, 20.0, 60.0), vcf=1.0)
    zones = airport_zones(["KELP"], vols[FlightZone.NORMAL].frame)
    hits = {h.zone.name for h in zones_penetrated(beam, d, vols, zones)}
    assert "KELP laser-free zone" not in hits
