"""Do the bearings that fit a track run *along* it, or beside it?

One direction finder's bearing is a ray: anything the radar tracks on it fits, and the
bearing association (:mod:`.bearings`) gives a lone candidate nearly all of it. A bird
that flies across the ray of a drone nobody tracks (a patrol beyond the radar's reach)
fits every bearing for a minute, and the classifier took that minute as the drone's
link: held-out month seed 13, sector S24, two birds counted as incursions
(docs/notes/wave13.md).

What sets them apart is the sequence, not one scan. A track that is the emitter has
bearing residuals that average to zero: each is the finder's noise (3 deg in the
simulator). A bird crossing another emitter's ray has residuals that keep one sign, the
angle between the bird and the real emitter as the finder sees it (seed 13 S24: a mean
of +4.5 and -7.0 deg over 28 and 119 bearings, 8 and 25 standard errors). Each bearing
passes the 3.3-sigma gate; their mean does not. This is the time-averaged innovation
test of filter consistency (Bar-Shalom, Li and Kirubarajan 2001, "Estimation with
Applications to Tracking and Navigation", section 5.4.2) applied to one track's bearing
residuals.

Per track, faded over ``tau_s``: ``M = sum w nu`` (the association weight times the
azimuth residual), ``W = sum w`` and ``V = sum w^2 S`` (the variance of ``M`` if every
residual is noise; ``S`` the residual's variance, bearing noise plus the track's own
uncertainty across the ray). The bearings run beside the track when the weighted mean
``M / W`` lies more than ``z_max`` standard errors from zero, the error being
``sqrt(V / W^2 + sigma_bias^2)``: ``sigma_bias_deg`` is the finder's systematic error a
calibrated site keeps (antenna and mast alignment, terrain multipath), which averaging
does not remove. The simulator's finders have none; a real deployment sets it from its
calibration. The verdict needs ``min_bearings`` bearings' worth in the faded sums
(``W``): without new fits ``M / W`` stands still while ``W`` fades, so a verdict lasts
about two minutes after the last fit and then lapses, and a few weak fits (a coasting
drone's track that another link's bearings graze: seed 4's three days, S80) never make
one.

Residuals of several sites add in one sum: for a real emitter each site's are zero-mean,
so the sum is too, and the test keeps its size; it is weaker only for a bird on two
sites' rays at once, which their crossing already rules out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.geo import FloatArray

Arrays = dict[str, np.ndarray]


@dataclass(frozen=True)
class RfBias:
    """The off-ray test of a track's RF bearings (module doc)."""

    z_max: float = 3.0
    sigma_bias_deg: float = 1.0
    tau_s: float = 60.0
    min_bearings: float = 3.0

    def __post_init__(self) -> None:
        for name in ("z_max", "tau_s", "min_bearings"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"classifier.rf_bias.{name} must be a positive number, got {v!r}")
        if not (math.isfinite(self.sigma_bias_deg) and self.sigma_bias_deg >= 0):
            raise ValueError(
                "classifier.rf_bias.sigma_bias_deg must be >= 0 degrees,"
                f" got {self.sigma_bias_deg!r}"
            )

    @staticmethod
    def init(k: int) -> Arrays:
        """The faded sums (M, W, V) per track."""
        return {"c_rf_resid": np.zeros((k, 3))}

    def observe(self, a: Arrays, resid: FloatArray | None, dt: float) -> None:
        """Fade the sums over ``dt`` s and add this scan's (k, 3) ``resid``."""
        q = math.exp(-max(dt, 0.0) / self.tau_s)
        s = a["c_rf_resid"]
        s[:, :2] *= q
        s[:, 2] *= q * q
        if resid is not None:
            s += resid

    def offset_deg(self, a: Arrays) -> FloatArray:
        """The weighted mean residual of the bearings that fit each track (deg; 0 where
        none has)."""
        s = a["c_rf_resid"]
        w = s[:, 1]
        return np.degrees(np.where(w > 1e-9, s[:, 0] / np.maximum(w, 1e-9), 0.0))

    def note(self, a: Arrays, row: int) -> str | None:
        """The evidence line for one track whose bearings run beside it, else None."""
        if a["c_rf_resid"][row, 1] < self.min_bearings:  # the usual track: no verdict
            return None
        one = {"c_rf_resid": a["c_rf_resid"][row : row + 1]}
        if not self.beside(one)[0]:
            return None
        off = float(self.offset_deg(one)[0])
        return (
            f"RF: the bearings that fit run {off:+.1f} deg beside this track: another"
            " emitter on a nearby ray, not its own link"
        )

    def beside(self, a: Arrays) -> npt.NDArray[np.bool_]:
        """Per track: its recent bearings (``min_bearings`` worth) run beside it, more
        than ``z_max`` errors off."""
        s = a["c_rf_resid"]
        w = np.maximum(s[:, 1], 1e-9)
        var = s[:, 2] / (w * w) + math.radians(self.sigma_bias_deg) ** 2
        return (s[:, 1] >= self.min_bearings) & (np.abs(s[:, 0] / w) > self.z_max * np.sqrt(var))
