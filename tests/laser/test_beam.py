"""Gaussian beam irradiance and NOHD, vacuum and attenuated, against worked examples."""

from __future__ import annotations

import math

import lasercalc
import numpy as np
import pytest

from skywarden.laser.beam import Beam, extinction_per_km
from skywarden.laser.mpe import LaserInputError

FT = 0.3048


def test_green_pointer_nohd_worked_example() -> None:
    # Source: worked example quoted in issue #6 (Z136.1 NOHD formula): 532 nm, 5 mW,
    # a = 1 mm, phi = 1 mrad, 0.25 s -> MPE 2.546 mW/cm^2, NOHD 14.8 m.
    beam = Beam(power_w=5e-3, wavelength_nm=532.0, divergence_mrad=1.0, diameter_mm=1.0)
    assert beam.nohd_m(0.25) == pytest.approx(14.8, abs=0.05)


def test_six_watt_green_nohd_worked_example() -> None:
    # Source: FAA example quoted in issue #6: 6 W, 532 nm, 1.1 mrad -> NOHD about 1,600 ft.
    beam = Beam(power_w=6.0, wavelength_nm=532.0, divergence_mrad=1.1, diameter_mm=2.0)
    assert beam.nohd_m() / FT == pytest.approx(1600.0, rel=0.03)


def test_nohd_agrees_with_lasercalc() -> None:
    # Same closed form, independent implementation (IEC 60825-1 MPE equals ours here).
    src = lasercalc.LaserSource(
        wavelength_nm=1064.0, power_w=2.0, divergence_rad=0.5e-3, beam_diameter_m=3e-3
    )
    ours = Beam(2.0, 1064.0, 0.5, 3.0).nohd_m(10.0)
    assert ours == pytest.approx(lasercalc.nohd(src, 10.0).nohd_m, rel=1e-9)


def test_irradiance_at_nohd_equals_mpe() -> None:
    beam = Beam(20_000.0, 1070.0, 0.1, 300.0, attenuation_per_km=0.07)
    r = beam.nohd_m()
    assert float(beam.irradiance_w_cm2(r)) == pytest.approx(beam.mpe_w_cm2(), rel=1e-6)


def test_attenuation_shortens_nohd_from_hundreds_to_tens_of_km() -> None:
    vacuum = Beam(20_000.0, 1070.0, 0.1, 300.0)
    hazy = Beam(20_000.0, 1070.0, 0.1, 300.0, attenuation_per_km=extinction_per_km(23.0, 1070.0))
    assert vacuum.nohd_m() > 200e3
    assert 10e3 < hazy.nohd_m() < 100e3


def test_irradiance_is_vectorised_and_decreasing() -> None:
    beam = Beam(1.0, 650.0, 0.5, 2.0, attenuation_per_km=0.2)
    e = beam.irradiance_w_cm2(np.linspace(0.0, 5000.0, 101))
    assert e.shape == (101,)
    assert np.all(np.diff(e) < 0)
    assert e[0] == pytest.approx(4.0 / (math.pi * 0.2**2))


def test_beam_below_limit_at_aperture_has_zero_distance() -> None:
    # 1 uW spread over a 10 mm aperture never exceeds the visible MPE.
    assert Beam(1e-6, 650.0, 1.0, 10.0).nohd_m() == 0.0


def test_koschmieder_extinction_scales_with_wavelength() -> None:
    assert extinction_per_km(23.0, 550.0) == pytest.approx(3.912 / 23.0)
    assert extinction_per_km(23.0, 1064.0) < extinction_per_km(23.0, 550.0)
    with pytest.raises(LaserInputError, match="visibility_km"):
        extinction_per_km(0.1, 550.0)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"power_w": -1.0}, "power_w"),
        ({"power_w": float("nan")}, "power_w"),
        ({"divergence_mrad": 0.0}, "divergence_mrad"),
        ({"diameter_mm": -2.0}, "diameter_mm"),
        ({"wavelength_nm": 10_600.0}, "wavelength_nm"),
        ({"attenuation_per_km": -0.1}, "attenuation_per_km"),
    ],
)
def test_bad_beam_parameters_are_named(kwargs: dict[str, float], field: str) -> None:
    base = {"power_w": 1.0, "wavelength_nm": 532.0, "divergence_mrad": 1.0, "diameter_mm": 1.0}
    base.update(kwargs)
    with pytest.raises(LaserInputError) as err:
        Beam(**base)
    assert err.value.field == field
