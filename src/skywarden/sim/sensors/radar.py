"""A 3-D surveillance radar for small drones (the class of Echodyne, Robin, Blighter units).

Parameters (``RadarConfig``): site; ``range_min_m``/``range_max_m``; an azimuth sector
``azimuth_min_deg``..``azimuth_max_deg`` (clockwise from true north) and elevation limits;
update period ``update_s`` (1 s).

Detection probability falls with range as the radar equation makes the signal fall with
R^-4: for a target of cross-section sigma,

    Pd(R) = pd_max / (1 + (R / R50)^pd_slope),   R50 = range_50_m * (sigma / 0.01 m^2)^(1/4)

so ``range_50_m`` is where a 0.01 m^2 target (a small quadcopter) is seen half as often
as up close, and a 100 m^2 airliner reaches ten times further.

Measurements are true range/azimuth/elevation plus independent Gaussian errors
(``sigma_range_m``, ``sigma_azimuth_deg``, ``sigma_elevation_deg``). Each scan adds a
Poisson number (mean ``false_alarms_per_scan``) of false alarms uniform in range,
azimuth and elevation (elevation capped at 10 degrees: clutter and noise crossings sit
low, above the horizon). A detection carries the position converted from polar, its
covariance ``J diag(sr^2, sa^2, se^2) J^T`` (J the Jacobian of polar -> ENU at the
measurement), and in ``attrs`` the raw ``range_m``/``azimuth_deg``/``elevation_deg``,
the Doppler ``radial_velocity_mps`` (positive opening, Gaussian error
``sigma_radial_velocity_mps``) and ``rcs_dbsm``, the echo strength as a cross-section
estimate with 3 dB of Swerling-like fluctuation. False alarms get radial speeds uniform
in +-30 m/s and -35..-15 dBsm.

With a ``classifier`` block (counter-drone radars), every plot, false alarms included,
also carries the radar's class report: ``attrs["class_report"]`` one of ``"drone"``,
``"bird"``, ``"manned"``, ``"clutter"`` and ``attrs["class_confidence"]`` in [0, 1]
(model and sources in ``classifier.py``). Its draws come from a stream of their own, so
switching a classifier on leaves every plot's position, Doppler and echo unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from skywarden.geo import enu_to_bearing_elevation
from skywarden.model import Detection, Position, SensorKind
from skywarden.sim.scenario import CLASSIFIER_CLASSES, RadarConfig
from skywarden.sim.sensors.base import FloatArray, SensorModel, record_alt
from skywarden.sim.sensors.classifier import CLUTTER, ROW_OF, ClassReporter, snr_margin_db
from skywarden.sim.sensors.polar import (
    REFERENCE_RCS_M2,
    Trig,
    plot_attrs,
    polar_covariance,
    polar_enu,
    polar_noise,
    polar_to_enu,
    polar_trig,
    trig_covariance,
)
from skywarden.sim.sensors.radar_bank import RadarBank
from skywarden.sim.snapshot import Snapshot

__all__ = [
    "REFERENCE_RCS_M2",
    "Radar",
    "RadarScan",
    "Trig",
    "polar_covariance",
    "polar_noise",
    "polar_to_enu",
    "polar_trig",
]

FA_ELEVATION_MAX_DEG = 10.0
FA_RADIAL_SPEED_MPS = 30.0
RCS_FLUCTUATION_DB = 3.0


@dataclass(frozen=True)
class RadarScan:
    """One scan before it becomes records: measured polar coordinates, real and false."""

    target_idx: npt.NDArray[np.intp]  # which snapshot targets were detected
    range_m: FloatArray  # measured, detections first then false alarms
    azimuth_deg: FloatArray
    elevation_deg: FloatArray
    radial_velocity_mps: FloatArray  # Doppler, positive opening
    rcs_dbsm: FloatArray  # estimated cross-section, dB re 1 m^2
    true_radial_velocity_mps: FloatArray  # of the detected targets, for calibration
    n_false: int
    in_view: npt.NDArray[np.bool_]  # per snapshot target
    pd: FloatArray  # per snapshot target (0 where not in view)


class Radar(SensorModel):
    cfg: RadarConfig

    def __init__(self, cfg: RadarConfig, rng: np.random.Generator) -> None:
        super().__init__(cfg, rng)
        # A child stream: spawning draws nothing from ``rng``, so the plots stay as they were.
        self.classifier = (
            ClassReporter(cfg.classifier, cfg.update_s, rng.spawn(1)[0])
            if cfg.classifier is not None
            else None
        )
        self.noise = polar_noise(cfg.sigma_range_m, cfg.sigma_azimuth_deg, cfg.sigma_elevation_deg)
        #: the standard deviations of a plot's range, azimuth, elevation, Doppler, echo
        self.noise_sigmas: tuple[float, ...] = (
            cfg.sigma_range_m,
            cfg.sigma_azimuth_deg,
            cfg.sigma_elevation_deg,
            cfg.sigma_radial_velocity_mps,
            RCS_FLUCTUATION_DB,
        )
        #: scans this radar (with the other radars of a simulation: ``engine``)
        self.bank: RadarBank = RadarBank([self])

    def describe(self) -> dict[str, Any]:
        """As the base, without a ``classifier`` key when the radar reports no classes."""
        d = super().describe()
        if d.get("classifier") is None:
            d.pop("classifier", None)
        return d

    def class_reports(
        self,
        snap: Snapshot,
        target_idx: npt.NDArray[np.intp],
        n_false: int,
        rcs_dbsm: FloatArray,
        range_m: FloatArray,
    ) -> tuple[list[str], list[float]]:
        """Declared class and confidence for every plot of a scan (targets, then alarms)."""
        assert self.classifier is not None
        tgs = [snap.targets[i] for i in target_idx]
        rows = np.array([ROW_OF[tg.kind] for tg in tgs] + [CLUTTER] * n_false, dtype=np.intp)
        ids: list[str | None] = [tg.id for tg in tgs] + [None] * n_false
        margin = snr_margin_db(rcs_dbsm, range_m, self.cfg.range_50_m)
        declared, conf = self.classifier.report(rows, margin, ids)
        return [CLASSIFIER_CLASSES[d] for d in declared], np.round(conf, 3).tolist()

    def pd(self, range_m: FloatArray, rcs_m2: FloatArray) -> FloatArray:
        """Detection probability at a range for a cross-section (see module docstring)."""
        c = self.cfg
        r50 = c.range_50_m * (np.asarray(rcs_m2) / REFERENCE_RCS_M2) ** 0.25
        return c.pd_max / (1.0 + (np.asarray(range_m) / r50) ** c.pd_slope)

    def in_azimuth(self, az_deg: FloatArray) -> npt.NDArray[np.bool_]:
        c = self.cfg
        width = c.azimuth_max_deg - c.azimuth_min_deg
        return np.mod(az_deg - c.azimuth_min_deg, 360.0) <= width

    def _in_view(self, r: FloatArray, az: FloatArray, el: FloatArray) -> npt.NDArray[np.bool_]:
        """Within range, azimuth sector and elevation limits. A full circle skips the
        azimuth test: it passes every bearing there is (a NaN fails the range test)."""
        c = self.cfg
        view = (
            (r >= c.range_min_m)
            & (r <= c.range_max_m)
            & (el >= c.elevation_min_deg)
            & (el <= c.elevation_max_deg)
        )
        if c.azimuth_max_deg - c.azimuth_min_deg < 360.0:
            view &= self.in_azimuth(az)
        return view

    def scan(self, snap: Snapshot) -> RadarScan:
        """Draw detections, noise and false alarms for one scan (vectorised over targets)."""
        c = self.cfg
        rng = self.rng
        e, n, u = self.local(snap)
        r, az, el = (np.asarray(v) for v in enu_to_bearing_elevation(e, n, u))
        view = self._in_view(r, az, el)
        pd = np.where(view, self.pd(r, snap.rcs_m2), 0.0)
        hit = rng.uniform(size=len(r)) < pd
        idx = np.flatnonzero(hit)
        k = len(idx)
        mr = r[idx] + rng.normal(0.0, c.sigma_range_m, k)
        maz = np.mod(az[idx] + rng.normal(0.0, c.sigma_azimuth_deg, k), 360.0)
        mel = el[idx] + rng.normal(0.0, c.sigma_elevation_deg, k)
        rng_m = np.maximum(r[idx], 1e-9)
        los = np.column_stack([e[idx], n[idx], u[idx]]) / rng_m[:, None]
        vr_true = np.einsum("ij,ij->i", snap.vel[idx], los)
        vr = vr_true + rng.normal(0.0, c.sigma_radial_velocity_mps, k)
        rcs = 10 * np.log10(snap.rcs_m2[idx]) + rng.normal(0.0, RCS_FLUCTUATION_DB, k)
        fr, faz, fel, fvr, frcs = self.false_alarms()
        nf = len(fr)
        return RadarScan(
            target_idx=idx,
            range_m=np.concatenate([np.maximum(mr, 0.0), fr]),
            azimuth_deg=np.concatenate([maz, faz]),
            elevation_deg=np.concatenate([mel, fel]),
            radial_velocity_mps=np.concatenate([vr, fvr]),
            rcs_dbsm=np.concatenate([rcs, frcs]),
            true_radial_velocity_mps=vr_true,
            n_false=nf,
            in_view=view,
            pd=pd,
        )

    def false_alarms(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """One scan's false alarms (range, azimuth, elevation, Doppler, echo), drawn after
        the detections' noise."""
        c = self.cfg
        rng = self.rng
        nf = int(rng.poisson(c.false_alarms_per_scan))
        width = c.azimuth_max_deg - c.azimuth_min_deg
        fr = rng.uniform(c.range_min_m, c.range_max_m, nf)
        faz = np.mod(c.azimuth_min_deg + rng.uniform(0.0, width, nf), 360.0)
        top = min(c.elevation_max_deg, FA_ELEVATION_MAX_DEG)
        bottom = max(c.elevation_min_deg, 0.0)
        fel = rng.uniform(bottom, max(top, bottom + 0.1), nf)
        fvr = rng.uniform(-FA_RADIAL_SPEED_MPS, FA_RADIAL_SPEED_MPS, nf)
        frcs = rng.uniform(-35.0, -15.0, nf)
        return fr, faz, fel, fvr, frcs

    def observe(self, snap: Snapshot) -> list[Detection]:
        """This radar's plots at ``snap.t``, scanned with its bank's other radars."""
        return self.bank.observe(snap, self)

    def observe_alone(self, snap: Snapshot) -> list[Detection]:
        """``observe`` one radar at a time: the reference the bank is tested against."""
        if not self.due(snap.t):
            self.last_seen = []
            return []
        s = self.scan(snap)
        self._seen(snap, s.target_idx)
        if len(s.range_m) == 0 and self.classifier is None:
            return []  # nothing to convert (a classifier still sees the empty scan)
        trig = polar_trig(s.azimuth_deg, s.elevation_deg)
        cov = trig_covariance(s.range_m, trig, self.noise)
        lat, lon, alt = self.frame.to_geodetic(*polar_enu(s.range_m, trig))
        # Round whole arrays once (the files stay short and byte-stable), then build records.
        covs = [tuple(tuple(row) for row in m) for m in cov.round(3).tolist()]
        lats, lons = np.asarray(lat).round(7).tolist(), np.asarray(lon).round(7).tolist()
        alts = record_alt(alt).round(2).tolist()
        attrs = plot_attrs(
            s.range_m, s.azimuth_deg, s.elevation_deg, s.radial_velocity_mps, s.rcs_dbsm
        )
        if self.classifier is not None:
            declared, conf = self.class_reports(
                snap, s.target_idx, s.n_false, s.rcs_dbsm, s.range_m
            )
            for a, d, p in zip(attrs, declared, conf, strict=True):
                a["class_report"], a["class_confidence"] = d, p
        return [
            Detection(
                t=snap.t,
                sensor=self.id,
                kind=SensorKind.RADAR,
                position=Position(lats[i], lons[i], alts[i], covs[i]),
                attrs=attrs[i],
            )
            for i in range(len(attrs))
        ]
