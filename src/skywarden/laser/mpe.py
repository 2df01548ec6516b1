"""Ocular maximum permissible exposure (MPE) for CW lasers, after ANSI Z136.1-2014.

Why here: every hazard distance in :mod:`skywarden.laser` is "how far until the beam's
irradiance falls to a limit", and for the eye hazard that limit is the MPE. This module
implements the point-source rows of ANSI Z136.1-2014 Table 5a ("MPE for point source
ocular exposure to a laser beam") for the retinal-hazard bands, visible (400-700 nm) and
near infrared (700-1400 nm), with the wavelength correction factors of Table 6
("Parameters and correction factors"): C_A (near-IR retinal absorption), C_B (blue-light
photochemical) and C_C (1150-1400 nm water absorption).

Only point sources (alpha <= alpha_min = 1.5 mrad, so C_E = 1, T_2 = 10 s): a collimated
beam seen from an aircraft is one. Exposure durations follow the standard's rules for
unintended viewing (its chapter on MPE criteria and exposure duration): the 0.25 s
aversion response for a visible beam, 10 s for a near-infrared one, or a stated duration.
(Section numbers are not cited here because they move between editions; the table
numbers are those of the 2014 edition.)

Units: the standard tabulates J/cm^2 and W/cm^2; functions here return W/cm^2 (the
FAA flight-zone limits are quoted per cm^2 too) and take wavelengths in nm, times in s.
"""

from __future__ import annotations

import math

from skywarden.errors import SkywardenError

# Exposure durations of ANSI Z136.1 for unintended viewing: the aversion response to a
# visible beam, and the 10 s taken for an invisible near-IR beam (eye movements spread
# the image beyond that).
T_AVERSION_S = 0.25
T_NEAR_IR_S = 10.0

VISIBLE_NM = (400.0, 700.0)
NEAR_IR_NM = (700.0, 1400.0)

# Table 5a validity of exposure durations.
T_MIN_S = 1e-13
T_MAX_S = 3e4


class LaserInputError(SkywardenError, ValueError):
    """A laser parameter is outside what the standard (or this implementation) covers.

    ``field`` names the offending parameter so a CLI or a YAML loader can point at it.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def is_visible(wavelength_nm: float) -> bool:
    """True for 400 nm <= wavelength < 700 nm (Z136.1-2014 Table 5a visible rows)."""
    return VISIBLE_NM[0] <= wavelength_nm < VISIBLE_NM[1]


def is_near_ir(wavelength_nm: float) -> bool:
    """True for 700 nm <= wavelength <= 1400 nm (the retinal near-IR rows)."""
    return NEAR_IR_NM[0] <= wavelength_nm <= NEAR_IR_NM[1]


def _check_wavelength(wavelength_nm: float) -> float:
    wl = float(wavelength_nm)
    if not math.isfinite(wl) or not (VISIBLE_NM[0] <= wl <= NEAR_IR_NM[1]):
        raise LaserInputError(
            "wavelength_nm",
            f"{wavelength_nm!r} outside the retinal hazard region 400-1400 nm implemented here",
        )
    return wl


def _check_duration(t_s: float) -> float:
    t = float(t_s)
    if not math.isfinite(t) or not (T_MIN_S <= t <= T_MAX_S):
        raise LaserInputError("exposure_s", f"{t_s!r} outside Table 5a's 1e-13 .. 3e4 s")
    return t


def c_a(wavelength_nm: float) -> float:
    """Correction factor C_A, Z136.1-2014 Table 6: 1 for 400-700 nm,
    10^(2(lambda_um - 0.700)) for 700-1050 nm, 5.0 for 1050-1400 nm."""
    wl = _check_wavelength(wavelength_nm)
    if wl < 700.0:
        return 1.0
    if wl < 1050.0:
        return float(10.0 ** (2.0 * (wl / 1000.0 - 0.700)))
    return 5.0


def c_b(wavelength_nm: float) -> float:
    """Correction factor C_B (blue-light photochemical), Z136.1-2014 Table 6:
    1 for 400-450 nm, 10^(20(lambda_um - 0.450)) for 450-600 nm; not used above 600 nm."""
    wl = _check_wavelength(wavelength_nm)
    if wl < 450.0:
        return 1.0
    return float(10.0 ** (20.0 * (min(wl, 600.0) / 1000.0 - 0.450)))


def c_c(wavelength_nm: float) -> float:
    """Correction factor C_C, Z136.1-2014 Table 6: 1 for 700-1150 nm,
    10^(18(lambda_um - 1.150)) for 1150-1200 nm, 8.0 for 1200-1400 nm (1 below 700 nm)."""
    wl = _check_wavelength(wavelength_nm)
    if wl < 1150.0:
        return 1.0
    if wl < 1200.0:
        return float(10.0 ** (18.0 * (wl / 1000.0 - 1.150)))
    return 8.0


def default_exposure_s(wavelength_nm: float) -> float:
    """The duration Z136.1 prescribes for an unintended exposure: 0.25 s visible, 10 s near-IR."""
    return T_AVERSION_S if is_visible(_check_wavelength(wavelength_nm)) else T_NEAR_IR_S


def _thermal_radiant_exposure_j_cm2(wl: float, t: float) -> float:
    """Retinal thermal limit H (J/cm^2) for t < 10 s, Z136.1-2014 Table 5a.

    Visible and 700-1050 nm rows (scaled by C_A, which is 1 in the visible):
      1e-13..1e-11 s: 1.0e-7 C_A;  1e-11..5e-6 s: 2.0e-7 C_A;  5e-6..10 s: 1.8e-3 C_A t^0.75.
    1050-1400 nm rows (C_A = 5 is folded into the constants):
      1e-13..1e-11 s: 1.0e-6 C_C;  1e-11..1.3e-5 s: 2.0e-6 C_C;  1.3e-5..10 s: 9.0e-3 C_C t^0.75.
    """
    if wl < 1050.0:
        ca = c_a(wl)
        if t < 1e-11:
            return 1.0e-7 * ca
        if t < 5e-6:
            return 2.0e-7 * ca
        return 1.8e-3 * ca * t**0.75
    cc = c_c(wl)
    if t < 1e-11:
        return 1.0e-6 * cc
    if t < 1.3e-5:
        return 2.0e-6 * cc
    return 9.0e-3 * cc * t**0.75


def mpe_w_cm2(wavelength_nm: float, exposure_s: float | None = None) -> float:
    """Ocular MPE as a corneal irradiance in W/cm^2, point source, ANSI Z136.1-2014 Table 5a.

    ``exposure_s`` defaults to :func:`default_exposure_s`. For t >= 10 s (= T_2 of a point
    source) the thermal limit is constant: 1.0e-3 W/cm^2 in the visible, 1.0e-3 C_A W/cm^2
    for 700-1050 nm and 5.0e-3 C_C W/cm^2 for 1050-1400 nm; in 400-600 nm the blue-light
    photochemical limit also applies (dual limit, the lower governs): 1.0e-2 C_B J/cm^2 for
    10-100 s, then 1.0e-4 C_B W/cm^2 up to 3e4 s.

    >>> round(mpe_w_cm2(532.0, 0.25) * 1e3, 3)   # mW/cm^2
    2.546
    """
    wl = _check_wavelength(wavelength_nm)
    t = default_exposure_s(wl) if exposure_s is None else _check_duration(exposure_s)
    if t < 10.0:
        return _thermal_radiant_exposure_j_cm2(wl, t) / t
    if wl < 700.0:
        thermal = 1.0e-3
    elif wl < 1050.0:
        thermal = 1.0e-3 * c_a(wl)
    else:
        thermal = 5.0e-3 * c_c(wl)
    if wl <= 600.0:
        photochemical = 1.0e-2 * c_b(wl) / t if t < 100.0 else 1.0e-4 * c_b(wl)
        return min(thermal, photochemical)
    return thermal
