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
so the sum is too, and the test keeps its size. It is weaker for a bird on two sites'
rays at once, each site's offset keeping its own sign: their crossing rules that out
except near the emitters themselves, and there it does not (held-out seed 26, S87: a
bird 700-1,000 m from two hovering drones, -1.0 and +1.5 bearing errors at the two
finders, which cancel; docs/notes/wave26.md, section 3).

**Do the bearings follow the track?** (``follow``, asked by default since wave 22.) A
bird that flies *through* the ray, not beside it, has residuals of both signs: their
mean is near zero and the test above says nothing (held-out seed 23, S36: a bird
crossing the one finder's ray to a surveillance drone 7 km out, counted as an
incursion). What tells it
apart is that the finder's bearing stands still while the track's bearing from the
finder sweeps: the residual ``nu`` falls as the track's azimuth ``x`` grows, slope -1,
where the emitter's own residuals are noise, slope 0 (``bench/track_story.py``'s
follow: S36's bird 0.13 of the track's sweep, S85's surveillance drone 0.96). The same
faded sums give the weighted least-squares slope ``b`` of ``nu`` on ``x`` and its
standard error under "noise alone" (the variance of each residual ``S``, as above). The
bearings do not follow when ``1 + b < follow_below`` and ``b`` lies ``z_max`` errors
below zero. The track's own position error moves its azimuth without moving the
bearing, which biases ``b`` towards -1 by the ratio of that error's variance to the
sweep's; so a verdict also needs the sweep's weighted variance to be ``follow_sweep``
squared times the track's own azimuth variance (the bias at most ``1 / follow_sweep^2``).
``x`` is measured from an azimuth fixed per track at its first fit (the tracker's
``rf_ref``), so it is continuous wherever the track flies.
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
    #: the follow test (module doc) is asked (since wave 22: no verdict of the reference
    #: seed's week changed with it, docs/notes/wave22.md)
    follow: bool = True
    #: ... the bearings do not follow when they move less than this share of the sweep
    follow_below: float = 0.5
    #: ... which must be this many of the track's own azimuth errors (1 sigma)
    follow_sweep: float = 3.0

    def __post_init__(self) -> None:
        for name in ("z_max", "tau_s", "min_bearings", "follow_below", "follow_sweep"):
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
        """The faded sums (M, W, V) per track, and the follow sums
        (:func:`.bearings.follow_sums`)."""
        return {"c_rf_resid": np.zeros((k, 3)), "c_rf_follow": np.zeros((k, 6))}

    def observe(
        self, a: Arrays, resid: FloatArray | None, dt: float, follow: FloatArray | None = None
    ) -> None:
        """Fade the sums over ``dt`` s and add this scan's (k, 3) ``resid`` and (k, 6)
        ``follow``."""
        q = math.exp(-max(dt, 0.0) / self.tau_s)
        s = a["c_rf_resid"]
        s[:, :2] *= q
        s[:, 2] *= q * q
        if resid is not None:
            s += resid
        f = a.get("c_rf_follow")
        if f is None:
            return
        f[:, [0, 1, 2, 5]] *= q
        f[:, [3, 4]] *= q * q
        if follow is not None:
            f += follow

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
        one: Arrays = {k: a[k][row : row + 1] for k in ("c_rf_resid", "c_rf_follow") if k in a}
        if not self.beside(one)[0]:
            return None
        if self.follow and "c_rf_follow" in one and self.not_following(one)[0]:
            share = float(self.follow_slope(one)[0][0])
            return (
                f"RF: the bearings that fit followed {share:.2f} of this track's sweep"
                " across the finder: another emitter on the ray it crossed, not its own link"
            )
        off = float(self.offset_deg(one)[0])
        return (
            f"RF: the bearings that fit run {off:+.1f} deg beside this track: another"
            " emitter on a nearby ray, not its own link"
        )

    def beside(self, a: Arrays) -> npt.NDArray[np.bool_]:
        """Per track: its recent bearings (``min_bearings`` worth) run beside it, more
        than ``z_max`` errors off, or (``follow``) do not follow it."""
        s = a["c_rf_resid"]
        w = np.maximum(s[:, 1], 1e-9)
        var = s[:, 2] / (w * w) + math.radians(self.sigma_bias_deg) ** 2
        off = (s[:, 1] >= self.min_bearings) & (np.abs(s[:, 0] / w) > self.z_max * np.sqrt(var))
        if self.follow and "c_rf_follow" in a:
            off |= self.not_following(a)
        return off

    def follow_slope(self, a: Arrays) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per track, from the faded sums: the share of the track's azimuth sweep the
        bearings followed (``1 + b``; 1: the track's own link), ``b``'s standard error
        under noise alone, and the sweep's weighted variance over the track's own azimuth
        variance (NaN where there is no sweep to speak of)."""
        s, f = a["c_rf_resid"], a["c_rf_follow"]
        w = np.maximum(s[:, 1], 1e-9)
        xbar = f[:, 0] / w
        sxx = f[:, 1] - f[:, 0] * xbar
        ok = sxx > 1e-12
        sxx_ = np.where(ok, sxx, 1.0)
        b = (f[:, 2] - xbar * s[:, 0]) / sxx_
        var_b = (f[:, 4] - 2.0 * xbar * f[:, 3] + xbar * xbar * s[:, 2]) / (sxx_ * sxx_)
        se = np.sqrt(np.maximum(var_b, 0.0))
        ratio = sxx / np.maximum(f[:, 5], 1e-12)  # the weights' sum cancels
        nan = np.full(b.shape, np.nan)
        return np.where(ok, 1.0 + b, nan), np.where(ok, se, nan), np.where(ok, ratio, nan)

    def not_following(self, a: Arrays) -> npt.NDArray[np.bool_]:
        """Per track: its recent bearings (``min_bearings`` worth) stood still while the
        track swept across them (module doc)."""
        share, se, ratio = self.follow_slope(a)
        with np.errstate(invalid="ignore"):
            return (
                (a["c_rf_resid"][:, 1] >= self.min_bearings)
                & (ratio >= self.follow_sweep**2)
                & (share < self.follow_below)
                & (share - 1.0 < -self.z_max * se)
            )
