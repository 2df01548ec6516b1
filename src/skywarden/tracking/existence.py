"""Per-track existence probability, IPDA-style (Musicki, Evans and Stankovic 1994).

Integrated probabilistic data association ("Integrated probabilistic data association",
IEEE Trans. Automatic Control 39(6), 1237-1241) carries, beside each track's state, the
probability that the target it follows exists. Per scan, for every track at once:

- prediction (a Markov chain): ``p <- survival_per_s ** dt * p``;
- update: ``p <- (1 - delta) p / (1 - delta p)`` with
  ``1 - delta = 1 - P_D + P_D * Lambda`` where ``Lambda`` is the likelihood ratio of the
  measurement assigned to the track against clutter, ``g(nu) / lambda`` (the Gaussian
  innovation density over the clutter density; one measurement per track, as our
  association is global nearest neighbour, so the sum over gated measurements of full
  IPDA reduces to the assigned one). A missed scan is ``Lambda = 0``:
  ``p <- (1 - P_D) p / (1 - P_D p)``.

``P_D`` is each track's own: an exponential mean of its hits over ``pd_memory_scans``
scans, starting at and capped by ``detection_probability``, floored at ``pd_min``.
Sensor coverage is uneven (a small drone mid-way between two radars is seen in half
the scans, one near a radar in nine of ten), and a fixed ``P_D`` would make every
miss of a weakly seen target look like its death. With ``P_D = 0.9`` a confirmed track
falls from ~0.99 to ~0.9 after one miss, ~0.45 after two and ~0.07 after three, which
lets the output stop showing a coasting track after two misses while the track is
kept for re-acquisition; a track seen half the time needs about seven misses in a row.
The gate probability ``P_G`` (0.999) is taken as 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.geo import FloatArray


@dataclass(frozen=True)
class Existence:
    """IPDA existence update; ``clutter_density`` per m^dims (per m^2 in 2-D, m^3 in 3-D)."""

    detection_probability: float = 0.9
    survival_per_s: float = 0.99
    clutter_density: float = 1e-6
    p_init: float = 0.5
    pd_memory_scans: float = 30.0
    pd_min: float = 0.3
    p_max: float = 1.0 - 1e-6

    @property
    def log_clutter(self) -> float:
        return math.log(self.clutter_density)

    def track_pd(self, pd_hat: FloatArray, hit: npt.NDArray[np.bool_]) -> FloatArray:
        """Each track's detection probability after one more scan (``hit`` or not)."""
        new = pd_hat + (hit.astype(float) - pd_hat) / self.pd_memory_scans
        return np.asarray(np.clip(new, self.pd_min, self.detection_probability))

    def update(
        self,
        p: FloatArray,
        hit: npt.NDArray[np.bool_],
        log_lr: FloatArray,
        dt: float,
        pd: FloatArray | float | None = None,
    ) -> FloatArray:
        """Existence after ``dt`` seconds and one scan (``hit`` with ``log_lr``, or a miss)."""
        pd = self.detection_probability if pd is None else pd
        p = p * self.survival_per_s ** max(dt, 0.0)
        lr = np.exp(np.clip(np.nan_to_num(log_lr, nan=0.0, neginf=-50.0), -50.0, 50.0))
        one_minus_delta = np.where(hit, 1.0 - pd + pd * lr, 1.0 - pd)
        post = one_minus_delta * p / (1.0 - p + one_minus_delta * p)
        return np.asarray(np.clip(post, 0.0, self.p_max))
