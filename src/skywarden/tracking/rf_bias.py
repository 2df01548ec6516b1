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

**Does one finder's bearing follow?** (``per_finder``, off by default, wave 29.) The
pooled sums measure every finder's ``x`` from one reference, so two finders some 50 deg
apart put that gap into the sweep: a finder whose bearing stood still while the track's
swept 11 deg (held-out seed 28, S87: a bird, share about 0 at that finder) was
diluted by the other's pairs to a pooled share of about 1.05, and no verdict fired
(wave 29's design note). With ``per_finder`` each track also keeps
``astray_slots`` finder slots, each with its own reference azimuth and the same sums,
faded over ``astray_tau_s`` (:meth:`RfBias.feed`). A bearing group is one finder, so a
slot is fed from the group's per-row sums: nothing new is computed per pair but the
weighted bearing variance. A finder's bearings go *astray* (:meth:`RfBias.astray`) when
it has ``astray_min_weight`` bearings' worth, its sweep's weighted sd is at least
``follow_sweep`` of the track's own azimuth errors and ``astray_min_sweep_sigmas`` of the
finder's bearing error (the test does not model errors in ``x`` or outliers at the edge
of a tiny sweep: a radial flight, whose bearing hardly moves, gets no verdict), and its
share is below ``follow_below`` at ``astray_z`` standard errors. The verdict is
recorded (``TrackUpdate.rf_astray``).

**Withholding an astray finder** (``astray_withhold``, off by default, wave 32). With it,
the bearing associator stops applying a finder's bearings to a track that finder is named
astray on: no filter update, no RF credit, no fit (:meth:`.BearingDecision.withhold`).
The verdict must outlive the withholding, or it would oscillate: withheld bearings that
no longer fed the slot would let its sums fade over ``astray_tau_s``, the verdict lapse
and the bearings come back. So the slot is still fed with what the association *scored*
(each pair's weight and residual, computed before any bearing is applied), not with what
it applied; the verdict lasts as long as the finder's bearings keep fitting the track,
and fades only when they stop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.geo import FloatArray
from skywarden.tracking.measurements import wrap_angle

Arrays = dict[str, np.ndarray]

#: a finder slot's sums: (M, W, V) as ``c_rf_resid``, the six follow sums as
#: ``c_rf_follow``, and the weighted bearing variance ``sum w sigma^2``
FINDER_SUMS = 10
#: ... the columns faded by ``q`` (weights) and by ``q^2`` (weights squared)
_FADE_Q = [0, 1, 3, 4, 5, 8, 9]
_FADE_Q2 = [2, 6, 7]


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
    #: the follow test per finder (module doc): recorded as ``TrackUpdate.rf_astray``
    per_finder: bool = False
    #: ... finder slots per track (a further finder takes the lightest one's)
    astray_slots: int = 3
    #: ... the slots' fading (s): a slower sweep than the pooled test needs
    astray_tau_s: float = 120.0
    #: ... bearings' worth (faded weights) a finder needs for a verdict
    astray_min_weight: float = 10.0
    #: ... standard errors by which its share must fall short of 1
    astray_z: float = 4.0
    #: ... its sweep's sd, in the finder's bearing errors (1 sigma)
    astray_min_sweep_sigmas: float = 0.5
    #: withhold an astray finder's bearings from the track (module doc; needs per_finder)
    astray_withhold: bool = False

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
        for name in ("astray_tau_s", "astray_min_weight", "astray_z"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise ValueError(f"classifier.rf_bias.{name} must be a positive number, got {v!r}")
        v = self.astray_min_sweep_sigmas
        if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
            raise ValueError(f"classifier.rf_bias.astray_min_sweep_sigmas must be >= 0, got {v!r}")
        for name in ("per_finder", "astray_withhold"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(
                    f"classifier.rf_bias.{name} must be true or false, got {getattr(self, name)!r}"
                )
        if self.astray_withhold and not self.per_finder:
            raise ValueError(
                "classifier.rf_bias.astray_withhold needs classifier.rf_bias.per_finder:"
                " the verdict it acts on is the per-finder test's"
            )
        k = self.astray_slots
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 16:
            raise ValueError(
                f"classifier.rf_bias.astray_slots must be an integer in [1, 16], got {k!r}"
            )

    def init(self, k: int) -> Arrays:
        """The faded sums (M, W, V) per track, and the follow sums
        (:func:`.bearings.follow_sums`); with ``per_finder``, each finder slot's id
        (-1: empty), sums, reference azimuth and this scan's sums (:meth:`feed`)."""
        out = {"c_rf_resid": np.zeros((k, 3)), "c_rf_follow": np.zeros((k, 6))}
        if self.per_finder:
            n = self.astray_slots
            out["c_rf_fslot"] = np.full((k, n), -1.0)
            out["c_rf_fsums"] = np.zeros((k, n, FINDER_SUMS))
            out["rf_fref"] = np.full((k, n), np.nan)
            out["rf_fscan"] = np.zeros((k, n, FINDER_SUMS))
        return out

    def observe(
        self,
        a: Arrays,
        resid: FloatArray | None,
        dt: float,
        follow: FloatArray | None = None,
        finders: FloatArray | None = None,
    ) -> None:
        """Fade the sums over ``dt`` s and add this scan's (k, 3) ``resid`` and (k, 6)
        ``follow`` (and the finder slots' (k, K, 10) ``finders``, :meth:`feed`)."""
        q = math.exp(-max(dt, 0.0) / self.tau_s)
        s = a["c_rf_resid"]
        s[:, :2] *= q
        s[:, 2] *= q * q
        if resid is not None:
            s += resid
        fs = a.get("c_rf_fsums")
        if fs is not None:
            qf = math.exp(-max(dt, 0.0) / self.astray_tau_s)
            fs[:, :, _FADE_Q] *= qf
            fs[:, :, _FADE_Q2] *= qf * qf
            if finders is not None:
                fs += finders
        f = a.get("c_rf_follow")
        if f is None:
            return
        f[:, [0, 1, 2, 5]] *= q
        f[:, [3, 4]] *= q * q
        if follow is not None:
            f += follow

    def feed(
        self,
        a: Arrays,
        finder: int,
        resid: FloatArray,
        follow: FloatArray,
        ref: FloatArray,
        wsig2: FloatArray,
    ) -> None:
        """Add one bearing group's per-row sums to its finder's slot in each track the
        group's bearings fit (``a["rf_fscan"]``, faded by :meth:`observe`).

        ``resid`` (n, 3) and ``follow`` (n, 6) are the group's pooled sums, measured from
        ``ref`` (n,), and ``wsig2`` (n,) the weighted sum of the bearings' variances. In
        one group a track's azimuth from the finder is one number (one site; in lanes, the
        lane's), so ``x = follow[:, 0] / W`` and the slot's sums are those of one ``x``,
        re-measured from the slot's own reference (the first azimuth it was fed): no
        per-pair work and no wrap across finders. A track without a slot for ``finder``
        takes an empty one, else the one with the least weight (emptied)."""
        w = resid[:, 1]
        rows = np.flatnonzero(w > 1e-9)  # a weight that is all but nothing sets no slot
        if rows.shape[0] == 0:
            return
        slot, sums = a["c_rf_fslot"], a["c_rf_fsums"]
        mine = slot[rows] == finder
        have = mine.any(axis=1)
        j = mine.argmax(axis=1)
        if not have.all():
            new = np.flatnonzero(~have)
            empty = slot[rows[new]] < 0
            weight = sums[rows[new], :, 1] + a["rf_fscan"][rows[new], :, 1]
            jn = np.where(empty.any(axis=1), empty.argmax(axis=1), weight.argmin(axis=1))
            j[new] = jn
            rn = rows[new]
            slot[rn, jn] = finder
            sums[rn, jn] = 0.0
            a["rf_fscan"][rn, jn] = 0.0
            a["rf_fref"][rn, jn] = np.nan
        wr = w[rows]
        az = ref[rows] + follow[rows, 0] / wr
        fref = a["rf_fref"][rows, j]
        fref = np.where(np.isnan(fref), az, fref)
        a["rf_fref"][rows, j] = fref
        x = wrap_angle(az - fref)
        m, v = resid[rows, 0], resid[rows, 2]
        add = np.stack(
            [m, wr, v, wr * x, wr * x * x, x * m, x * v, x * x * v, follow[rows, 5], wsig2[rows]],
            axis=1,
        )
        a["rf_fscan"][rows, j] += add

    def astray(self, a: Arrays) -> npt.NDArray[np.bool_]:
        """Per track and finder slot (k, K): that finder's recent bearings stood still
        while the track swept across them (module doc); (k, 0) without ``per_finder``."""
        fs = a.get("c_rf_fsums")
        if fs is None:
            return np.zeros((a["c_rf_resid"].shape[0], 0), dtype=bool)
        k, n_slots, _ = fs.shape
        p = self.astray_terms(fs.reshape(k * n_slots, FINDER_SUMS))
        with np.errstate(invalid="ignore"):
            out = (
                (a["c_rf_fslot"].reshape(-1) >= 0)
                & (p["w"] >= self.astray_min_weight)
                & (p["sxx"] >= p["floor"])
                & (p["ratio"] >= self.follow_sweep**2)
                & (p["share"] < self.follow_below)
                & (p["share"] - 1.0 < -self.astray_z * p["se"])
            )
        return out.reshape(k, n_slots)

    def astray_terms(self, flat: FloatArray) -> dict[str, FloatArray]:
        """The terms :meth:`astray` tests, per finder slot of ``flat`` (n, FINDER_SUMS):
        its weight ``w``, its sweep's weighted sum of squares ``sxx`` and that sum's
        ``floor``, and :meth:`follow_slope`'s ``share``, ``se`` and ``ratio``
        (``bench/finder_slots.py`` shows them step by step)."""
        share, se, ratio = self.follow_slope(
            {"c_rf_resid": flat[:, :3], "c_rf_follow": flat[:, 3:9]}
        )
        w = flat[:, 1]
        ws = np.maximum(w, 1e-9)
        sxx = flat[:, 4] - flat[:, 3] * (flat[:, 3] / ws)
        floor = self.astray_min_sweep_sigmas**2 * flat[:, 9]  # W x the sweep's floor^2
        return {"w": w, "sxx": sxx, "floor": floor, "share": share, "se": se, "ratio": ratio}

    def astray_of(self, a: Arrays, finder: int) -> npt.NDArray[np.bool_] | None:
        """Per track: ``finder`` is named astray on it (:meth:`astray`, from the sums as
        they stand); None where no track has a slot for it, the usual case."""
        mine = a["c_rf_fslot"] == finder
        rows = np.flatnonzero(mine.any(axis=1))
        if rows.shape[0] == 0:
            return None
        sub = {k: a[k][rows] for k in ("c_rf_resid", "c_rf_fslot", "c_rf_fsums")}
        out = np.zeros(mine.shape[0], dtype=bool)
        out[rows] = (self.astray(sub) & mine[rows]).any(axis=1)
        return out

    def offset_deg(self, a: Arrays) -> FloatArray:
        """The weighted mean residual of the bearings that fit each track (deg; 0 where
        none has)."""
        s = a["c_rf_resid"]
        w = s[:, 1]
        return np.degrees(np.where(w > 1e-9, s[:, 0] / np.maximum(w, 1e-9), 0.0))

    def note(self, a: Arrays, row: int) -> str | None:
        """The evidence line for one track whose bearings run beside it, else None."""
        one: Arrays = {k: a[k][row : row + 1] for k in ("c_rf_resid", "c_rf_follow") if k in a}
        return self.notes(one)[0]

    def notes(self, a: Arrays) -> list[str | None]:
        """:meth:`note` of every row; only rows with ``min_bearings`` worth are looked at
        (the usual track has none), with the same element-wise operations."""
        n = a["c_rf_resid"].shape[0]
        out: list[str | None] = [None] * n
        rows = np.flatnonzero(a["c_rf_resid"][:, 1] >= self.min_bearings)
        if rows.shape[0] == 0:
            return out
        sub: Arrays = {k: a[k][rows] for k in ("c_rf_resid", "c_rf_follow") if k in a}
        off = self.beside(sub).tolist()
        if not any(off):
            return out
        follows = self.follow and "c_rf_follow" in sub
        still = self.not_following(sub).tolist() if follows else [False] * len(off)
        share = self.follow_slope(sub)[0].tolist() if follows else []
        deg = self.offset_deg(sub).tolist()
        for j, r in enumerate(rows.tolist()):
            if not off[j]:
                continue
            if still[j]:
                out[r] = (
                    f"RF: the bearings that fit followed {share[j]:.2f} of this track's sweep"
                    " across the finder: another emitter on the ray it crossed, not its own link"
                )
            else:
                out[r] = (
                    f"RF: the bearings that fit run {deg[j]:+.1f} deg beside this track: "
                    "another emitter on a nearby ray, not its own link"
                )
        return out

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
