"""The bearing associator: which tracks each direction-finder bearing updates or credits.

A component of the tracker (like the position gate and the GNN associator), built on
the geometry of :mod:`.bearings`. Per scan it first fits every DF group against the
tracks as they stand (``scan_fits``: the other sites' bearings of the same scan are
evidence for or against a track), then, per group at its time, shares each bearing
over its candidates by likelihood and keeps the pairs one candidate clearly owns
(weight >= ``min_weight``), one bearing per track (GNN on ``-log w``). What it decides
is a :class:`BearingDecision`; the core applies it (filter update, bookkeeping), so
the filter never sees the association and this never sees the filter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from skywarden.geo import FloatArray
from skywarden.tracking.association import gnn_assign
from skywarden.tracking.bearings import (
    BearingFit,
    BearingGate,
    Bearings,
    BearingWeights,
    bearing_sites,
)
from skywarden.tracking.measurements import BearingMeasurement
from skywarden.tracking.records import ScanGroup
from skywarden.tracking.rf_bias import RfBias

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class ScanFits:
    """One scan's DF fits: each group's gated pairs at the scan's start (by ``id`` of the
    group), and the other-site factors already computed from them this scan. A site's
    factor for the tracks is the same whichever other site's bearings are being shared
    (for the same track rows and tentative flags), so with three sites in a scan each is
    computed once, not twice."""

    groups: dict[int, tuple[str, BearingFit]] = field(default_factory=dict)
    factors: dict[tuple[int, int, bytes], FloatArray] = field(default_factory=dict)


@dataclass
class BearingDecision:
    """One DF group's association: ``rows`` updated by bearings ``dets`` (log likelihood
    ratio ``lr`` against "some other emitter"), RF ``credit``, the bearing's worth it
    ``took`` and the weighted residuals ``resid`` per track row
    (:class:`.bearings.BearingWeights`), the rows some bearing fits (``fitted``), and
    the bearings nobody tracked explains (``pool``), left for triangulation."""

    rows: IntArray
    dets: IntArray
    lr: FloatArray
    credit: FloatArray
    pool: BoolArray
    fitted: BoolArray
    took: FloatArray
    resid: FloatArray | None = None  # (n, 3): :attr:`.BearingWeights.resid`
    follow: FloatArray | None = None  # (n, 6): :attr:`.BearingWeights.follow`
    ref: FloatArray | None = None  # (n,): :attr:`.BearingWeights.ref`
    #: (n,) sum of weight x bearing variance per row (with the per-finder test only)
    wsig2: FloatArray | None = None
    #: the per-finder follow test (:meth:`.RfBias.feed`) and this group's finder slot id
    slots: RfBias | None = None
    finder: int = -1

    def withhold(self, rows: BoolArray, pool: BoolArray) -> None:
        """Withhold this group's bearings from ``rows`` (n,), tracks its finder is named
        astray on (:mod:`.rf_bias`): no RF credit, fit or share of them (the caller kept
        them out of the updates); ``pool`` (m,) counts what each bearing gave those rows
        as another emitter's, so a bearing only they explained is triangulated. The sums
        stay: they are what was scored, and they hold the verdict (:mod:`.rf_bias`). The
        other rows' weights are not shared again without the withheld ones: a bearing the
        two shared stays half-owned, so withholding never makes a pair firm."""
        self.credit = np.where(rows, 0.0, self.credit)
        self.fitted = self.fitted & ~rows
        self.took = np.where(rows, 0.0, self.took)
        self.pool = pool

    def add_rf(self, a: dict[str, npt.NDArray]) -> None:
        """Add the group's RF bookkeeping to the track table ``a``: the scan's credit,
        fits, share and residual sums, and each track's azimuth reference."""
        a["rf_credit"] += self.credit
        a["rf_fits"] += self.fitted
        a["rf_took"] += self.took
        if self.resid is not None:
            a["rf_resid"] += self.resid
        if self.follow is not None and self.ref is not None:
            a["rf_follow"] += self.follow
            a["rf_ref"][:] = self.ref
            if self.slots is not None and self.resid is not None and self.wsig2 is not None:
                self.slots.feed(a, self.finder, self.resid, self.follow, self.ref, self.wsig2)


@dataclass(frozen=True)
class BearingAssociator:
    """Range-aware, likelihood-shared bearing association (:mod:`.bearings`)."""

    gate: BearingGate = field(default_factory=BearingGate)
    #: the per-finder follow test when it is on (``RfBias.per_finder``), else None
    slots: RfBias | None = None
    #: each direction finder's id in the finder slots, by sensor name
    finder_ids: dict[str, int] = field(default_factory=dict)

    def scan_fits(
        self, groups: Sequence[ScanGroup], x: FloatArray, p: FloatArray, t0: float
    ) -> ScanFits:
        """Every DF group's gated pairs at the scan's start (for cross-site consistency).

        Positions are extrapolated to each group's time on their velocity; the tracks
        move a few tens of metres in a scan, little against a bearing's spread.
        """
        out = ScanFits()
        for g in groups:
            if g.bearings is None or len(g) == 0:
                continue
            xg = x.copy()
            xg[:, :3] += xg[:, 3:6] * max(g.t - t0, 0.0)
            out.groups[id(g)] = (g.sensor, self.gate.fit(g.bearings, xg, p))
        return out

    def decide(
        self,
        g: ScanGroup,
        x: FloatArray,
        p: FloatArray,
        tentative: BoolArray,
        fits: ScanFits,
        ref: FloatArray | None = None,
        table: dict[str, npt.NDArray] | None = None,
    ) -> BearingDecision:
        """Share the bearings of ``g`` over tracks ``x``, ``p`` (see module); ``ref``,
        each track's azimuth reference for the follow sums (:func:`.follow_sums`). With
        :attr:`slots`, also the weighted bearing variance per row, the finder's error
        for the per-finder follow test, fed to it by :meth:`BearingDecision.add_rf`;
        and with its ``astray_withhold``, the finder's bearings are withheld from the
        rows of ``table`` it is named astray on (:meth:`BearingDecision.withhold`)."""
        b = g.bearings
        assert b is not None
        gate = self.gate
        m, n = b.azimuth.shape[0], x.shape[0]
        f = gate.fit(b, x, p)
        others = [fo for sensor, fo in fits.groups.values() if sensor != g.sensor]
        w = gate.weights(f, m, n, others, tentative, fits.factors, ref)
        finder = (
            -1 if self.slots is None else self.finder_ids.setdefault(g.sensor, len(self.finder_ids))
        )
        withheld = self._withheld(table, finder)
        rows, dets, lr = self._assign(w, n, m, withheld)
        wsig2: FloatArray | None = None
        if self.slots is not None:
            wsig2 = np.bincount(w.ti, w.w * b.sigma[w.dj] ** 2, n).astype(np.float64, copy=False)
        dec = BearingDecision(
            rows,
            dets,
            lr,
            w.credit,
            w.other >= gate.min_weight,
            w.fitted,
            w.took,
            w.resid,
            w.follow,
            w.ref,
            wsig2,
            self.slots,
            finder,
        )
        if withheld is not None:
            share = np.bincount(w.dj, w.w * withheld[w.ti], m)  # what they gave the withheld
            dec.withhold(withheld, w.other + share >= gate.min_weight)
        return dec

    def _assign(
        self, w: BearingWeights, n: int, m: int, withheld: BoolArray | None
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """The firm pairs' assignment: rows, bearings and their log likelihood ratios
        against "some other emitter". A bearing nobody tracked explains starts a new
        emitter; an ambiguous one (shared between tracks) neither updates nor spawns
        anything; a ``withheld`` row takes none."""
        min_w = self.gate.min_weight
        firm = w.w >= min_w
        if withheld is not None:
            firm &= ~withheld[w.ti]
        ti, dj, cost = w.ti[firm], w.dj[firm], -np.log(w.w[firm])
        rows, dets = gnn_assign(n, m, ti, dj, cost, -math.log(min_w) + 1e-9)
        # the firm pairs GNN took (it assigns each row at most once)
        det_of = np.full(n, -1, dtype=np.intp)
        det_of[rows] = dets
        got = det_of[ti] == dj
        lr = np.log(w.w[firm][got]) - np.log(np.maximum(w.other[dj[got]], 1e-300))
        # the likelihood ratios in the order of (rows, dets)
        lr_rows = np.full(n, -np.inf)
        np.maximum.at(lr_rows, ti[got], lr)
        return rows, dets, lr_rows[rows]

    def _withheld(self, table: dict[str, npt.NDArray] | None, finder: int) -> BoolArray | None:
        """The rows of ``table`` this group's finder is named astray on, when its bearings
        are withheld from them (``RfBias.astray_withhold``); None when none is."""
        if table is None or self.slots is None or not self.slots.astray_withhold:
            return None
        out = self.slots.astray_of(table, finder)
        return out if out is not None and out.any() else None

    @staticmethod
    def measurements(
        b: Bearings, rows: IntArray, dets: IntArray
    ) -> list[tuple[IntArray, BearingMeasurement]]:
        """The extended-Kalman measurements of assigned pairs: with and without elevation."""
        el = b.elevation[dets] if b.elevation is not None else np.full(len(dets), np.nan)
        has_el = np.isfinite(el)
        out = []
        for sel, with_el in ((has_el, True), (~has_el, False)):
            if not sel.any():
                continue
            meas = BearingMeasurement(
                bearing_sites(b)[dets[sel]],
                b.azimuth[dets[sel]],
                b.sigma[dets[sel]],
                el[sel] if with_el else None,
                b.elevation_sigma[dets[sel]] if with_el and b.elevation_sigma is not None else None,
            )
            out.append((rows[sel], meas))
        return out
