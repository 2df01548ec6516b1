"""Track initiation: single-point priors and M-of-N confirmation.

Every detection left over after association starts a *tentative* track whose prior is
the detection itself (position and its covariance) with an unknown velocity: zero mean
and ``speed_sigma`` per axis, unless the sensor reported a velocity (Remote ID, ADS-B).
A tentative track becomes *confirmed* once it has been hit in ``m`` of the last ``n``
scans by sensors allowed to confirm (a coarse visual sighting may start a track and
keep it alive but never counts towards confirmation); it is dropped as soon as ``m``
hits within its first ``n`` scans can no longer happen (Blackman and Popoli 1999,
section 3.2, "M/N logic").

The hit history is a bit mask per track (bit 0 = the latest scan), so shifting,
counting and testing are integer array operations over all tracks at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.geo import FloatArray

UIntArray = npt.NDArray[np.uint32]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class MofN:
    """Confirm a track after ``m`` hits in the last ``n`` scans (1 <= m <= n <= 32)."""

    m: int = 3
    n: int = 4

    def __post_init__(self) -> None:
        if not 1 <= self.m <= self.n <= 32:
            raise ValueError(f"MofN: need 1 <= m <= n <= 32, got m={self.m}, n={self.n}")

    @property
    def _mask(self) -> np.uint32:
        return np.uint32((1 << self.n) - 1)

    def shift(self, history: UIntArray, hit: BoolArray) -> UIntArray:
        """History after one more scan with ``hit`` (one bool per track)."""
        return ((history << np.uint32(1)) | hit.astype(np.uint32)) & self._mask

    def hits(self, history: UIntArray) -> npt.NDArray[np.uint8]:
        """Hits within the window."""
        return np.bitwise_count(history)

    def confirmed(self, history: UIntArray) -> BoolArray:
        return np.asarray(self.hits(history) >= self.m)

    def hopeless(self, history: UIntArray, age_scans: npt.NDArray[np.int64]) -> BoolArray:
        """Tentative tracks that can no longer reach ``m`` hits within ``n`` scans."""
        remaining = np.maximum(self.n - age_scans, 0)
        return np.asarray(self.hits(history).astype(np.int64) + remaining < self.m)


def single_point_prior(
    z: FloatArray,
    r: FloatArray,
    speed_sigma: float,
    velocity: FloatArray | None = None,
    velocity_var: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Prior ``(x0, P0)`` for new tracks from position detections ``z`` (k, d), ``r`` (k, d, d).

    Rows of ``velocity`` (k, d) that are finite replace the zero-velocity guess, with
    variance ``velocity_var`` (k,).
    """
    k, d = z.shape
    x0 = np.zeros((k, 2 * d))
    x0[:, :d] = z
    p0 = np.zeros((k, 2 * d, 2 * d))
    p0[:, :d, :d] = r
    vvar = np.full(k, speed_sigma**2)
    if velocity is not None:
        known = np.all(np.isfinite(velocity), axis=1)
        x0[known, d:] = velocity[known]
        if velocity_var is not None:
            vvar = np.where(known & np.isfinite(velocity_var), velocity_var, vvar)
    idx = np.arange(d, 2 * d)
    p0[:, idx, idx] = vvar[:, None]
    return x0, p0


@dataclass(frozen=True)
class Initiator:
    """Starts tentative tracks on leftover detections and confirms them by M-of-N.

    ``confirm``: the M-of-N rule; ``speed_sigma_ms``: a new track's unknown velocity,
    per axis, where the sensor reported none.
    """

    confirm: MofN = MofN()
    speed_sigma_ms: float = 25.0

    def prior(
        self,
        z: FloatArray,
        r: FloatArray,
        velocity: FloatArray | None = None,
        velocity_var: FloatArray | None = None,
    ) -> tuple[FloatArray, FloatArray]:
        """Single-point priors of new tracks (:func:`single_point_prior`)."""
        return single_point_prior(z, r, self.speed_sigma_ms, velocity, velocity_var)
