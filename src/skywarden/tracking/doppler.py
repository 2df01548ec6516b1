"""Doppler-aided association: a radar plot's radial speed against each track's.

A surveillance radar measures a plot's radial (range-rate) speed to a fraction of a
metre per second but its position only to tens of metres at range: at 7.7 km, 0.5 deg
of azimuth is 70 m across the beam. Two targets a plot's position cannot tell apart,
a drone hovering and a bird passing 130 m from it, differ by metres per second along
the line of sight. Position-only gating gives the hovering track the bird's plot, and
the track follows the bird from then on (seed 16's S86 false incursion,
docs/notes/wave15.md).

Each gated pair's radial-speed residual is added to its position distance: the track's
predicted radial speed along the plot's line of sight ``u`` is ``u . v``; its variance
is ``h P h^T + sigma^2`` with ``h = [(v - u (u . v)) / r, u]``, the derivative of
``u . v`` by the track's position (the line of sight turns as the position moves across
it) and by its velocity. The sum is a chi-square of one more degree of freedom, gated
at the position gate's probability (Bar-Shalom, Willett and Tian 2011, section 3.4,
range-rate measurements; Blackman and Popoli 1999, section 6.2: extra measured
dimensions join the association distance). Under the IMM the distance is taken from
each motion model's own prediction and mixed by the models' probabilities
(:func:`mixture_d2`), so a drone that brakes and turns back is not refused for a
radial speed only the cruise model rules out. The filter is then updated with the
plot's position and radial speed at once (:class:`PositionDopplerMeasurement`).

A group uses Doppler only when every plot in it carries a radial speed and the polar
geometry to place it (``attrs``: ``radial_velocity_mps`` as the simulator writes it, or
``radial_velocity_ms`` as ASTERIX and the plots CSV do, positive receding; with
``azimuth_deg``, ``elevation_deg`` and ``range_m``); else the group is gated on
position alone, as before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pymap3d

# scipy.special, not scipy.stats: the same functions (chi2.cdf is chdtr, chi2.ppf is
# 2 * gammaincinv(k / 2, p), bit for bit), without the 0.7 s scipy.stats adds to every
# process that tracks
from scipy.special import chdtr, gammaincinv

from skywarden.geo import FloatArray
from skywarden.model import Detection
from skywarden.tracking.gating import mahalanobis2

IntArray = npt.NDArray[np.intp]

#: attribute names of a plot's radial speed: the simulator's and the ingest's (m/s)
RADIAL_KEYS = ("radial_velocity_mps", "radial_velocity_ms")
#: attribute name of a plot's stated radial-speed error, 1 sigma (m/s)
SIGMA_KEY = "radial_velocity_sigma_ms"
#: a radial speed above this is no aircraft's, drone's or bird's (the plots CSV's limit)
MAX_RADIAL_MS = 400.0


@dataclass(frozen=True)
class DopplerPlots:
    """One group's Doppler: per plot the radial speed ``vr`` (m/s, positive receding),
    the radar's ``site`` (m, 3) in the frame (the plot's position less its range along
    its line of sight: a plot carries its own polar geometry, not its radar's place) and
    the radar's stated error ``sigma`` (``attrs.radial_velocity_sigma_ms``, ASTERIX
    I015/626 SDDV), None where no plot states one."""

    vr: FloatArray
    site: FloatArray
    sigma: FloatArray | None = None  # (m,) m/s where the radar states it, NaN where not


def _number(attrs: Mapping[str, object], key: str) -> float:
    v = attrs.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float):
        return math.nan
    return float(v)


def _radial_attr(attrs: Mapping[str, object]) -> float:
    for key in RADIAL_KEYS:
        if key in attrs:
            return _number(attrs, key)
    return math.nan


def stated_sigma(dets: Sequence[Detection]) -> FloatArray | None:
    """Each plot's stated radial-speed error (NaN where absent or not a positive
    number); None when no plot states one."""
    sig = np.array([_number(d.attrs, SIGMA_KEY) for d in dets], dtype=np.float64)
    sig[~(sig > 0) | ~np.isfinite(sig)] = np.nan
    return sig if np.isfinite(sig).any() else None


def read_doppler(dets: Sequence[Detection]) -> tuple[FloatArray, FloatArray] | None:
    """``(vr, polar)`` of a group's plots, ``polar`` (m, 3) as range, azimuth and
    elevation (m, deg, deg); None unless every plot carries all four, finite and in
    range (a plot without them is gated on position, so the group is)."""
    if not any(k in dets[0].attrs for k in RADIAL_KEYS):
        return None  # Remote ID, ADS-B, a radar without Doppler: no loop over the group
    vr = np.array([_radial_attr(d.attrs) for d in dets], dtype=np.float64)
    if not (np.isfinite(vr).all() and (np.abs(vr) <= MAX_RADIAL_MS).all()):
        return None
    polar = np.array(
        [[_number(d.attrs, k) for k in ("range_m", "azimuth_deg", "elevation_deg")] for d in dets],
        dtype=np.float64,
    )
    if not (np.isfinite(polar).all() and (polar[:, 0] > 0).all()):
        return None
    return vr, polar


def line_of_sight(polar: FloatArray) -> FloatArray:
    """(m, 3) unit East-North-Up vectors of azimuth (from north) and elevation
    (``polar`` as :func:`read_doppler` gives it; pymap3d's ``aer2enu`` at unit range)."""
    e, n, u = pymap3d.aer2enu(polar[:, 1], polar[:, 2], 1.0)
    return np.stack([e, n, u], axis=1)


def _radial(x: FloatArray, site: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Predicted radial speeds (k,) of states ``x`` (k, 6) seen from ``site`` (k, 3), and
    their Jacobians (k, 6): by position ``(v - u (u . v)) / r``, by velocity ``u``."""
    d = x[:, :3] - site
    rho = np.maximum(np.sqrt(np.einsum("ki,ki->k", d, d)), 1.0)
    u = d / rho[:, None]
    v = x[:, 3:6]
    vr = np.einsum("ki,ki->k", u, v)
    return vr, np.concatenate([(v - u * vr[:, None]) / rho[:, None], u], axis=1)


def _variance(dop: DopplerPlots, dets: IntArray, sigma_ms: float) -> FloatArray:
    """Radial-speed error variances of plots ``dets``: stated, else ``sigma_ms``."""
    if dop.sigma is None:
        return np.full(dets.shape[0], sigma_ms**2)
    return np.asarray(np.nan_to_num(dop.sigma[dets], nan=sigma_ms) ** 2)


def radial_d2(
    x: FloatArray,
    p: FloatArray,
    rows: IntArray,
    dop: DopplerPlots,
    dets: IntArray,
    sigma_ms: float,
) -> FloatArray:
    """Squared normalised radial-speed residuals of pairs (track ``rows``, plot ``dets``)
    of a 3-D state ``[position, velocity]`` (see module)."""
    pred, h = _radial(x[rows], dop.site[dets])
    var = np.einsum("ki,kij,kj->k", h, p[rows], h) + _variance(dop, dets, sigma_ms)
    return np.asarray((dop.vr[dets] - pred) ** 2 / var)


def mixture_d2(
    a: dict[str, FloatArray],
    rows: IntArray,
    z: FloatArray,
    r: FloatArray,
    dop: DopplerPlots,
    dets: IntArray,
    sigma_ms: float,
) -> FloatArray:
    """Joint distances of pairs (track ``rows``, plot ``dets``) under an IMM's motion
    models: ``-2 ln sum_j mu_j exp(-d2_j / 2)``, ``d2_j`` the position and radial-speed
    distance from model ``j``'s own prediction, ``mu_j`` its probability.

    One Gaussian around the mixed state misses a manoeuvre: a drone that turns back
    has a radial speed the cruise model (probability 0.9) puts 6 sigma off but the
    hover model (braking, 0.1) puts 2 sigma off, and the mixed state's single spread
    refuses it for good (seed 16's S43, docs/notes/wave16.md). The mixture keeps each
    model's prediction: with one model it is that model's distance; a model that fits
    pays ``-2 ln mu_j`` for being unlikely (+4.6 at 0.1). Determinants are left out, as
    in the position gate's cost: this is a distance on the gate's scale, not a score.
    """
    mu = np.maximum(a["mu"][rows], 1e-300)
    k, m = mu.shape
    n = a["xm"].shape[2]
    # every (pair, model) in one stack: pair i's model j is row i * m + j
    xm = a["xm"][rows].reshape(k * m, n)
    pm = a["Pm"][rows].reshape(k * m, n, n)
    each = np.repeat(dets, m)
    pos = mahalanobis2(z[each] - xm[:, :3], pm[:, :3, :3] + r[each])
    rad = radial_d2(xm, pm, np.arange(k * m), dop, each, sigma_ms)
    per = (pos + rad).reshape(k, m)
    low = per.min(axis=1)
    mix = np.einsum("kr,kr->k", mu, np.exp(-0.5 * (per - low[:, None])))
    return np.asarray(low - 2.0 * np.log(mix))


@dataclass
class PositionDopplerMeasurement:
    """Radar plots as position and radial speed (k, 4), one extended Kalman update:
    ``h(x) = [p, u . v]`` with ``u`` the unit line from ``site`` (k, 3) to ``p``. The
    radial speed's error is independent of the position's (``R`` block-diagonal)."""

    z: FloatArray
    R: FloatArray
    site: FloatArray

    def linearise(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        k, n = x.shape
        vr, hr = _radial(x, self.site)
        h = np.zeros((k, 4, n))
        h[:, 0, 0] = h[:, 1, 1] = h[:, 2, 2] = 1.0
        h[:, 3, :6] = hr
        return np.concatenate([x[:, :3], vr[:, None]], axis=1), h

    def residual(self, zhat: FloatArray) -> FloatArray:
        return self.z - zhat


def doppler_of(
    gate: DopplerGate | None, dop: DopplerPlots | None, dims: int, ages: FloatArray | None
) -> tuple[DopplerGate, DopplerPlots] | None:
    """The gate and a group's radial speeds when they join its association and update:
    a 3-D tracker with the gate on, and a group of plots, none of them delayed reports."""
    if gate is None or dop is None or dims != 3 or ages is not None:
        return None
    return gate, dop


@dataclass(frozen=True)
class DopplerGate:
    """Doppler in the association as a component: ``sigma_ms``, a plot's radial-speed
    error (1 sigma) where the radar states none; ``per_model``: under an IMM, each
    motion model's own distance, mixed (:func:`mixture_d2`); False, one distance from
    the mixed state (wave 15's gate, kept as the benchmarks' peer)."""

    sigma_ms: float = 1.0
    per_model: bool = True

    def __post_init__(self) -> None:
        if not (math.isfinite(self.sigma_ms) and self.sigma_ms > 0):
            raise ValueError(f"DopplerGate: sigma_ms must be positive, got {self.sigma_ms}")

    @staticmethod
    def threshold(position_chi2: float, dims: int) -> float:
        """The joint gate: the chi-square point of ``dims + 1`` degrees of freedom at the
        position gate's probability (18.47 for 3-D at 99.9 %)."""
        prob = float(chdtr(dims, position_chi2))
        return float(2.0 * gammaincinv((dims + 1) / 2.0, prob))

    def costs(
        self,
        a: dict[str, FloatArray],
        rows: IntArray,
        plots: tuple[FloatArray, FloatArray, DopplerPlots],
        dets: IntArray,
        d2: FloatArray,
        joint_chi2: float,
    ) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """Joint distances of gated pairs (track ``rows`` of the table's arrays ``a``,
        plots ``dets`` of ``plots`` = (positions, covariances, radial speeds), position
        distances ``d2`` from the mixed state) and which pass the joint gate: per motion
        model where the filter keeps its models (see :func:`mixture_d2`), else from
        the one state."""
        z, r, dop = plots
        if not self.per_model or "xm" not in a:
            cost = d2 + radial_d2(a["x"], a["P"], rows, dop, dets, self.sigma_ms)
        else:
            cost = mixture_d2(a, rows, z, r, dop, dets, self.sigma_ms)
        return cost, cost <= joint_chi2

    def measurement(
        self, z: FloatArray, r: FloatArray, dop: DopplerPlots, dets: IntArray
    ) -> PositionDopplerMeasurement:
        """Plots ``dets`` of a group (positions ``z``, covariances ``r``) with their
        radial speeds, for the filter's update."""
        k = dets.shape[0]
        rr = np.zeros((k, 4, 4))
        rr[:, :3, :3] = r[dets]
        rr[:, 3, 3] = _variance(dop, dets, self.sigma_ms)
        zz = np.concatenate([z[dets], dop.vr[dets][:, None]], axis=1)
        return PositionDopplerMeasurement(zz, rr, dop.site[dets])
