"""A Gaussian CW beam in the far field: irradiance along its axis and hazard distances.

Why: the nominal ocular hazard distance (NOHD) and the FAA visual-interference distances
(SZED, CZED, LFED) are all the range at which the on-axis irradiance of a diverging beam
falls to a limit. ANSI Z136.1-2014 (Appendix B, beam calculations) and Z136.6-2015 (outdoor
use) give, with beam diameter ``a`` and full-angle divergence ``phi`` both at the 1/e
irradiance points (Z136.1 section 3 definitions), the peak irradiance at range r

    E(r) = 4 P tau(r) / (pi (a + phi r)^2),     tau(r) = exp(-mu r)

and so, in vacuum (tau = 1),  NOHD = (sqrt(4P / (pi MPE)) - a) / phi.
With atmospheric attenuation (ANSI Z136.6 outdoor use; Beer-Lambert extinction
coefficient mu) E(r) is still strictly decreasing, so the distance is the unique root of
ln E(r) = ln E_limit, found by bracketed root finding below the vacuum distance.

Beams specified at 1/e^2 points have a and phi larger by sqrt(2); convert before use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq

from skywarden.laser.mpe import LaserInputError, _check_duration, _check_wavelength, mpe_w_cm2

FloatArray = npt.NDArray[np.float64]

# Koschmieder's law (2 % contrast threshold): extinction at 550 nm = 3.912 / visibility.
KOSCHMIEDER = 3.912


def extinction_per_km(visibility_km: float, wavelength_nm: float) -> float:
    """Aerosol extinction coefficient (1/km) from meteorological visibility.

    Koschmieder's relation at 550 nm scaled to the wavelength with the Kim model
    (Kim, McArthur & Korevaar, Proc. SPIE 4214, 2001): mu = 3.912/V * (lambda/550)^-q with
    q = 1.6 for V > 50 km, 1.3 for 6-50 km, 0.16 V + 0.34 for 1-6 km, V - 0.5 for 0.5-1 km.
    """
    v = float(visibility_km)
    if not math.isfinite(v) or v <= 0.5:
        raise LaserInputError("visibility_km", f"{visibility_km!r} must be > 0.5 km")
    if v > 50.0:
        q = 1.6
    elif v > 6.0:
        q = 1.3
    elif v > 1.0:
        q = 0.16 * v + 0.34
    else:
        q = v - 0.5
    return KOSCHMIEDER / v * (float(wavelength_nm) / 550.0) ** (-q)


def _positive(name: str, value: float) -> float:
    v = float(value)
    if not math.isfinite(v) or v <= 0.0:
        raise LaserInputError(name, f"{value!r} must be a positive finite number")
    return v


@dataclass(frozen=True)
class Beam:
    """A CW laser beam: output power, wavelength, exit diameter and divergence (1/e points).

    ``attenuation_per_km`` is the atmospheric extinction coefficient mu (0 = vacuum, the
    conservative default of Z136.1); see :func:`extinction_per_km`.

    >>> b = Beam(power_w=0.005, wavelength_nm=532, divergence_mrad=1.0, diameter_mm=1.0)
    >>> round(b.nohd_m(0.25), 1)
    14.8
    """

    power_w: float
    wavelength_nm: float
    divergence_mrad: float
    diameter_mm: float
    attenuation_per_km: float = 0.0

    def __post_init__(self) -> None:
        _positive("power_w", self.power_w)
        _check_wavelength(self.wavelength_nm)
        _positive("divergence_mrad", self.divergence_mrad)
        d = float(self.diameter_mm)
        if not math.isfinite(d) or d < 0.0:
            raise LaserInputError("diameter_mm", f"{self.diameter_mm!r} must be >= 0")
        mu = float(self.attenuation_per_km)
        if not math.isfinite(mu) or mu < 0.0:
            raise LaserInputError("attenuation_per_km", f"{self.attenuation_per_km!r} < 0")

    # ------------------------------------------------------------------ irradiance

    def irradiance_w_cm2(self, range_m: float | FloatArray) -> FloatArray:
        """Peak (on-axis) irradiance in W/cm^2 at ``range_m`` metres from the exit aperture."""
        r = np.asarray(range_m, dtype=float)
        d_cm = self.diameter_mm / 10.0 + self.divergence_mrad * 1e-3 * r * 100.0
        tau = np.exp(-self.attenuation_per_km * r / 1000.0)
        with np.errstate(divide="ignore"):
            out: FloatArray = 4.0 * self.power_w * tau / (math.pi * d_cm**2)
        return out

    def range_to_irradiance_m(self, limit_w_cm2: float, *, vcf: float = 1.0) -> float:
        """The range (m) beyond which the peak irradiance, times ``vcf``, stays below the limit.

        ``vcf`` weights the power (the FAA's visual correction factor for the visual-
        interference zones; 1 for eye-hazard limits). Returns 0 when the beam is already
        below the limit at the aperture.
        """
        lim = _positive("limit_w_cm2", limit_w_cm2)
        p = self.power_w * float(vcf)
        if p <= 0.0:
            return 0.0
        a_cm = self.diameter_mm / 10.0
        phi = self.divergence_mrad * 1e-3
        vacuum_m = (math.sqrt(4.0 * p / (math.pi * lim)) - a_cm) / phi / 100.0
        if vacuum_m <= 0.0:
            return 0.0
        mu = self.attenuation_per_km / 1000.0
        if mu == 0.0:
            return vacuum_m

        def excess(r: float) -> float:
            d_cm = a_cm + phi * r * 100.0
            return math.log(4.0 * p / (math.pi * d_cm * d_cm)) - mu * r - math.log(lim)

        return float(brentq(excess, 0.0, vacuum_m, xtol=1e-6, rtol=1e-12))

    # ------------------------------------------------------------------ hazard distances

    def mpe_w_cm2(self, exposure_s: float | None = None) -> float:
        """The ocular MPE for this wavelength (see :func:`skywarden.laser.mpe.mpe_w_cm2`)."""
        if exposure_s is not None:
            _check_duration(exposure_s)
        return mpe_w_cm2(self.wavelength_nm, exposure_s)

    def nohd_m(self, exposure_s: float | None = None) -> float:
        """Nominal ocular hazard distance, metres (with this beam's attenuation)."""
        return self.range_to_irradiance_m(self.mpe_w_cm2(exposure_s))
