"""All of a simulation's radars scanned together, one tick at a time.

A month is millions of radar scans of some twenty targets each. Per radar the maths is
a few dozen numpy calls on arrays that short, so call overhead, not arithmetic, was
most of the simulator's time. ``RadarBank`` runs each step once for every radar due at
a tick: their polar geometry as one (radars, targets) array, the plots of all of them as
one array, one loop building the records. Each radar still draws from its own stream
exactly what ``Radar.scan`` draws, in the same order (its normals as one
``standard_normal`` call: ``normal(0, s, k)`` is ``0 + s * z`` of the same ``z``), and
every value is the element-wise operation of ``Radar.scan`` on contiguous arrays, as
there: the plots are the same floats, bit for bit (tests/sim/sensors/test_radar_bank.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from skywarden.geo import LocalFrame, enu_to_bearing_elevation
from skywarden.model import Detection, Position, SensorKind
from skywarden.sim.sensors.base import FloatArray, record_alt
from skywarden.sim.sensors.polar import (
    REFERENCE_RCS_M2,
    plot_attrs,
    polar_enu,
    polar_trig,
    trig_covariance,
)
from skywarden.sim.snapshot import Snapshot

IntArray = npt.NDArray[np.intp]
#: Detection.t bounds (model.Detection): a tick outside them takes the checked path
T_MIN, T_MAX = 946_684_800.0, 4_102_444_800.0


class BankedRadar(Protocol):
    """What the bank uses of a ``radar.Radar`` (which imports the bank, so not the
    reverse)."""

    cfg: Any
    id: str
    rng: np.random.Generator
    frame: LocalFrame
    classifier: Any
    noise: FloatArray
    noise_sigmas: tuple[float, ...]
    last_seen: list[str]
    bank: RadarBank

    def due(self, t: float) -> bool: ...

    def local(self, snap: Snapshot) -> tuple[FloatArray, FloatArray, FloatArray]: ...

    def false_alarms(
        self,
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]: ...

    def class_reports(
        self,
        snap: Snapshot,
        target_idx: IntArray,
        n_false: int,
        rcs_dbsm: FloatArray,
        range_m: FloatArray,
    ) -> tuple[list[str], list[float]]: ...


class RadarBank:
    """The radars of one simulation; ``observe`` is each radar's ``Radar.observe``.

    The first due radar asked at a tick scans every radar due then and keeps the
    others' detections until each asks for them (the engine asks each once a tick); a
    radar asking again at the same snapshot scans afresh, as a lone radar would. A bank
    takes its radars over: each one's ``observe`` goes through it.
    """

    def __init__(self, radars: Sequence[BankedRadar]) -> None:
        self.radars = list(radars)
        for r in self.radars:
            r.bank = self
        self._snap: Snapshot | None = None
        self._pending: dict[int, list[Detection]] = {}
        self._columns: dict[tuple[int, ...], _Columns] = {}

    def observe(self, snap: Snapshot, radar: BankedRadar) -> list[Detection]:
        if not radar.due(snap.t):
            radar.last_seen = []
            return []
        if snap is not self._snap or id(radar) not in self._pending:
            self._snap = snap
            self._pending = self._scan([r for r in self.radars if r.due(snap.t)], snap)
        return self._pending.pop(id(radar))

    # size: one tick of every radar, steps in Radar.scan's order (seeded draw order)
    def _scan(self, due: list[BankedRadar], snap: Snapshot) -> dict[int, list[Detection]]:
        """Every due radar's detections (``Radar.scan`` then ``Radar.observe``)."""
        m, n = len(due), len(snap)
        key = tuple(map(id, due))
        cols_ = self._columns.get(key) or self._columns.setdefault(key, _Columns(due))
        local = [r.local(snap) for r in due]
        e, nn, u = (np.array([g[a] for g in local]).reshape(m, n) for a in range(3))
        rr, az, el = (np.asarray(v) for v in enu_to_bearing_elevation(e, nn, u))
        pd = np.where(cols_.in_view(rr, az, el), cols_.pd(rr, snap.rcs_m2), 0.0)
        draws = np.array([r.rng.uniform(size=n) for r in due]).reshape(m, n)
        rows, cols = np.nonzero(draws < pd)
        counts = np.bincount(rows, minlength=m).tolist()
        # each radar's normals (range, azimuth, elevation, Doppler, echo: k each), then
        # its false alarms, as Radar.scan draws them
        z: list[FloatArray] = []
        fa: list[list[FloatArray]] = [[], [], [], [], []]
        nfs: list[int] = []
        for r, k in zip(due, counts, strict=True):
            z.append(r.rng.standard_normal(5 * k).reshape(5, k))
            for dst, val in zip(fa, r.false_alarms(), strict=True):
                dst.append(val)
            nfs.append(len(fa[0][-1]))
        noise = 0.0 + np.repeat(cols_.sigmas, counts, axis=1) * np.concatenate(z, axis=1)
        rk = rr[rows, cols]
        mr = rk + noise[0]
        maz = np.mod(az[rows, cols] + noise[1], 360.0)
        mel = el[rows, cols] + noise[2]
        los = np.column_stack([e[rows, cols], nn[rows, cols], u[rows, cols]])
        los = los / np.maximum(rk, 1e-9)[:, None]
        vr = np.einsum("ij,ij->i", snap.vel[cols], los) + noise[3]
        rcs = 10 * np.log10(snap.rcs_m2[cols]) + noise[4]
        # plots radar by radar, each radar's detections before its false alarms
        owner = np.concatenate([rows, np.repeat(np.arange(m), nfs)])
        order = np.argsort(owner, kind="stable")
        plots = [
            np.concatenate([a, *b])[order]
            for a, b in zip((np.maximum(mr, 0.0), maz, mel, vr, rcs), fa, strict=True)
        ]
        idxs = np.split(cols, np.cumsum(counts)[:-1]) if m else []
        for r, idx in zip(due, idxs, strict=True):
            r.last_seen = [snap.targets[i].id for i in idx.tolist()]
        out = _records(due, snap, plots, idxs, nfs, cols_.noise)
        return {id(r): dets for r, dets in zip(due, out, strict=True)}


class _Columns:
    """The parameters of a set of due radars as (radars, 1) columns (built once a set)."""

    def __init__(self, due: list[BankedRadar]) -> None:
        def col(name: str) -> FloatArray:
            return np.array([float(getattr(r.cfg, name)) for r in due])[:, None]

        self.range_min, self.range_max = col("range_min_m"), col("range_max_m")
        self.el_min, self.el_max = col("elevation_min_deg"), col("elevation_max_deg")
        self.az_min = col("azimuth_min_deg")
        self.width = col("azimuth_max_deg") - self.az_min
        self.sectored = bool((self.width < 360.0).any())
        self.range_50, self.pd_max = col("range_50_m"), col("pd_max")
        slopes = [r.cfg.pd_slope for r in due]
        #: each distinct slope and the rows that have it
        self.slopes = [(x, [i for i, y in enumerate(slopes) if y == x]) for x in set(slopes)]
        self.sigmas = np.array([r.noise_sigmas for r in due]).reshape(len(due), 5).T
        self.noise = np.array([r.noise for r in due]).reshape(-1, 3, 3)

    def in_view(self, r: FloatArray, az: FloatArray, el: FloatArray) -> npt.NDArray[np.bool_]:
        """``Radar._in_view`` of each row."""
        view = (r >= self.range_min) & (r <= self.range_max)
        view &= (el >= self.el_min) & (el <= self.el_max)
        if self.sectored:
            full = self.width >= 360.0
            view &= (np.mod(az - self.az_min, 360.0) <= self.width) | full
        return view

    def pd(self, r: FloatArray, rcs_m2: FloatArray) -> FloatArray:
        """``Radar.pd`` of each row: the power per distinct slope, on contiguous rows."""
        ratio = r / (self.range_50 * (np.asarray(rcs_m2) / REFERENCE_RCS_M2) ** 0.25)
        if len(self.slopes) == 1:
            p = ratio ** self.slopes[0][0]
        else:
            p = np.empty_like(ratio)
            for slope, rows in self.slopes:
                p[rows] = ratio[rows] ** slope
        return self.pd_max / (1.0 + p)


# size: the records of one tick's plots, rounded and checked as whole arrays
def _records(
    due: list[BankedRadar],
    snap: Snapshot,
    plots: list[FloatArray],
    idxs: list[IntArray],
    nfs: list[int],
    noise: FloatArray,
) -> list[list[Detection]]:
    """Each radar's Detections of its plots (``Radar.observe``'s records), in order."""
    rng_m, az, el, vr, rcs = plots
    total = len(rng_m)
    sizes = [len(i) + f for i, f in zip(idxs, nfs, strict=True)]
    trig = polar_trig(az, el)
    cov = trig_covariance(rng_m, trig, np.repeat(noise, sizes, axis=0))
    e, n, u = polar_enu(rng_m, trig)
    lat, lon, alt = np.empty(total), np.empty(total), np.empty(total)
    ends = np.cumsum(sizes).tolist()
    for r, a, b in zip(due, [0, *ends[:-1]], ends, strict=True):
        if b > a:  # the site's own frame, as Radar.observe converts its plots
            lat[a:b], lon[a:b], alt[a:b] = r.frame.to_geodetic(e[a:b], n[a:b], u[a:b])
    cov3 = cov.round(3)
    lat7, lon7, alt2 = lat.round(7), lon.round(7), record_alt(alt).round(2)
    covs = [tuple(map(tuple, c)) for c in cov3.tolist()]
    lats, lons, alts = lat7.tolist(), lon7.tolist(), alt2.tolist()
    attrs = plot_attrs(rng_m, az, el, vr, rcs)
    rows = list(zip(lats, lons, alts, covs, attrs, strict=True))
    out: list[list[Detection]] = []
    trusted = _valid(snap.t, lat7, lon7, alt2, cov3) and all(r.id for r in due)
    for r, idx, nf, a, b in zip(due, idxs, nfs, [0, *ends[:-1]], ends, strict=True):
        if r.classifier is not None:
            seg = slice(a, b)
            declared, conf = r.class_reports(snap, idx, nf, rcs[seg], rng_m[seg])
            for at, d, p in zip(attrs[seg], declared, conf, strict=True):
                at["class_report"], at["class_confidence"] = d, p
        out.append(_detections(snap.t, r.id, rows[a:b], trusted))
    return out


def _valid(t: float, lat: FloatArray, lon: FloatArray, alt: FloatArray, cov: FloatArray) -> bool:
    """Whether every record passes ``Detection``'s and ``Position``'s checks (so the
    unchecked constructors build what the checked ones would)."""
    return bool(
        T_MIN <= t <= T_MAX
        and (np.abs(lat) <= 90.0).all()
        and (np.abs(lon) <= 180.0).all()
        and ((alt >= -500.0) & (alt <= 30_000.0)).all()
        and np.isfinite(cov).all()
        and (np.diagonal(cov, axis1=1, axis2=2) >= 0.0).all()
    )


def _detections(
    t: float, sensor: str, rows: list[tuple[Any, ...]], trusted: bool
) -> list[Detection]:
    """Records of (lat, lon, alt, cov, attrs) rows; ``trusted`` rows (checked as whole
    arrays by ``_valid``) skip the per-record checks."""
    kind = SensorKind.RADAR
    if trusted:
        pos, det = Position.trusted, Detection.trusted
        return [
            det(t, sensor, kind, pos(la, lo, al, c), None, None, at) for la, lo, al, c, at in rows
        ]
    return [
        Detection(t=t, sensor=sensor, kind=kind, position=Position(la, lo, al, c), attrs=at)
        for la, lo, al, c, at in rows
    ]
