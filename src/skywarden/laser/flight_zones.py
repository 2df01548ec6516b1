"""FAA laser flight zones: their irradiance limits and the beam distances that meet them.

Why: above the eye hazard, a visible beam can dazzle, flash-blind or distract a crew.
FAA Order JO 7400.2 (chapter 29, "Outdoor laser operations") and Advisory Circular
70-1B ("Outdoor laser operations") protect aircraft with flight zones, each with a maximum
visually-corrected irradiance:

==========================  =====================  ==========================================
zone                        limit                  distance (AC 70-1B, Appendix on zones)
==========================  =====================  ==========================================
laser-free (LFZ)            50 nW/cm^2             LFED = SZED * sqrt(2000)
critical (CFZ)              5 uW/cm^2              CZED = SZED * sqrt(20)
sensitive (SFZ)             100 uW/cm^2            SZED_ft = (32.8/phi_mrad) sqrt(12732 P VCF)
normal (NFZ)                the ocular MPE         NOHD
==========================  =====================  ==========================================

SZED is the beam range to 100 uW/cm^2 with a = 0: sqrt(4 P VCF / (pi 1e-4)) cm over
phi = 1e-3 phi_mrad rad, and 1 cm/mrad = 10 m = 32.8 ft; the other two follow from the
square-root scaling of the limits (100/5 = 20, 100/0.05 = 2000). Here the same distances
come from :meth:`Beam.range_to_irradiance_m`, which keeps the exit diameter (a/phi
metres shorter, negligible at these ranges) and adds atmospheric attenuation when given.

VCF is the visual correction factor, the photopic luminous efficiency V(lambda) (CIE 1924)
normalised to 1 at 555 nm. It is a parameter because the FAA's worked examples take
VCF = 1 at 532 nm, where V = 0.862. Invisible beams (VCF = 0) have no visual zones.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from skywarden.laser.beam import Beam
from skywarden.laser.mpe import default_exposure_s, is_visible


class FlightZone(StrEnum):
    """FAA laser flight zones, most to least restrictive (AC 70-1B, JO 7400.2 ch. 29)."""

    LASER_FREE = "LFZ"
    CRITICAL = "CFZ"
    SENSITIVE = "SFZ"
    NORMAL = "NFZ"


# Maximum visually-corrected irradiance in W/cm^2 (AC 70-1B; JO 7400.2 ch. 29 "flight zones").
# The normal flight zone's limit is the MPE, which depends on the beam, hence None here.
ZONE_LIMIT_W_CM2: dict[FlightZone, float | None] = {
    FlightZone.LASER_FREE: 50e-9,
    FlightZone.CRITICAL: 5e-6,
    FlightZone.SENSITIVE: 100e-6,
    FlightZone.NORMAL: None,
}

# CIE 1924 photopic luminous efficiency V(lambda), 380-780 nm every 10 nm (CIE 018:2019).
_V_NM = np.arange(380.0, 781.0, 10.0)
_V = np.array(
    [
        0.000039, 0.00012, 0.000396, 0.00121, 0.004, 0.0116, 0.023, 0.038, 0.06, 0.09098,
        0.13902, 0.20802, 0.323, 0.503, 0.71, 0.862, 0.954, 0.99495, 0.995, 0.952,
        0.87, 0.757, 0.631, 0.503, 0.381, 0.265, 0.175, 0.107, 0.061, 0.032,
        0.017, 0.00821, 0.004102, 0.002091, 0.001047, 0.00052, 0.000249, 0.00012, 0.00006,
        0.00003, 0.000015,
    ]
)  # fmt: skip


def photopic_vcf(wavelength_nm: float) -> float:
    """Photopic V(lambda) interpolated from the CIE 1924 table; 0 outside 400-700 nm.

    The FAA zones are defined for visible beams only, so near-IR gets VCF = 0 even where
    the CIE table still has a tail.
    """
    if not is_visible(wavelength_nm):
        return 0.0
    return float(np.interp(wavelength_nm, _V_NM, _V))


@dataclass(frozen=True)
class HazardDistances:
    """All distances of one beam, metres; visual ones ``None`` for an invisible beam."""

    mpe_w_cm2: float
    exposure_s: float
    nohd_m: float
    vcf: float
    szed_m: float | None
    czed_m: float | None
    lfed_m: float | None

    def for_zone(self, zone: FlightZone) -> float:
        """The distance beyond which the beam meets ``zone``'s limit (0 if it has none)."""
        value = {
            FlightZone.NORMAL: self.nohd_m,
            FlightZone.SENSITIVE: self.szed_m,
            FlightZone.CRITICAL: self.czed_m,
            FlightZone.LASER_FREE: self.lfed_m,
        }[zone]
        # Whichever is longer governs: the eye hazard applies in every zone.
        return max(self.nohd_m, value or 0.0)

    def to_dict(self) -> dict[str, float | None]:
        return {
            "mpe_w_cm2": self.mpe_w_cm2,
            "exposure_s": self.exposure_s,
            "nohd_m": self.nohd_m,
            "vcf": self.vcf,
            "szed_m": self.szed_m,
            "czed_m": self.czed_m,
            "lfed_m": self.lfed_m,
        }


def hazard_distances(
    beam: Beam, exposure_s: float | None = None, vcf: float | None = None
) -> HazardDistances:
    """NOHD and, for a visible beam, SZED, CZED and LFED.

    ``vcf`` defaults to :func:`photopic_vcf`; pass 1.0 to reproduce the FAA's examples.
    """
    t = default_exposure_s(beam.wavelength_nm) if exposure_s is None else float(exposure_s)
    mpe = beam.mpe_w_cm2(t)
    nohd = beam.range_to_irradiance_m(mpe)
    visible = is_visible(beam.wavelength_nm)
    k = photopic_vcf(beam.wavelength_nm) if vcf is None else float(vcf)
    if not visible:
        k = 0.0
    szed = czed = lfed = None
    if visible:

        def dist(zone: FlightZone) -> float:
            lim = ZONE_LIMIT_W_CM2[zone]
            assert lim is not None
            return beam.range_to_irradiance_m(lim, vcf=k)

        szed = dist(FlightZone.SENSITIVE)
        czed = dist(FlightZone.CRITICAL)
        lfed = dist(FlightZone.LASER_FREE)
    return HazardDistances(mpe, t, nohd, k, szed, czed, lfed)
