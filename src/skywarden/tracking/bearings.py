"""Range-aware bearing association: which tracks a direction finder's bearing may belong to.

A bearing from an RF direction finder (DF) is a ray. Gating on the angle alone gives
every target on that ray (a bird 6 km beyond the drone whose link was heard) the
drone's RF credit. Here a bearing may update or credit a track only where the whole
geometry fits:

- **angle**: the azimuth residual, Mahalanobis-gated with the track's predicted
  uncertainty projected on the bearing (chi-square, one degree of freedom);
- **range**: a DF hears a control link out to ``range_m`` (its detection range); a
  track whose horizontal distance from the site, less ``range_margin_sigma`` of its own
  position uncertainty, lies beyond that cannot be the emitter;
- **elevation**, where the DF measures it, gated the same way as the azimuth;
- **the other sites' bearings** of the same scan (triangulation consistency): a track
  that another site's bearing also fits is ``cross_fit_factor`` times more likely the
  emitter; a track inside another site's range that this scan heard links but whose
  bearings all miss it is ``cross_miss_factor`` times as likely (that site would have
  heard its link with probability ``Pd = 1 - cross_miss_factor``). The bonus is for
  a bearing the track would explain (``contested_cross``): the factor is the
  likelihood ratio of "this track emits" at that site, ``(1 - Pd) + Pd * odds``, with
  ``odds`` that the track took one of that site's bearings, each bearing from one
  emitter and each emitter one bearing (JPDA marginals by belief propagation,
  :mod:`.assoc_marginals`), capped so that an uncontested fit keeps
  ``cross_fit_factor``. Without it a clutter track where site A's bearing to one drone
  crosses site B's bearing to another takes most of both (a ghost: each real drone is
  fitted by one site, the ghost by two); with it, a bearing two tracks fit equally is
  no evidence for either (a factor of 1), while two tracks that two bearings both fit
  are both heard;
- **track status**: a tentative track (most are clutter that will not confirm) is a
  candidate with prior weight ``tentative_weight`` against 1 for a confirmed one, so a
  clutter plot near a drone's ray cannot take the drone's bearing, and be confirmed
  by it.

The candidates of one bearing then share it by likelihood (a probabilistic data
association over the candidates plus a "some other emitter" hypothesis, Bar-Shalom,
Daum and Huang 2009, "The probabilistic data association filter", IEEE Control Systems
29(6)): weight ``w_i = L_i / (sum_k L_k + lambda)``, ``lambda`` the density of emitters
nobody tracks (``other_emitter_weight`` spread over the full circle). Two tracks on one
ray with nothing else to tell them apart get about half each, as RF credit (the
classifier counts a scan's credit by weight); a bearing updates a track's state only
at ``w >= min_weight`` (0.6 by default), so an ambiguous bearing moves no track and
never credits every candidate fully.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.geo import FloatArray
from skywarden.tracking.assoc_marginals import taken_odds
from skywarden.tracking.dense import unique_inverse
from skywarden.tracking.gating import CHI2_999
from skywarden.tracking.measurements import wrap_angle

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
_LOG_2PI = math.log(2.0 * math.pi)


@dataclass
class Bearings:
    """Bearing-only detections of one direction finder: radians from north, clockwise.

    ``range_m`` is the DF's detection range (m): beyond it a link is not heard.
    ``site`` is (3,), or (m, 3) with a site per bearing: one DF's bearings of several of
    the month's lanes, each lane's site elsewhere (:mod:`.lanes`).
    """

    site: FloatArray  # (3,) or (m, 3) ENU metres
    azimuth: FloatArray  # (m,)
    sigma: FloatArray  # (m,)
    elevation: FloatArray | None = None  # (m,) NaN where not measured
    elevation_sigma: FloatArray | None = None
    range_m: float = math.inf


@dataclass
class BearingFit:
    """Gated (track row, bearing) pairs of one DF group and their log-likelihoods."""

    ti: IntArray
    dj: IntArray
    log_lik: FloatArray  # log N(residual; 0, S), per radian (per radian^2 with elevation)
    covers: BoolArray  # (n_tracks,) tracks within the DF's range
    nu: FloatArray | None = None  # azimuth residual (rad), bearing minus track, per pair
    s: FloatArray | None = None  # its variance S (rad^2)
    az: FloatArray | None = None  # the track's azimuth from the site (rad), per pair
    s_trk: FloatArray | None = None  # the track's own share of S (rad^2), per pair


@dataclass
class BearingWeights:
    """Association weights of one DF group.

    ``w`` per gated pair; ``other`` per bearing (probability that no tracked target
    emitted it); ``credit`` per track row: the largest weight any of this site's
    bearings gives it (0 for tracks no bearing fits); ``took`` per track row: the
    probability it emitted one of this site's bearings, the sum of its weights over
    them (one emitter, one bearing: exclusive events), at most 1; ``fitted`` per track
    row: some bearing of this site fits it (the classifier's RF share: ``took`` over
    the sites that fit). A convoy's three drones each take a third of each of three
    bearings: ``credit`` a third, ``took`` one bearing's worth (until wave 12 the share
    read ``credit``, and no member of a convoy was corroborated by its own link).
    """

    ti: IntArray
    dj: IntArray
    w: FloatArray
    other: FloatArray
    credit: FloatArray
    fitted: BoolArray
    took: FloatArray
    resid: FloatArray | None = None  # (n, 3)
    #: (n, 6) sums of the follow regression (:mod:`.rf_bias`), None without azimuths
    follow: FloatArray | None = None
    #: (n,) the azimuth each row's sums are measured from: ``ref`` where given, else its
    #: first pair's (NaN for rows no bearing fits)
    ref: FloatArray | None = None


def _subset(b: Bearings, idx: IntArray, site: FloatArray) -> Bearings:
    """Bearings ``idx`` of ``b``, all from ``site``."""
    el, els = b.elevation, b.elevation_sigma
    return Bearings(
        site,
        b.azimuth[idx],
        b.sigma[idx],
        None if el is None else el[idx],
        None if els is None else els[idx],
        b.range_m,
    )


def bearing_sites(b: Bearings) -> FloatArray:
    """Each bearing's site, (m, 3)."""
    m = b.azimuth.shape[0]
    return b.site if b.site.ndim == 2 else np.tile(b.site, (m, 1))


@dataclass(frozen=True)
class BearingGate:
    """Geometry gate and likelihood weights for direction-finder bearings (see module)."""

    gate_chi2: float = CHI2_999[1]
    range_margin_sigma: float = 2.0
    cross_fit_factor: float = 5.0
    cross_miss_factor: float = 0.3
    other_emitter_weight: float = 0.05
    min_weight: float = 0.6
    tentative_weight: float = 0.1
    contested_cross: bool = True

    def __post_init__(self) -> None:
        for name in (
            "gate_chi2",
            "cross_fit_factor",
            "cross_miss_factor",
            "other_emitter_weight",
            "tentative_weight",
        ):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"bearing.{name} must be a positive number, got {v!r}")
        if self.cross_miss_factor >= 1.0:
            raise ValueError(
                "bearing.cross_miss_factor is 1 - the chance a site hears a link in range:"
                f" need < 1, got {self.cross_miss_factor!r}"
            )
        if not (0.5 <= self.min_weight <= 1.0 and self.range_margin_sigma >= 0):
            raise ValueError("bearing: need 0.5 <= min_weight <= 1 and range_margin_sigma >= 0")

    def fit(self, b: Bearings, x: FloatArray, p: FloatArray) -> BearingFit:
        """Pairs of tracks (states ``x`` (n, 6), covariances ``p``) and bearings that fit;
        with a site per bearing, each site's bearings fitted as a group of their own."""
        if b.site.ndim == 1:
            return self._fit_site(b, x, p)
        first: dict[tuple[float, ...], list[int]] = {}
        for j, key in enumerate(map(tuple, b.site.tolist())):
            first.setdefault(key, []).append(j)
        fits = []
        for key, js in first.items():
            idx = np.asarray(js, dtype=np.intp)
            fits.append((idx, self._fit_site(_subset(b, idx, np.asarray(key)), x, p)))
        covers = np.logical_or.reduce([f.covers for _, f in fits])

        def cat(name: str) -> FloatArray:
            parts = [getattr(f, name) for _, f in fits]
            return np.concatenate([v if v is not None else np.empty(0) for v in parts])

        return BearingFit(
            np.concatenate([f.ti for _, f in fits]),
            np.concatenate([idx[f.dj] for idx, f in fits]),
            np.concatenate([f.log_lik for _, f in fits]),
            covers,
            cat("nu"),
            cat("s"),
            cat("az"),
            cat("s_trk"),
        )

    def _fit_site(self, b: Bearings, x: FloatArray, p: FloatArray) -> BearingFit:
        """:meth:`fit` of bearings from one site."""
        n = x.shape[0]
        m = b.azimuth.shape[0]
        if n == 0 or m == 0:
            e = np.empty(0, dtype=np.intp)
            return BearingFit(e, e, np.empty(0), np.zeros(n, dtype=bool))
        dx = x[:, 0] - b.site[0]
        dy = x[:, 1] - b.site[1]
        rho2 = np.maximum(dx * dx + dy * dy, 1.0)
        rho = np.sqrt(rho2)
        pos_sigma = np.sqrt(np.maximum(p[:, 0, 0] + p[:, 1, 1], 0.0) / 2.0)
        covers = rho - self.range_margin_sigma * pos_sigma <= b.range_m
        rows = np.flatnonzero(covers)
        if rows.shape[0] == 0:
            e = np.empty(0, dtype=np.intp)
            return BearingFit(e, e, np.empty(0), covers)
        az = np.arctan2(dx[rows], dy[rows])
        h = np.stack([dy[rows] / rho2[rows], -dx[rows] / rho2[rows]], axis=1)
        var = np.einsum("ki,kij,kj->k", h, p[rows, :2, :2], h)
        s_az = var[:, None] + b.sigma[None, :] ** 2
        nu = wrap_angle(b.azimuth[None, :] - az[:, None])
        d2 = nu**2 / s_az
        ok = d2 <= self.gate_chi2
        log_lik = -0.5 * (d2 + np.log(s_az) + _LOG_2PI)
        if b.elevation is not None and b.elevation_sigma is not None and x.shape[1] >= 6:
            has = np.isfinite(b.elevation)
            dz = x[rows, 2] - b.site[2]
            el = np.arctan2(dz, rho[rows])
            s_el = (p[rows, 2, 2] / rho2[rows])[:, None] + np.nan_to_num(b.elevation_sigma)[
                None, :
            ] ** 2
            s_el = np.maximum(s_el, 1e-12)
            d2e = (np.nan_to_num(b.elevation)[None, :] - el[:, None]) ** 2 / s_el
            ok &= ~has[None, :] | (d2e <= self.gate_chi2)
            # An elevation is a second angle: its density is per radian as well, so the
            # "other emitter" density below is spread over elevations of +-90 degrees.
            log_lik = log_lik + np.where(
                has[None, :], -0.5 * (d2e + np.log(s_el) + _LOG_2PI) + math.log(math.pi), 0.0
            )
        ti, dj = np.nonzero(ok)
        return BearingFit(
            rows[ti],
            dj.astype(np.intp),
            log_lik[ti, dj],
            covers,
            nu[ti, dj],
            s_az[ti, dj],
            az[ti],
            var[ti],
        )

    def weights(
        self,
        f: BearingFit,
        m: int,
        n: int,
        others: list[BearingFit],
        tentative: BoolArray | None = None,
        cache: dict[tuple[int, int, bytes], FloatArray] | None = None,
        ref: FloatArray | None = None,
    ) -> BearingWeights:
        """Share each of ``m`` bearings over its candidates among ``n`` track rows.

        ``others``: the fits of the other sites' bearing groups in the same scan (their
        ``covers`` may be shorter than ``n`` if tracks were added since; new rows count
        as neither fitted nor covered). ``cache``: the scan's other-site factors, kept
        across its groups (the fits in ``others`` must stay alive while it is used).
        ``ref``: per row, the azimuth its follow sums are measured from (NaN: not yet).
        """
        log_cross = np.zeros(n)
        for o in others:
            log_cross += self._cached_cross(o, n, tentative, cache)
        if tentative is not None:
            log_cross += np.where(tentative[:n], math.log(self.tentative_weight), 0.0)
        ll = f.log_lik + log_cross[f.ti]
        log_other = math.log(self.other_emitter_weight / (2.0 * math.pi))
        # log-sum-exp per bearing over its candidates and the "other emitter" hypothesis
        top = np.full(m, log_other)
        np.maximum.at(top, f.dj, ll)
        total = np.exp(log_other - top)
        np.add.at(total, f.dj, np.exp(ll - top[f.dj]))
        log_norm = top + np.log(total)
        w = np.exp(ll - log_norm[f.dj])
        other = np.exp(log_other - log_norm)
        credit = np.zeros(n)
        np.maximum.at(credit, f.ti, w)
        took = np.zeros(n)
        np.add.at(took, f.ti, w)
        np.minimum(took, 1.0, out=took)
        fitted = np.zeros(n, dtype=bool)
        fitted[f.ti] = True
        resid = np.zeros((n, 3))
        if f.nu is not None and f.s is not None and f.ti.shape[0]:
            # per row sums in pair order (bincount adds as np.add.at does, faster)
            for c, v in enumerate((w * f.nu, w, w * w * f.s)):
                resid[:, c] = np.bincount(f.ti, weights=v, minlength=n)
        follow, row_ref = follow_sums(f, w, n, ref)
        return BearingWeights(f.ti, f.dj, w, other, credit, fitted, took, resid, follow, row_ref)

    def _cached_cross(
        self,
        o: BearingFit,
        n: int,
        tentative: BoolArray | None,
        cache: dict[tuple[int, int, bytes], FloatArray] | None,
    ) -> FloatArray:
        """:meth:`_cross_log_factor`, once per fit, row count and tentative flags."""
        if cache is None:
            return self._cross_log_factor(o, n, tentative)
        key = (id(o), n, b"" if tentative is None else tentative[:n].tobytes())
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = self._cross_log_factor(o, n, tentative)
        return hit

    def _cross_log_factor(self, o: BearingFit, n: int, tentative: BoolArray | None) -> FloatArray:
        """Log of the other site ``o``'s factor for each of ``n`` track rows (module doc):
        ``cross_fit_factor`` where one of its bearings is the track's alone, less as far
        as other tracks explain the bearings that fit it (:func:`.taken_odds`),
        ``cross_miss_factor`` where it covers the track and no bearing fits, 1 beyond its
        range."""
        k = o.covers.shape[0]
        covered = np.zeros(n, dtype=bool)
        covered[:k] = o.covers[: min(k, n)]
        out = np.where(covered, math.log(self.cross_miss_factor), 0.0)
        keep = o.ti < n
        ti, dj, ll = o.ti[keep], o.dj[keep], o.log_lik[keep]
        if ti.shape[0] == 0:
            return out
        if not self.contested_cross:
            out[ti] = math.log(self.cross_fit_factor)
            return out
        if tentative is not None:  # a tentative competitor's claim is weaker, as below
            ll = ll + np.where(tentative[ti], math.log(self.tentative_weight), 0.0)
        pd = 1.0 - self.cross_miss_factor
        cap = (self.cross_fit_factor - self.cross_miss_factor) / pd
        log_other = math.log(self.other_emitter_weight / (2.0 * math.pi))
        rows, r = unique_inverse(ti)
        psi = np.zeros((rows.shape[0], int(dj.max()) + 1))
        psi[r, dj] = np.exp(np.minimum(ll - log_other, 200.0)) * (pd / (1.0 - pd))
        odds = taken_odds(psi)
        out[rows] = np.log(self.cross_miss_factor + pd * np.minimum(odds, cap))
        return out


def follow_sums(
    f: BearingFit, w: FloatArray, n: int, ref: FloatArray | None
) -> tuple[FloatArray | None, FloatArray | None]:
    """Per row, the weighted sums of the follow regression (:mod:`.rf_bias`) over the
    pairs ``f`` with weights ``w``: ``x`` is the track's azimuth from the site, measured
    from the row's ``ref`` (a row without one takes its first pair's azimuth), so a
    track's sums stay continuous however its azimuth wraps. Returns the (n, 6) sums
    ``[w x, w x^2, w x nu, w^2 S x, w^2 S x^2, w s_trk]`` and the azimuth each row's
    ``x`` is measured from."""
    if f.nu is None or f.s is None or f.az is None or f.s_trk is None:
        return None, None
    row_ref = np.full(n, np.nan) if ref is None else np.array(ref[:n], dtype=float)
    if row_ref.shape[0] < n:
        row_ref = np.concatenate([row_ref, np.full(n - row_ref.shape[0], np.nan)])
    out = np.zeros((n, 6))
    if f.ti.shape[0] == 0:
        return out, row_ref
    new = np.isnan(row_ref[f.ti])
    if new.any():
        # the first pair of each row without a reference (np.unique: first occurrence)
        rows, first = np.unique(f.ti[new], return_index=True)
        row_ref[rows] = f.az[new][first]
    x = wrap_angle(f.az - row_ref[f.ti])
    w2s = w * w * f.s
    cols = (w * x, w * x * x, w * x * f.nu, w2s * x, w2s * x * x, w * f.s_trk)
    for c, v in enumerate(cols):
        out[:, c] = np.bincount(f.ti, weights=v, minlength=n)
    return out, row_ref
