"""The array core of the tracker: one scan of detections in, every track's state out.

A scan is a list of :class:`ScanGroup`, one per sensor, each holding that sensor's
detections as arrays. Groups are processed in time order (sequential sensor fusion:
every track is predicted to the group's time, associated, updated), so a target seen
by radar, Remote ID and a direction finder in the same second is updated by each in
turn and no sensor needs another's clock. Within a group:

1. identity first: a detection carrying a Remote ID serial or ICAO address goes to the
   track that already holds that identity;
2. GNN on Mahalanobis-gated costs, confirmed and coasting tracks first, then tentative
   tracks on what is left (a tentative track never steals a confirmed track's plot);
   a detection whose identity contradicts a track's (another ICAO address) never gates;
3. the Kalman (or IMM, or extended for bearings) update of every assigned pair at once;
4. leftover position detections start tentative tracks; RF bearings that no track
   explains are pooled and triangulated across direction finders after the last group.

Bearings are associated by geometry in :mod:`.bearings` (range, elevation, the other
sites' bearings of the same scan, shared by likelihood over the candidates): a bearing
updates a track only when one candidate clearly owns it, and credits RF evidence by
weight. After the groups: M-of-N bookkeeping, status changes, deletion, the IPDA
existence update (:mod:`.existence`), classification. A coasting track is reported only
while its existence probability is at least ``report_min_p_exist``; it is kept for
re-acquisition until the deleter ends it. No
Python object exists per detection or per track inside; per-identity bookkeeping
(a dict keyed by identity) touches only cooperative reports.

Track ids are integers here; :class:`~skywarden.tracking.tracker.Tracker` names them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from skywarden.errors import SkywardenError
from skywarden.geo import FloatArray
from skywarden.model import SensorKind
from skywarden.tracking.association import gnn_assign
from skywarden.tracking.bearings import BearingFit, Bearings
from skywarden.tracking.config import TrackerConfig
from skywarden.tracking.gating import gate_positions
from skywarden.tracking.initiation import single_point_prior
from skywarden.tracking.measurements import (
    BearingMeasurement,
    PositionMeasurement,
    StateMeasurement,
)
from skywarden.tracking.table import TrackTable
from skywarden.tracking.triangulation import BearingPool

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

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

    def __len__(self) -> int:
        if self.bearings is not None:
            return int(self.bearings.azimuth.shape[0])
        return 0 if self.z is None else int(self.z.shape[0])

    def validate(self, dims: int) -> None:
        where = f"scan group {self.sensor!r} at t={self.t}"
        if (self.z is None) == (self.bearings is None):
            raise ScanError(f"{where}: needs exactly one of positions or bearings")
        if self.z is not None:
            m = self.z.shape[0]
            if self.z.shape != (m, dims):
                raise ScanError(f"{where}: z has shape {self.z.shape}, expected ({m}, {dims})")
            if self.R is None or self.R.shape != (m, dims, dims):
                raise ScanError(f"{where}: R must have shape ({m}, {dims}, {dims})")
            if not (np.isfinite(self.z).all() and np.isfinite(self.R).all()):
                raise ScanError(f"{where}: non-finite position or covariance")
            if (np.diagonal(self.R, axis1=1, axis2=2) <= 0).any():
                raise ScanError(f"{where}: covariance with non-positive variance")
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
        self, config: TrackerConfig | None = None, dims: int = 3, classify: bool = True
    ) -> None:
        """``classify=False`` skips the classifier's per-scan work (kinematic features,
        class probabilities) for callers that report positions only (``track --enu``);
        its columns then keep their initial values."""
        self.config = config or TrackerConfig()
        self.dims = dims
        self.classify = classify
        self.filter = self.config.make_filter(dims)
        self.mofn = self.config.initiator()
        self.deleter = self.config.deleter()
        self.classifier = self.config.classifier
        self.triangulator = self.config.triangulator()
        self.bearing_gate = self.config.bearing_gate()
        self.existence = self.config.existence(dims)
        self._t_manage: float | None = None
        self.chi2 = self.config.gate(dims)
        self.table = TrackTable()
        self.t: float | None = None
        self.next_id = 1
        self.sensor_index: dict[str, int] = {}
        self.key_to_id: dict[str, int] = {}
        self.meta: dict[int, TrackMeta] = {}
        self._pool: list[tuple[FloatArray, float, float, int, float, float]] = []

    # ------------------------------------------------------------------ public

    def step(self, t: float, groups: Sequence[ScanGroup]) -> StepResult:
        """Process one scan ending at ``t``; report confirmed/coasting tracks at ``t``."""
        a = self.table.a
        if self.table.n:
            a["hit"][:] = False
            a["updated"][:] = False
            a["rf_credit"][:] = 0.0
            a["lr_scan"][:] = -np.inf
        for g in groups:
            if len(g):
                g.validate(self.dims)
        fits = self._bearing_fits(groups)
        for g in sorted(groups, key=lambda g: g.t):
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
        return self._manage(t)

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
            if self.classify:
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
        elif g.kind == SensorKind.VISUAL:
            a["c_visual_t"][rows] = g.t
        if g.class_lik is not None:
            self.classifier.observe_class(a, rows, g.class_lik[dets])
        if g.rcs_dbsm is not None:
            self.classifier.observe_rcs(a, rows, g.rcs_dbsm[dets])  # type: ignore[arg-type]
        if g.identity_keys is not None:
            for r, j in zip(rows.tolist(), dets.tolist(), strict=True):
                self._give_identity(int(a["id"][r]), g.identity_keys[j], g, j)

    def _give_identity(self, tid: int, keys: tuple[str, ...], g: ScanGroup, j: int) -> None:
        if not keys and not (g.callsigns and g.callsigns[j]):
            return
        meta = self.meta.setdefault(tid, TrackMeta())
        for k in keys:
            if k not in meta.identities:
                meta.identities.append(k)
            self.key_to_id[k] = tid
        if g.callsigns and g.callsigns[j]:
            meta.callsign = g.callsigns[j]

    def _identity_first(self, g: ScanGroup) -> tuple[list[int], list[int]]:
        rows: list[int] = []
        dets: list[int] = []
        if g.identity_keys is None:
            return rows, dets
        taken: set[int] = set()
        for j, keys in enumerate(g.identity_keys):
            for k in keys:
                tid = self.key_to_id.get(k)
                if tid is None:
                    continue
                r = self.table.row_of(tid)
                if r < 0:
                    del self.key_to_id[k]
                    continue
                if r not in taken:
                    taken.add(r)
                    rows.append(r)
                    dets.append(j)
                break
        return rows, dets

    def _identity_conflict(self, g: ScanGroup, rows: IntArray, dets: IntArray) -> BoolArray:
        """Pairs where the detection's identity contradicts the track's identity."""
        bad = np.zeros(rows.shape[0], dtype=bool)
        if g.identity_keys is None or rows.shape[0] == 0:
            return bad
        a = self.table.a
        det_icao = np.array([any(k.startswith("icao:") for k in ks) for ks in g.identity_keys])
        det_rid = np.array([any(k.startswith("rid:") for k in ks) for ks in g.identity_keys])
        bad |= det_icao[dets] & (a["c_adsb"][rows] > 0)
        bad |= det_rid[dets] & (a["c_rid"][rows] > 0)
        return bad

    def _position_group(self, g: ScanGroup) -> None:
        assert g.z is not None and g.R is not None
        a = self.table.a
        d = self.dims
        m = g.z.shape[0]
        used = np.zeros(m, dtype=bool)
        id_rows, id_dets = self._identity_first(g)
        all_rows = [np.asarray(id_rows, dtype=np.intp)]
        all_dets = [np.asarray(id_dets, dtype=np.intp)]
        used[id_dets] = True
        if self.table.n:
            taken = np.zeros(self.table.n, dtype=bool)
            taken[id_rows] = True
            status = a["status"]
            for stage in (status != TENTATIVE, status == TENTATIVE):
                rows = np.flatnonzero(stage & ~taken)
                dets = np.flatnonzero(~used)
                if rows.shape[0] == 0 or dets.shape[0] == 0:
                    continue
                pairs = gate_positions(
                    a["x"][rows, :d],
                    a["P"][rows, :d, :d],
                    g.z[dets],
                    g.R[dets],
                    self.chi2,
                    self.config.dense_limit,
                )
                ti, dj, cost = pairs.ti, pairs.dj, pairs.d2
                bad = self._identity_conflict(g, rows[ti], dets[dj])
                if bad.any():
                    ti, dj, cost = ti[~bad], dj[~bad], cost[~bad]
                at, ad = gnn_assign(rows.shape[0], dets.shape[0], ti, dj, cost, self.chi2)
                all_rows.append(rows[at])
                all_dets.append(dets[ad])
                used[dets[ad]] = True
                taken[rows[at]] = True
        rows = np.concatenate(all_rows)
        dets = np.concatenate(all_dets)
        confirming = g.kind != SensorKind.VISUAL
        if rows.shape[0]:
            self._existence_evidence(rows, g.z[dets], g.R[dets])
            full = self._full_state_mask(g, dets)
            if full.any():
                z6, r6 = self._full_state(g, dets[full])
                self.filter.update(a, rows[full], StateMeasurement(z6, r6))
            part = ~full
            if part.any():
                meas = PositionMeasurement(g.z[dets[part]], g.R[dets[part]])
                self.filter.update(a, rows[part], meas)
            self._record(g, rows, dets, confirming)
        new = np.flatnonzero(~used)
        if new.shape[0]:
            vel = None if g.velocity is None else g.velocity[new]
            vvar = None if g.velocity_var is None else g.velocity_var[new]
            x0, p0 = single_point_prior(
                g.z[new], g.R[new], self.config.init_speed_sigma_ms, vel, vvar
            )
            rows = self._spawn(x0, p0, g.t)
            self._record(g, rows, new, confirming)

    def _existence_evidence(self, rows: IntArray, z: FloatArray, r: FloatArray) -> None:
        """Keep each row's best log likelihood ratio (target vs clutter) of this scan."""
        a = self.table.a
        d = self.dims
        nu = z - a["x"][rows, :d]
        s = a["P"][rows, :d, :d] + r
        _, logdet = np.linalg.slogdet(s)
        d2 = np.einsum("ki,ki->k", nu, np.linalg.solve(s, nu[..., None])[..., 0])
        ll = -0.5 * (d2 + logdet + d * math.log(2.0 * math.pi)) - self.existence.log_clutter
        np.maximum.at(a["lr_scan"], rows, ll)

    def _full_state_mask(self, g: ScanGroup, dets: IntArray) -> BoolArray:
        if g.velocity is None:
            return np.zeros(dets.shape[0], dtype=bool)
        return np.asarray(np.isfinite(g.velocity[dets]).all(axis=1))

    def _full_state(self, g: ScanGroup, dets: IntArray) -> tuple[FloatArray, FloatArray]:
        assert g.z is not None and g.R is not None and g.velocity is not None
        d = self.dims
        k = dets.shape[0]
        z = np.hstack([g.z[dets], g.velocity[dets]])
        r = np.zeros((k, 2 * d, 2 * d))
        r[:, :d, :d] = g.R[dets]
        vvar = (
            np.full(k, self.config.velocity_sigma_ms**2)
            if g.velocity_var is None
            else np.nan_to_num(g.velocity_var[dets], nan=self.config.velocity_sigma_ms**2)
        )
        idx = np.arange(d, 2 * d)
        r[:, idx, idx] = np.maximum(vvar, 1e-4)[:, None]
        return z, r

    def _bearing_fits(self, groups: Sequence[ScanGroup]) -> dict[int, tuple[str, BearingFit]]:
        """Every DF group's gated pairs at the scan's start (for cross-site consistency).

        Positions are extrapolated to each group's time on their velocity; the tracks
        move a few tens of metres in a scan, little against a bearing's spread.
        """
        out: dict[int, tuple[str, BearingFit]] = {}
        if self.table.n == 0 or self.dims != 3:
            return out
        a = self.table.a
        t0 = self.t if self.t is not None else 0.0
        for g in groups:
            if g.bearings is None or len(g) == 0:
                continue
            x = a["x"].copy()
            x[:, :3] += x[:, 3:6] * max(g.t - t0, 0.0)
            out[id(g)] = (g.sensor, self.bearing_gate.fit(g.bearings, x, a["P"]))
        return out

    def _bearing_group(self, g: ScanGroup, fits: dict[int, tuple[str, BearingFit]]) -> None:
        """Share each bearing over the tracks whose geometry fits it (tracking.bearings)."""
        b = g.bearings
        assert b is not None
        a = self.table.a
        m = b.azimuth.shape[0]
        pool = np.ones(m, dtype=bool)
        if self.table.n and self.dims == 3:
            n = self.table.n
            gate = self.bearing_gate
            f = gate.fit(b, a["x"], a["P"])
            others = [fo for key, (sensor, fo) in fits.items() if sensor != g.sensor]
            w = gate.weights(f, m, n, others, a["status"] == TENTATIVE)
            a["rf_credit"] += w.credit
            # A bearing nobody tracked explains starts a new emitter; an ambiguous one
            # (shared between tracks) neither updates nor spawns anything.
            pool = w.other >= gate.min_weight
            firm = w.w >= gate.min_weight
            ti, dj, cost = w.ti[firm], w.dj[firm], -np.log(w.w[firm])
            rows, dets = gnn_assign(n, m, ti, dj, cost, -math.log(gate.min_weight) + 1e-9)
            if rows.shape[0]:
                el = b.elevation[dets] if b.elevation is not None else np.full(len(dets), np.nan)
                has_el = np.isfinite(el)
                for sel, with_el in ((has_el, True), (~has_el, False)):
                    if not sel.any():
                        continue
                    k = int(sel.sum())
                    meas = BearingMeasurement(
                        np.tile(b.site, (k, 1)),
                        b.azimuth[dets[sel]],
                        b.sigma[dets[sel]],
                        el[sel] if with_el else None,
                        b.elevation_sigma[dets[sel]]
                        if with_el and b.elevation_sigma is not None
                        else None,
                    )
                    self.filter.update(a, rows[sel], meas)
                # existence evidence: the pair's likelihood against "some other emitter"
                got = np.isin(ti * m + dj, rows * m + dets)
                lr = np.log(w.w[firm][got]) - np.log(np.maximum(w.other[dj[got]], 1e-300))
                np.maximum.at(a["lr_scan"], ti[got], lr)
                self._record(g, rows, dets, confirming=True)
        site_id = self.sensor_index.setdefault(g.sensor, len(self.sensor_index))
        for j in np.flatnonzero(pool).tolist():
            el_j = math.nan if b.elevation is None else float(b.elevation[j])
            els_j = math.nan if b.elevation_sigma is None else float(b.elevation_sigma[j])
            self._pool.append(
                (b.site, float(b.azimuth[j]), float(b.sigma[j]), site_id, el_j, els_j)
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
        x0, p0 = single_point_prior(z, r, self.config.init_speed_sigma_ms)
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
            a["rf_credit"][r_] = float(len(sites))

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
            "lr_scan": np.zeros(k),  # a new track's own detection is neither hit nor miss
            "p_exist": np.full(k, self.existence.p_init),
            "pd_hat": np.full(k, self.existence.detection_probability),
        }
        cols.update(self.filter.init(x0, p0))
        cols.update(self.classifier.init(k))
        start = self.table.n
        self.table.append(cols)
        return np.arange(start, start + k, dtype=np.intp)

    def _report(self, rows: IntArray) -> dict[str, npt.NDArray]:
        """The reported columns (and the classifier's evidence columns) of ``rows``."""
        a = self.table.a
        return {f: a[f][rows] for f in a if f in self.REPORT_FIELDS or f.startswith("c_")}

    def _manage(self, t: float) -> StepResult:
        if self.table.n == 0:
            return StepResult({}, {})
        a = self.table.a
        a["hist"] = self.mofn.shift(a["hist"], a["hit"])
        a["age"] += 1
        status = a["status"]
        tentative = status == TENTATIVE
        confirm = tentative & self.mofn.confirmed(a["hist"])
        status[~tentative] = np.where(a["updated"][~tentative], CONFIRMED, COASTING)
        status[confirm] = CONFIRMED
        tentative = status == TENTATIVE
        end = self.deleter.to_end(t, tentative, a["t_update"], a["P"], self.dims)
        end |= tentative & self.mofn.hopeless(a["hist"], a["age"])
        dt = t - self._t_manage if self._t_manage is not None else 0.0
        self._t_manage = t
        ex = self.existence
        a["p_exist"] = ex.update(a["p_exist"], a["updated"], a["lr_scan"], dt, a["pd_hat"])
        a["pd_hat"] = ex.track_pd(a["pd_hat"], a["updated"])
        if self.classify:
            self.classifier.observe_rf(a, a["rf_credit"], dt)
            self.classifier.kinematics.observe_flocks(a, ~tentative & ~end, self.dims)
            self.classifier.update_probabilities(a)
        ended = self._report(np.flatnonzero(end & ~tentative))
        # A coasting track is kept for re-acquisition but reported only while it
        # probably still exists (IPDA p_exist >= report_min_p_exist).
        shown = (status == CONFIRMED) | (a["p_exist"] >= self.config.report_min_p_exist)
        live = self._report(np.flatnonzero(~end & ~tentative & shown))
        ended_meta: dict[int, TrackMeta] = {}
        if end.any():
            for tid in a["id"][end].tolist():
                meta = self.meta.pop(tid, None)
                if meta:
                    ended_meta[tid] = meta
                    for k in meta.identities:
                        if self.key_to_id.get(k) == tid:
                            del self.key_to_id[k]
            self.table.keep(~end)
        return StepResult(live, ended, ended_meta)
