"""The array core of the tracker: one scan of detections in, every track's state out.

A scan is a list of :class:`ScanGroup`, one per sensor, each holding that sensor's
detections as arrays. Groups are processed in time order (sequential sensor fusion:
every track is predicted to the group's time, associated, updated), so a target seen
by radar, Remote ID and a direction finder in the same second is updated by each in
turn and no sensor needs another's clock. Within a group:

1. identity first: a detection carrying a Remote ID serial or ICAO address goes to the
   track that already holds that identity (:mod:`.identity`);
2. GNN on Mahalanobis-gated costs (a radar plot's radial speed joins its position:
   :mod:`.doppler`), confirmed and coasting tracks first, then tentative
   tracks on what is left (a tentative track never steals a confirmed track's plot);
   a detection whose identity contradicts a track's (another ICAO address) never gates;
3. the Kalman (or IMM, or extended for bearings) update of every assigned pair at once;
4. leftover position detections start tentative tracks; RF bearings that no track
   explains are pooled and triangulated across direction finders after the last group.

Bearings are associated by geometry in :mod:`.bearing_assoc` (range, elevation, the
other sites' bearings of the same scan, shared by likelihood over the candidates): a
bearing updates a track only when one candidate clearly owns it, and credits RF
evidence by weight. Before the groups, after a gap in the feed, the tracks the gap made
stale end (:meth:`.Deleter.after_gap`), so no stale track takes the new scan. After the
groups: M-of-N bookkeeping, status changes, deletion, the IPDA existence update
(:mod:`.existence`), classification. A coasting track is reported only while its
existence probability is at least ``report_min_p_exist``; it is kept for
re-acquisition until the deleter ends it. No Python object exists per detection or per
track inside.

Every component (filter, gate, associator, initiator, deleter, classifier, bearing
associator, triangulator, existence) is an object the core is given
(:class:`~.components.TrackerComponents`); the core only sequences them.
Track ids are integers here; :class:`~skywarden.tracking.tracker.Tracker` names them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from skywarden.geo import FloatArray
from skywarden.model import SensorKind
from skywarden.tracking.bearing_assoc import ScanFits
from skywarden.tracking.bearings import bearing_sites
from skywarden.tracking.components import TrackerComponents
from skywarden.tracking.config import TrackerConfig
from skywarden.tracking.doppler import DopplerGate, DopplerPlots, doppler_of
from skywarden.tracking.identity import IdentityBook
from skywarden.tracking.position_meas import (
    Positions,
    full_state,
    full_state_mask,
    gate_pairs,
    innovation,
    position,
    vouch_sightings,
)
from skywarden.tracking.records import (
    COASTING,
    CONFIRMED,
    KIND_BIT,
    TENTATIVE,
    ScanError,
    ScanGroup,
    StepResult,
    TrackMeta,
    cooperative_columns,
)
from skywarden.tracking.table import TrackTable
from skywarden.tracking.triangulation import BearingPool

__all__ = [
    "COASTING",
    "CONFIRMED",
    "KIND_BIT",
    "TENTATIVE",
    "ScanError",
    "ScanGroup",
    "StepResult",
    "TrackMeta",
    "TrackerCore",
]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


class TrackerCore:
    """Tracks in a ``dims``-dimensional ENU frame (3 live, 2 for planar data)."""

    REPORT_FIELDS = (
        "id",
        "status",
        "x",
        "P",
        "probs",
        "sensors",
        "kinds",
        "t_first",
        "t_update",
        "p_exist",
    )

    def __init__(
        self,
        config: TrackerConfig | None = None,
        dims: int = 3,
        classify: bool = True,
        *,
        components: TrackerComponents | None = None,
    ) -> None:
        """Components from ``components``, else built by ``config`` (default
        ``TrackerConfig()``; giving both is an error). ``classify=False`` builds no
        classifier (callers that report positions only, ``track --enu``)."""
        if components is None:
            components = (config or TrackerConfig()).components(dims, classify)
        elif config is not None:
            raise ValueError("TrackerCore: give config or components, not both")
        self.components = c = components
        if getattr(c.filter, "dims", dims) != dims:
            raise ValueError(f"TrackerCore: a {dims}-D core needs a {dims}-D filter: {c.filter}")
        self.dims = dims
        self.filter = c.filter
        self.gate = c.gate
        self.associator = c.associator
        self.initiator = c.initiator
        self.deleter = c.deleter
        self.classifier = c.classifier
        self.bearings = c.bearings
        self.triangulator = c.triangulator
        self.existence = c.existence
        self.chi2 = c.gate.threshold(dims)
        self.chi2_doppler = DopplerGate.threshold(self.chi2, dims)
        self.table = TrackTable()
        self.t: float | None = None
        self._t_manage: float | None = None
        #: the last scan's time and the interval before it (the feed's own cadence)
        self._t_scan: float | None = None
        self._cadence: float | None = None
        self.next_id = 1
        self.sensor_index: dict[str, int] = {}
        self.identities = IdentityBook()
        self._pool: list[tuple[FloatArray, float, float, int, float, float]] = []
        self._report_fields = frozenset(self.REPORT_FIELDS)

    @property
    def meta(self) -> dict[int, TrackMeta]:
        """Identities and callsign per live track id (cooperative tracks only)."""
        return self.identities.meta

    @property
    def key_to_id(self) -> dict[str, int]:
        return self.identities.key_to_id

    def step(self, t: float, groups: Sequence[ScanGroup]) -> StepResult:
        """Process one scan ending at ``t``; report confirmed/coasting tracks at ``t``."""
        a = self.table.a
        if self.table.n:
            a["hit"][:] = False
            a["updated"][:] = False
            for col in ("rf_credit", "rf_fits", "rf_took", "rf_resid", "rf_follow"):
                a[col][:] = 0.0
            a["lr_scan"][:] = -np.inf
        for g in groups:
            if len(g):
                g.validate(self.dims)
        expired = self._expire_after_gap(t)
        if self._t_scan is not None and t > self._t_scan:
            self._cadence = t - self._t_scan
        self._t_scan = t if self._t_scan is None else max(t, self._t_scan)
        fits = self._bearing_fits(groups)
        for g in sorted(groups, key=lambda g: g.t) if len(groups) > 1 else groups:
            if len(g) == 0:
                continue
            self._predict_to(max(g.t, self.t if self.t is not None else g.t))
            if g.bearings is not None:
                self._bearing_group(g, fits)
            else:
                self._position_group(g)
        if self._pool:
            self._triangulate()
        self._predict_to(t if self.t is None else max(t, self.t))
        res = self._manage(t)
        if expired is None:
            return res
        ended_rows, ended_meta = expired
        if res.ended:
            ended_rows = {k: np.concatenate([v, res.ended[k]]) for k, v in ended_rows.items()}
        return StepResult(res.live, ended_rows, {**ended_meta, **res.ended_meta})

    def finish(self) -> dict[str, npt.NDArray]:
        """End every live track; returns the confirmed/coasting ones (their last state).

        ``meta`` keeps the ended tracks' identities until the caller has read them.
        """
        a = self.table.a
        if self.table.n == 0:
            return {}
        rows = np.flatnonzero(a["status"] != TENTATIVE)
        out = self._report(rows)
        self.table.keep(np.zeros(self.table.n, dtype=bool))
        self.key_to_id.clear()
        return out

    def end(self, which: BoolArray) -> tuple[dict[str, npt.NDArray], dict[int, TrackMeta]]:
        """End the tracks ``which`` marks as a feed gap does (a lane's window, .lanes)."""
        a = self.table.a
        ended = self._report(np.flatnonzero(which & (a["status"] != TENTATIVE)))
        meta = self.identities.release(a["id"][which].tolist()) if self.identities.meta else {}
        self.table.keep(~which)
        return ended, meta

    def sensor_bit(self, sensor: str) -> int:
        """Index of a sensor in the per-track contributing-sensor bit mask (0-62).

        A mask holds 63 sensors; beyond that, sensors share bits (sensor lists may then
        name a sensor that did not contribute). The El Paso sector has ten.
        """
        i = self.sensor_index.get(sensor)
        if i is None:
            i = len(self.sensor_index)
            self.sensor_index[sensor] = i
        return i % 63

    # ------------------------------------------------------------------ internals

    def _predict_to(self, t: float) -> None:
        if self.t is None:
            self.t = t
            return
        dt = t - self.t
        if dt <= 0.0:
            return
        if self.table.n:
            self.filter.predict(self.table.a, dt)
            if self.classifier is not None:
                self.classifier.observe_kinematics(self.table.a, dt, self.dims)
        self.t = t

    def _record(self, g: ScanGroup, rows: IntArray, dets: IntArray, confirming: bool) -> None:
        """Bookkeeping after ``rows`` were updated by detections ``dets`` of group ``g``."""
        a = self.table.a
        a["t_update"][rows] = g.t
        a["updated"][rows] = True
        if confirming:
            a["hit"][rows] = True
        a["sensors"][rows] |= np.int64(1) << np.int64(self.sensor_bit(g.sensor))
        a["kinds"][rows] |= np.int64(KIND_BIT[g.kind])
        if g.kind == SensorKind.ADSB:
            a["c_adsb"][rows] += 1.0
        elif g.kind == SensorKind.REMOTE_ID:
            a["c_rid"][rows] += 1.0
        clf = self.classifier
        if clf is not None and g.class_lik is not None:
            clf.observe_class(a, rows, g.class_lik[dets])
        if clf is not None and g.rcs_dbsm is not None:
            clf.observe_rcs(a, rows, g.rcs_dbsm[dets])  # type: ignore[arg-type]
        if g.identity_keys is not None:
            for r, j in zip(rows.tolist(), dets.tolist(), strict=True):
                self.identities.give(int(a["id"][r]), g, j)

    def _associate_positions(
        self, g: ScanGroup, used: BoolArray, gd: tuple[DopplerGate, DopplerPlots] | None
    ) -> tuple[IntArray, IntArray]:
        """Identity first, then GNN: confirmed/coasting tracks, then tentative ones
        (``gd``: the Doppler gate and the group's radial speeds, if they join)."""
        assert g.z is not None and g.R is not None
        a = self.table.a
        id_rows, id_dets = self.identities.first(g, self.table, self.chi2)
        all_rows = [np.asarray(id_rows, dtype=np.intp)]
        all_dets = [np.asarray(id_dets, dtype=np.intp)]
        used[id_dets] = True
        if self.table.n == 0:
            return all_rows[0], all_dets[0]
        taken = np.zeros(self.table.n, dtype=bool)
        taken[id_rows] = True
        status = a["status"]
        for stage in (status != TENTATIVE, status == TENTATIVE):
            rows = np.flatnonzero(stage & ~taken)
            dets = np.flatnonzero(~used)
            if rows.shape[0] == 0 or dets.shape[0] == 0:
                continue
            p = gate_pairs(self.gate, a["x"], a["P"], rows, g, dets, self.dims)
            ti, dj, cost = p.ti, p.dj, p.d2
            miss = self.chi2
            if gd is not None:
                miss = self.chi2_doppler
                cost, keep = gd[0].costs(a, rows[ti], (g.z, g.R, gd[1]), dets[dj], cost, miss)
                ti, dj, cost = ti[keep], dj[keep], cost[keep]
            if g.identity_keys is not None:
                bad = self.identities.conflict(g, a, rows[ti], dets[dj])
                ti, dj, cost = ti[~bad], dj[~bad], cost[~bad]
            at, ad = self.associator.assign(rows.shape[0], dets.shape[0], ti, dj, cost, miss)
            all_rows.append(rows[at])
            all_dets.append(dets[ad])
            used[dets[ad]] = True
            taken[rows[at]] = True
        return np.concatenate(all_rows), np.concatenate(all_dets)

    def _position_group(self, g: ScanGroup) -> None:
        assert g.z is not None and g.R is not None
        a = self.table.a
        used = np.zeros(g.z.shape[0], dtype=bool)
        gd = doppler_of(self.components.doppler, g.doppler, self.dims, g.age_s)
        rows, dets = self._associate_positions(g, used, gd)
        confirming = g.kind != SensorKind.VISUAL
        if rows.shape[0]:
            vouch_sightings(self.gate, a, rows, g, dets, self.dims)
            self._existence_evidence(rows, position(g, dets))
            full = full_state_mask(g, dets)
            if full.any():
                vsig = self.components.velocity_sigma_ms
                self.filter.update(a, rows[full], full_state(g, dets[full], vsig))
            if not full.all():
                part = dets[~full]
                meas = position(g, part) if gd is None else gd[0].measurement(g.z, g.R, gd[1], part)
                self.filter.update(a, rows[~full], meas)
            self._record(g, rows, dets, confirming)
        new = np.flatnonzero(~used)
        if new.shape[0]:
            vel = None if g.velocity is None else g.velocity[new]
            vvar = None if g.velocity_var is None else g.velocity_var[new]
            x0, p0 = self.initiator.prior(g.z[new], g.R[new], vel, vvar)
            rows = self._spawn(x0, p0, g.t)
            self._record(g, rows, new, confirming)
            vouch_sightings(self.gate, self.table.a, rows, g, new, self.dims)

    def _existence_evidence(self, rows: IntArray, meas: Positions) -> None:
        """Keep each row's best log likelihood ratio (target vs clutter) of this scan."""
        a = self.table.a
        d = self.dims
        nu, s = innovation(meas, a["x"], a["P"], rows)
        _, logdet = np.linalg.slogdet(s)
        d2 = np.einsum("ki,ki->k", nu, np.linalg.solve(s, nu[..., None])[..., 0])
        ll = -0.5 * (d2 + logdet + d * math.log(2.0 * math.pi)) - self.existence.log_clutter
        np.maximum.at(a["lr_scan"], rows, ll)

    def _bearing_fits(self, groups: Sequence[ScanGroup]) -> ScanFits:
        if self.table.n == 0 or self.dims != 3:
            return ScanFits()
        a = self.table.a
        t0 = self.t if self.t is not None else 0.0
        return self.bearings.scan_fits(groups, a["x"], a["P"], t0)

    def _bearing_group(self, g: ScanGroup, fits: ScanFits) -> None:
        """Apply the bearing associator's decision: updates, RF credit, the pool."""
        b = g.bearings
        assert b is not None
        a = self.table.a
        pool = np.ones(b.azimuth.shape[0], dtype=bool)
        if self.table.n and self.dims == 3:
            tentative = a["status"] == TENTATIVE
            dec = self.bearings.decide(g, a["x"], a["P"], tentative, fits, a["rf_ref"], a)
            dec.add_rf(a)
            pool = dec.pool
            if dec.rows.shape[0]:
                for rows, meas in self.bearings.measurements(b, dec.rows, dec.dets):
                    self.filter.update(a, rows, meas)
                np.maximum.at(a["lr_scan"], dec.rows, dec.lr)
                self._record(g, dec.rows, dec.dets, confirming=True)
        site_id = self.sensor_index.setdefault(g.sensor, len(self.sensor_index))
        sites, el, els = bearing_sites(b), b.elevation, b.elevation_sigma
        for j in np.flatnonzero(pool).tolist():
            el_j, els_j = (math.nan if v is None else float(v[j]) for v in (el, els))
            self._pool.append(
                (sites[j], float(b.azimuth[j]), float(b.sigma[j]), site_id, el_j, els_j)
            )

    def _triangulate(self) -> None:
        pool = BearingPool(
            site=np.array([p[0] for p in self._pool]),
            azimuth=np.array([p[1] for p in self._pool]),
            sigma=np.array([p[2] for p in self._pool]),
            site_id=np.array([p[3] for p in self._pool], dtype=np.intp),
            elevation=np.array([p[4] for p in self._pool]),
            elevation_sigma=np.array([p[5] for p in self._pool]),
        )
        self._pool = []
        fixes = self.triangulator.fixes(pool)
        if not fixes or self.dims != 3:
            return
        z = np.array([f.position for f in fixes])
        r = np.array([f.cov for f in fixes])
        x0, p0 = self.initiator.prior(z, r)
        assert self.t is not None
        rows = self._spawn(x0, p0, self.t)
        a = self.table.a
        a["hit"][rows] = True
        a["updated"][rows] = True
        a["kinds"][rows] |= np.int64(KIND_BIT[SensorKind.RF])
        for r_, f in zip(rows.tolist(), fixes, strict=True):
            sites = set(pool.site_id[f.used].tolist())
            for s in sites:
                a["sensors"][r_] |= np.int64(1) << np.int64(s % 63)
            a["rf_credit"][r_] = a["rf_fits"][r_] = a["rf_took"][r_] = float(len(sites))

    def _spawn(self, x0: FloatArray, p0: FloatArray, t: float) -> IntArray:
        k = x0.shape[0]
        ids = np.arange(self.next_id, self.next_id + k, dtype=np.int64)
        self.next_id += k
        cols: dict[str, npt.NDArray] = {
            "id": ids,
            "status": np.full(k, TENTATIVE, dtype=np.int8),
            "t_first": np.full(k, t),
            "t_update": np.full(k, t),
            "hist": np.zeros(k, dtype=np.uint32),
            "age": np.zeros(k, dtype=np.int64),
            "sensors": np.zeros(k, dtype=np.int64),
            "kinds": np.zeros(k, dtype=np.int64),
            "hit": np.zeros(k, dtype=bool),
            "updated": np.zeros(k, dtype=bool),
            "rf_credit": np.zeros(k),
            "rf_fits": np.zeros(k),  # DF sites whose bearings fit the track this scan
            "rf_took": np.zeros(k),  # bearings' worth it took at them (the RF share)
            "rf_resid": np.zeros((k, 3)),  # weighted bearing residuals (.rf_bias)
            "rf_follow": np.zeros((k, 6)),  # ... and their follow sums (.rf_bias)
            "rf_ref": np.full(k, np.nan),  # the azimuth the follow sums are measured from
            "lr_scan": np.zeros(k),  # a new track's own detection is neither hit nor miss
            "p_exist": np.full(k, self.existence.p_init),
            "pd_hat": np.full(k, self.existence.detection_probability),
        }
        cols.update(self.filter.init(x0, p0))
        clf = self.classifier
        cols.update(clf.init(k) if clf is not None else cooperative_columns(k))
        start = self.table.n
        self.table.append(cols)
        return np.arange(start, start + k, dtype=np.intp)

    def _report(self, rows: IntArray) -> dict[str, npt.NDArray]:
        """The reported columns (and the classifier's evidence columns) of ``rows``."""
        a = self.table.a
        keep = self._report_fields
        return {f: a[f][rows] for f in a if f in keep or f.startswith("c_")}

    def _manage(self, t: float) -> StepResult:
        """Status changes, deletion, existence and classification after a scan."""
        if self.table.n == 0:
            return StepResult({}, {})
        a = self.table.a
        end = self._statuses(t)
        tentative = a["status"] == TENTATIVE
        dt = t - self._t_manage if self._t_manage is not None else 0.0
        self._t_manage = t
        ex = self.existence
        a["p_exist"] = ex.update(a["p_exist"], a["updated"], a["lr_scan"], dt, a["pd_hat"])
        a["pd_hat"] = ex.track_pd(a["pd_hat"], a["updated"])
        if self.classifier is not None:
            self.classifier.observe_rf(
                a, a["rf_credit"], dt, a["rf_fits"], a["rf_took"], a["rf_resid"], a["rf_follow"]
            )
            self.classifier.kinematics.observe_flocks(a, ~tentative & ~end, self.dims)
            self.classifier.update_probabilities(a)
        gone = np.flatnonzero(end & ~tentative)
        # most scans end no confirmed track: no empty copy of every column then
        ended = self._report(gone) if gone.shape[0] else {}
        # A coasting track is kept for re-acquisition but reported only while it
        # probably still exists (IPDA p_exist >= report_min_p_exist).
        shown = (a["status"] == CONFIRMED) | (a["p_exist"] >= self.components.report_min_p_exist)
        live = self._report(np.flatnonzero(~end & ~tentative & shown))
        ended_meta: dict[int, TrackMeta] = {}
        if end.any():
            if self.identities.meta:
                ended_meta = self.identities.release(a["id"][end].tolist())
            self.table.keep(~end)
        return StepResult(live, ended, ended_meta)

    def _expire_after_gap(
        self, t: float
    ) -> tuple[dict[str, npt.NDArray], dict[int, TrackMeta]] | None:
        """End the tracks a feed gap made stale, before the scan at ``t`` is associated
        (:meth:`.Deleter.after_gap` says when). They are reported as ended with the state
        they had at the last scan. Returns the ended rows and identities, or ``None``."""
        if self._t_scan is None or self._cadence is None or self.table.n == 0:
            return None
        a = self.table.a
        tentative = a["status"] == TENTATIVE
        end = self.deleter.after_gap(
            t, self._t_scan, self._cadence, tentative, a["t_update"], a["P"], self.dims
        )
        return None if end is None or not end.any() else self.end(end)

    def _statuses(self, t: float) -> BoolArray:
        """M-of-N confirmation, confirmed/coasting by this scan's updates; tracks to end."""
        a = self.table.a
        mofn = self.initiator.confirm
        a["hist"] = mofn.shift(a["hist"], a["hit"])
        a["age"] += 1
        status = a["status"]
        tentative = status == TENTATIVE
        confirm = tentative & mofn.confirmed(a["hist"])
        status[~tentative] = np.where(a["updated"][~tentative], CONFIRMED, COASTING)
        status[confirm] = CONFIRMED
        tentative = status == TENTATIVE
        end = self.deleter.to_end(t, tentative, a["t_update"], a["P"], self.dims)
        end |= tentative & mofn.hopeless(a["hist"], a["age"])
        return np.asarray(end)
