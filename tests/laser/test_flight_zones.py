"""FAA flight-zone distances (AC 70-1B) against the FAA's worked example."""

from __future__ import annotations

import pytest

from skywarden.laser.beam import Beam
from skywarden.laser.flight_zones import FlightZone, hazard_distances, photopic_vcf

FT = 0.3048


def test_six_watt_green_faa_worked_example_with_vcf_one() -> None:
    # Source: FAA worked example quoted in issue #6 (AC 70-1B formulas, VCF = 1):
    # 6 W, 532 nm, 1.1 mrad -> NOHD ~1,600 ft, SZED ~8,200 ft, CZED ~36,800 ft, LFED ~368,000 ft.
    d = hazard_distances(Beam(6.0, 532.0, 1.1, 0.0), vcf=1.0)
    assert d.nohd_m / FT == pytest.approx(1600, rel=0.03)
    assert d.szed_m is not None and d.czed_m is not None and d.lfed_m is not None
    assert d.szed_m / FT == pytest.approx(8200, rel=0.01)
    assert d.czed_m / FT == pytest.approx(36_800, rel=0.01)
    assert d.lfed_m / FT == pytest.approx(368_000, rel=0.01)


def test_ac_70_1b_closed_form_szed() -> None:
    # SZED_ft = (32.8 / phi_mrad) * sqrt(12732 * P * VCF); with a = 0 and no attenuation
    # ours is the same expression in metres (32.8 ft is 10 m rounded).
    p, phi, vcf = 2.0, 0.8, 0.5
    d = hazard_distances(Beam(p, 555.0, phi, 0.0), vcf=vcf)
    assert d.szed_m is not None and d.czed_m is not None and d.lfed_m is not None
    assert d.szed_m / FT == pytest.approx(32.8 / phi * (12732 * p * vcf) ** 0.5, rel=2e-3)
    assert d.czed_m == pytest.approx(d.szed_m * 20**0.5, rel=1e-9)
    assert d.lfed_m == pytest.approx(d.szed_m * 2000**0.5, rel=1e-9)


def test_photopic_vcf_defaults() -> None:
    assert photopic_vcf(555.0) == pytest.approx(1.0, abs=0.01)
    assert photopic_vcf(532.0) == pytest.approx(0.88, abs=0.01)
    assert photopic_vcf(450.0) == pytest.approx(0.038)
    assert photopic_vcf(1064.0) == 0.0


def test_near_infrared_has_no_visual_zones() -> None:
    d = hazard_distances(Beam(1000.0, 1070.0, 0.2, 100.0))
    assert d.szed_m is None and d.czed_m is None and d.lfed_m is None
    assert d.vcf == 0.0
    # every zone then falls back to the eye hazard distance
    assert d.for_zone(FlightZone.LASER_FREE) == d.nohd_m


def test_zone_distance_is_never_shorter_than_nohd() -> None:
    d = hazard_distances(Beam(6.0, 450.0, 1.0, 1.0))  # deep blue: tiny VCF
    for zone in FlightZone:
        assert d.for_zone(zone) >= d.nohd_m
