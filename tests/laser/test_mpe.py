"""MPE after ANSI Z136.1-2014 Table 5a, checked against worked examples and lasercalc (IEC)."""

from __future__ import annotations

import lasercalc
import pytest

from skywarden.laser.mpe import LaserInputError, c_a, c_b, c_c, default_exposure_s, mpe_w_cm2


def test_visible_aversion_mpe_worked_example() -> None:
    # Source: Z136.1-2014 Table 5a visible row 1.8 t^0.75 mJ/cm^2 at t = 0.25 s; the
    # 532 nm / 0.25 s worked example quoted in issue #6 gives 2.546 mW/cm^2.
    assert mpe_w_cm2(532.0, 0.25) * 1e3 == pytest.approx(2.546, abs=5e-4)


def test_nd_yag_ten_second_mpe_worked_example() -> None:
    # Source: Z136.1-2014 Table 5a, 1050-1400 nm, t >= 10 s: 5.0 C_C mW/cm^2 with C_C = 1
    # at 1064 nm (worked example quoted in issue #6: 1064 nm for 10 s -> 5.0 mW/cm^2).
    assert mpe_w_cm2(1064.0, 10.0) * 1e3 == pytest.approx(5.0)
    # ...and the 9.0 C_C t^0.75 mJ/cm^2 row just below 10 s meets it (continuity of the table)
    assert mpe_w_cm2(1064.0, 9.999) * 1e3 == pytest.approx(5.06, abs=0.01)


def test_textbook_values_across_the_band() -> None:
    # HeNe 633 nm, aversion response: the textbook 2.5 mW/cm^2 (Table 5a, C_A = 1).
    assert mpe_w_cm2(633.0, 0.25) * 1e3 == pytest.approx(2.55, abs=0.01)
    # 808 nm diode for 10 s: 1.0 C_A mW/cm^2 with C_A = 10^(2 x 0.108) = 1.64.
    assert mpe_w_cm2(808.0, 10.0) * 1e3 == pytest.approx(1.64, abs=0.01)
    # 1310 nm for 10 s: 5.0 C_C mW/cm^2 with C_C = 8 -> 40 mW/cm^2.
    assert mpe_w_cm2(1310.0, 10.0) * 1e3 == pytest.approx(40.0)


def test_correction_factors_table_6() -> None:
    assert c_a(532.0) == 1.0
    assert c_a(850.0) == pytest.approx(10 ** (2 * 0.15))
    assert c_a(1064.0) == 5.0
    assert c_c(1064.0) == 1.0
    assert c_c(1175.0) == pytest.approx(10 ** (18 * 0.025))
    assert c_c(1300.0) == 8.0
    assert c_b(420.0) == 1.0
    assert c_b(500.0) == pytest.approx(10.0)


def test_default_exposures_are_aversion_and_ten_seconds() -> None:
    assert default_exposure_s(650.0) == 0.25
    assert default_exposure_s(1070.0) == 10.0
    assert mpe_w_cm2(1070.0) == mpe_w_cm2(1070.0, 10.0)


def test_blue_light_dual_limit_governs_long_exposures() -> None:
    # 450 nm for 100 s: photochemical 1e-2 C_B J/cm^2 / 100 s = 0.1 mW/cm^2 < thermal 1 mW/cm^2
    assert mpe_w_cm2(450.0, 100.0) == pytest.approx(1e-4)
    # 650 nm has no photochemical limit: the thermal 1 mW/cm^2 applies
    assert mpe_w_cm2(650.0, 100.0) == pytest.approx(1e-3)


@pytest.mark.parametrize(
    "wavelength_nm", [450.0, 532.0, 633.0, 808.0, 905.0, 1064.0, 1175.0, 1310.0]
)
@pytest.mark.parametrize("t_s", [1e-4, 0.25, 1.0, 10.0, 100.0])
def test_agrees_with_lasercalc_where_iec_and_ansi_agree(wavelength_nm: float, t_s: float) -> None:
    # Z136.1-2014 and IEC 60825-1 are harmonised for CW retinal limits from 100 us to 100 s:
    # same thermal rows (IEC C4, C7 are ANSI C_A, C_C) and the same blue-light dual limit.
    ours = mpe_w_cm2(wavelength_nm, t_s)
    theirs = lasercalc.mpe_eye(wavelength_nm, t_s).irradiance_w_m2 * 1e-4
    assert ours == pytest.approx(theirs, rel=1e-6)


def test_differs_from_lasercalc_below_five_microseconds_by_edition() -> None:
    # Why they differ: Z136.1-2014 cut the visible nanosecond-to-microsecond plateau to
    # 2.0e-7 J/cm^2 and moved its end from 18 us to 5 us; lasercalc keeps the older
    # 5e-3 J/m^2 (= 5e-7 J/cm^2) plateau up to 18 us. At 10 us we follow 1.8 t^0.75.
    ours = mpe_w_cm2(532.0, 1e-5) * 1e-5  # J/cm^2
    theirs = lasercalc.mpe_eye(532.0, 1e-5).radiant_exposure_j_m2 * 1e-4
    assert ours == pytest.approx(1.8e-3 * (1e-5) ** 0.75)
    assert theirs == pytest.approx(5e-7)
    assert ours < theirs  # the 2014 limit is the stricter one


def test_differs_from_lasercalc_beyond_100_s_blue_light_by_edition() -> None:
    # Why: after 100 s Z136.1-2014 holds the blue-light limit at a constant irradiance
    # 1 C_B x 1e-4 W/cm^2 (with a growing field of view); lasercalc keeps the older
    # radiant-exposure row 100 C3 J/m^2 out to 1e4 s, so its irradiance keeps falling as 1/t.
    assert mpe_w_cm2(450.0, 1000.0) == pytest.approx(1e-4)
    assert lasercalc.mpe_eye(450.0, 1000.0).irradiance_w_m2 * 1e-4 == pytest.approx(1e-5)


@pytest.mark.parametrize(
    ("wavelength_nm", "t_s", "field"),
    [
        (355.0, 0.25, "wavelength_nm"),
        (1550.0, 10.0, "wavelength_nm"),
        (float("nan"), 1.0, "wavelength_nm"),
        (532.0, 0.0, "exposure_s"),
        (532.0, 1e5, "exposure_s"),
        (532.0, float("inf"), "exposure_s"),
    ],
)
def test_out_of_scope_inputs_raise_named_errors(
    wavelength_nm: float, t_s: float, field: str
) -> None:
    with pytest.raises(LaserInputError) as err:
        mpe_w_cm2(wavelength_nm, t_s)
    assert err.value.field == field
