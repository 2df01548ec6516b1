"""The array core's records: a scan group in, a step's reported rows out.

A scan is a list of :class:`ScanGroup`, one per sensor, each holding that sensor's
detections as arrays (positions or bearings). A step returns a :class:`StepResult` of
column arrays. Track status and sensor-kind bits are the integer codes the track
table stores, so status tests are array comparisons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from skywarden.errors import SkywardenError
from skywarden.geo import FloatArray
from skywarden.model import SensorKind
from skywarden.tracking.bearings import Bearings
from skywarden.tracking.doppler import DopplerPlots

TENTATIVE, CONFIRMED, COASTING = 0, 1, 2
KIND_BIT = {k: 1 << i for i, k in enumerate(SensorKind)}


class ScanError(SkywardenError, ValueError):
    """A scan group is malformed (shapes, non-finite values). Names the group and field."""


@dataclass
class ScanGroup:
    """One sensor's detections in one scan, as arrays (positions or bearings)."""

    t: float
    sensor: str
    kind: SensorKind
    z: FloatArray | None = None  # (m, d) ENU metres
    R: FloatArray | None = None  # (m, d, d) m^2
    velocity: FloatArray | None = None  # (m, d) m/s, NaN rows when not reported
    velocity_var: FloatArray | None = None  # (m,) (m/s)^2
    identity_keys: Sequence[tuple[str, ...]] | None = None  # per detection, () if none
    callsigns: Sequence[str | None] | None = None
    rcs_dbsm: FloatArray | None = None  # (m,)
    bearings: Bearings | None = None
    # (m, 4) likelihood of a radar's class report given each true class (drone, manned,
    # bird, clutter), NaN rows where the detection carries none (classify.class_likelihood)
    class_lik: FloatArray | None = None
    # (m,) s from when each report was observed to ``t`` (0 where it is not a delayed
    # report), None when none is: the core compares a delayed report with each track as
    # it was then (:mod:`.delayed`)
    age_s: FloatArray | None = None
    # a radar group's radial speeds and radar sites (:mod:`.doppler`), None when any
    # plot lacks them or Doppler is off
    doppler: DopplerPlots | None = None

    def __len__(self) -> int:
        if self.bearings is not None:
            return int(self.bearings.azimuth.shape[0])
        return 0 if self.z is None else int(self.z.shape[0])

    def validate(self, dims: int) -> None:
        """Raise :class:`ScanError` naming the group and the field if anything is off."""
        where = f"scan group {self.sensor!r} at t={self.t}"
        if (self.z is None) == (self.bearings is None):
            raise ScanError(f"{where}: needs exactly one of positions or bearings")
        if self.z is not None:
            self._validate_positions(where, dims)
        if self.bearings is not None:
            b = self.bearings
            if not (np.isfinite(b.azimuth).all() and (b.sigma > 0).all()):
                raise ScanError(f"{where}: non-finite bearing or non-positive sigma")
            if not b.range_m > 0:
                raise ScanError(f"{where}: direction-finder range {b.range_m} must be positive")
        if self.class_lik is not None:
            c = self.class_lik
            if c.shape != (len(self), 4):
                want = (len(self), 4)
                raise ScanError(f"{where}: class_lik has shape {c.shape}, expected {want}")
            ok = np.isnan(c).all(axis=1) | ((c >= 0).all(axis=1) & (c.sum(axis=1) > 0))
            if not ok.all():
                raise ScanError(f"{where}: class likelihoods must be non-negative, not all zero")

    def _validate_positions(self, where: str, dims: int) -> None:
        assert self.z is not None
        m = self.z.shape[0]
        if self.z.shape != (m, dims):
            raise ScanError(f"{where}: z has shape {self.z.shape}, expected ({m}, {dims})")
        if self.R is None or self.R.shape != (m, dims, dims):
            raise ScanError(f"{where}: R must have shape ({m}, {dims}, {dims})")
        if not (np.isfinite(self.z).all() and np.isfinite(self.R).all()):
            raise ScanError(f"{where}: non-finite position or covariance")
        if (np.diagonal(self.R, axis1=1, axis2=2) <= 0).any():
            raise ScanError(f"{where}: covariance with non-positive variance")
        if self.doppler is not None:
            dop = self.doppler
            if dop.vr.shape != (m,) or dop.site.shape != (m, 3):
                raise ScanError(f"{where}: doppler needs ({m},) speeds and ({m}, 3) sites")
            if not (np.isfinite(dop.vr).all() and np.isfinite(dop.site).all()):
                raise ScanError(f"{where}: non-finite radial speed or radar site")
            sig = dop.sigma
            if sig is not None and (sig.shape != (m,) or (sig <= 0).any()):
                raise ScanError(f"{where}: doppler sigma needs ({m},) positive values or NaN")
        if self.age_s is not None:
            age = self.age_s
            if age.shape != (m,) or not (np.isfinite(age).all() and (age >= 0).all()):
                raise ScanError(f"{where}: age_s must be ({m},) finite ages >= 0 s")


@dataclass
class TrackMeta:
    """Python-side facts of a track that are not numbers: identities and callsign."""

    identities: list[str] = field(default_factory=list)
    callsign: str | None = None


@dataclass
class StepResult:
    """Rows reported by a step: live confirmed/coasting tracks, and tracks that ended."""

    live: dict[str, npt.NDArray]
    ended: dict[str, npt.NDArray]
    ended_meta: dict[int, TrackMeta] = field(default_factory=dict)


def cooperative_columns(k: int) -> dict[str, npt.NDArray]:
    """The cooperative-report columns the core writes itself (ADS-B and Remote ID update
    counts, last visual report time) when no classifier supplies its evidence columns."""
    return {"c_adsb": np.zeros(k), "c_rid": np.zeros(k), "c_visual_t": np.full(k, np.nan)}
