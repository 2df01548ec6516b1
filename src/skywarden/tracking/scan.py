"""From ``Detection`` records to the core's per-sensor array groups.

The edge between the record world and the array world: geodesy happens here, once per
scan and vectorised (``LocalFrame.to_enu`` over every position at once). Bearings are
turned from true north at the direction finder into the ENU frame's grid azimuth by
projecting a point along the bearing, which removes the meridian convergence (about
0.1 degree 20 km from the origin at El Paso's latitude).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from skywarden.geo import FloatArray, LocalFrame, destination
from skywarden.model import Detection, Position
from skywarden.tracking.bearings import Bearings
from skywarden.tracking.classreport import ClassReportError
from skywarden.tracking.config import TrackerConfig
from skywarden.tracking.doppler import DopplerPlots, line_of_sight, read_doppler, stated_sigma
from skywarden.tracking.records import ScanError, ScanGroup


def _rcs_dbsm(d: Detection) -> float:
    attrs = d.attrs
    if "rcs_dbsm" in attrs:
        return float(attrs["rcs_dbsm"])
    if "rcs_m2" in attrs and float(attrs["rcs_m2"]) > 0:
        return 10.0 * math.log10(float(attrs["rcs_m2"]))
    return math.nan


def _covariances(pos: Sequence[Position | None], sigma: float) -> FloatArray:
    """(m, 3, 3) position covariances: each plot's own, else ``sigma`` in every axis.
    Built in one array call when every plot carries one (radar plots always do)."""
    covs = [p.cov if p is not None else None for p in pos]
    if all(c is not None for c in covs):
        return np.array(covs, dtype=float).reshape(len(covs), 3, 3)
    default = np.eye(3) * sigma**2
    return np.stack([default if c is None else np.asarray(c, dtype=float) for c in covs])


@dataclass
class _Points:
    """Geographic points gathered from a whole scan, turned into the frame in one PROJ
    call (and one geodesic call for the bearings' far points): the per-call overhead of
    a PROJ transform is paid once a scan, not once a group. The transforms are
    point-wise, so each point's numbers are those of a call of its own."""

    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    alt: list[float] = field(default_factory=list)

    def add(self, lat: Sequence[float], lon: Sequence[float], alt: Sequence[float]) -> slice:
        start = len(self.lat)
        self.lat.extend(lat)
        self.lon.extend(lon)
        self.alt.extend(alt)
        return slice(start, len(self.lat))


def _mean_time(dets: Sequence[Detection]) -> float:
    """The group's time: the mean of its detections' times, as ``np.mean`` computes it
    (one reduce, then one division), without its dispatch (a few microseconds a group)."""
    ts = np.array([d.t for d in dets], dtype=float)
    return float(ts.sum() / ts.shape[0])


def _position_group(
    config: TrackerConfig,
    dets: Sequence[Detection],
    enu: FloatArray,
    vel: FloatArray,
    doppler: DopplerPlots | None = None,
) -> ScanGroup:
    """``enu``: the detections' (m, 3) frame positions; ``vel``: their velocities already
    in the frame's axes (NaN rows where none was reported); ``doppler``: the group's
    radial speeds when every plot has one (:mod:`.doppler`)."""
    m = len(dets)
    pos = [d.position for d in dets]
    r = _covariances(pos, config.sigma_for(str(dets[0].kind)))
    vvar = np.full(m, np.nan)
    t = _mean_time(dets)
    ages = np.zeros(m)
    for i, d in enumerate(dets):
        if "observed_t" in d.attrs:  # delayed report: it may have moved since
            age = max(d.t - float(d.attrs["observed_t"]), 0.0)
            r[i] += np.eye(3) * (age * config.report_drift_ms) ** 2
            ages[i] = max(t - float(d.attrs["observed_t"]), 0.0)
        if d.velocity is not None and d.velocity_sigma is not None:
            vvar[i] = max(d.velocity_sigma, 0.05) ** 2
    keys = [tuple(d.identity.keys()) if d.identity else () for d in dets]
    calls = [d.identity.callsign if d.identity else None for d in dets]
    rcs = np.array([_rcs_dbsm(d) for d in dets])
    any_id = any(keys) or any(calls)
    class_lik = None
    if any("class_report" in d.attrs for d in dets):
        radar = config.classifier.radar
        try:
            class_lik = np.stack([radar.likelihood(d.sensor, d.attrs) for d in dets])
        except ClassReportError as e:
            raise ScanError(f"scan at t={dets[0].t}: {e}") from None
    return ScanGroup(
        t=t,
        sensor=dets[0].sensor,
        kind=dets[0].kind,
        z=enu,
        R=r,
        velocity=vel if np.isfinite(vel).any() else None,
        velocity_var=vvar,
        identity_keys=keys if any_id else None,
        callsigns=calls if any_id else None,
        rcs_dbsm=rcs if np.isfinite(rcs).any() else None,
        class_lik=class_lik,
        age_s=ages if ages.any() else None,
        doppler=doppler,
    )


def _position_groups(
    frame: LocalFrame, config: TrackerConfig, groups: Sequence[Sequence[Detection]]
) -> list[ScanGroup]:
    """Position groups of one scan: one PROJ call for every position, one velocity
    rotation for every report that carries a velocity."""
    pts = _Points()
    spans = []
    for dets in groups:
        pos = [d.position for d in dets]
        assert all(p is not None for p in pos)
        spans.append(
            pts.add(
                [p.lat for p in pos if p is not None],
                [p.lon for p in pos if p is not None],
                [p.alt_m for p in pos if p is not None],
            )
        )
    lat, lon = np.array(pts.lat, dtype=float), np.array(pts.lon, dtype=float)
    x, y, z = frame.to_enu(lat, lon, np.array(pts.alt, dtype=float))
    enu = np.stack([x, y, z], axis=1)
    vel = np.full((lat.shape[0], 3), np.nan)
    for dets, sl in zip(groups, spans, strict=True):
        for i, d in enumerate(dets, start=sl.start):
            if d.velocity is not None:
                vel[i] = d.velocity
    has_v = np.isfinite(vel).all(axis=1)
    if has_v.any():  # each report's ENU is its own point's; the tracker's is the origin's
        vel[has_v] = frame.vectors_to_frame(lat[has_v], lon[has_v], vel[has_v])
    dops = _dopplers(frame, config, groups, spans, lat, lon, enu)
    return [
        _position_group(config, dets, enu[sl], vel[sl], dop)
        for dets, sl, dop in zip(groups, spans, dops, strict=True)
    ]


def _dopplers(
    frame: LocalFrame,
    config: TrackerConfig,
    groups: Sequence[Sequence[Detection]],
    spans: Sequence[slice],
    lat: FloatArray,
    lon: FloatArray,
    enu: FloatArray,
) -> list[DopplerPlots | None]:
    """Each group's Doppler (None where a plot lacks it or Doppler is off). The lines of
    sight, East-North-Up at the radar, are turned into the frame's axes at each plot's
    point (one call for the scan; the radar's own point is within a sector of it, where
    the axes differ by a few hundredths of a degree)."""
    if not config.doppler:
        return [None] * len(groups)
    read = [read_doppler(dets) for dets in groups]
    if all(r is None for r in read):
        return [None] * len(groups)
    pairs = zip(read, spans, strict=True)
    at = np.concatenate([np.arange(sl.start, sl.stop) for r, sl in pairs if r is not None])
    polar = np.concatenate([r[1] for r in read if r is not None])
    los = frame.vectors_to_frame(lat[at], lon[at], line_of_sight(polar))
    out: list[DopplerPlots | None] = []
    done = 0
    for r, dets in zip(read, groups, strict=True):
        if r is None:
            out.append(None)
            continue
        k = r[0].shape[0]
        sl = slice(done, done + k)
        site = enu[at[sl]] - polar[sl, :1] * los[sl]
        out.append(DopplerPlots(r[0], site, stated_sigma(dets)))
        done += k
    return out


def _df_range(config: TrackerConfig, dets: Sequence[Detection]) -> float:
    """The direction finder's detection range: its own claim, else the configuration."""
    v = dets[0].attrs.get("range_max_m")
    if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v > 0:
        return float(v)
    return config.rf_range_for(dets[0].sensor)


def _bearing_group(
    dets: Sequence[Detection], site: FloatArray, far: FloatArray, range_m: float = math.inf
) -> ScanGroup:
    """``site``: the direction finder's frame position (3,); ``far``: (m, 3) frame
    positions of a point 1 km along each bearing, at the site's height."""
    az = np.arctan2(far[:, 0] - site[0], far[:, 1] - site[1])
    sig = np.radians([d.bearing.sigma_deg for d in dets if d.bearing])
    el = np.array(
        [
            np.nan
            if d.bearing is None or d.bearing.elevation_deg is None
            else d.bearing.elevation_deg
            for d in dets
        ]
    )
    els = np.array(
        [
            np.nan
            if d.bearing is None or d.bearing.elevation_sigma_deg is None
            else d.bearing.elevation_sigma_deg
            for d in dets
        ]
    )
    has_el = np.isfinite(el) & np.isfinite(els)
    return ScanGroup(
        t=_mean_time(dets),
        sensor=dets[0].sensor,
        kind=dets[0].kind,
        bearings=Bearings(
            site,
            az,
            sig,
            np.where(has_el, np.radians(el), np.nan) if has_el.any() else None,
            np.where(has_el, np.radians(els), np.nan) if has_el.any() else None,
            range_m,
        ),
    )


def _bearing_groups(
    frame: LocalFrame, config: TrackerConfig, groups: Sequence[Sequence[Detection]]
) -> list[ScanGroup]:
    """Bearing groups (one site each) of one scan. Bearings are turned from true north
    at the site into the frame's grid azimuth by projecting a point 1 km along each
    (one geodesic call for the scan) and taking both into the frame (one PROJ call)."""
    slat: list[float] = []
    slon: list[float] = []
    brg: list[float] = []
    for dets in groups:
        b0 = dets[0].bearing
        assert b0 is not None
        bs = [d.bearing.bearing_deg for d in dets if d.bearing]
        brg.extend(bs)
        slat.extend([b0.sensor_lat] * len(bs))
        slon.extend([b0.sensor_lon] * len(bs))
    lat2, lon2 = destination(
        np.array(slat), np.array(slon), np.array(brg), np.full(len(brg), 1000.0)
    )
    pts = _Points()
    sites, fars = [], []
    done = 0
    for dets in groups:
        b0 = dets[0].bearing
        assert b0 is not None
        k = sum(1 for d in dets if d.bearing)
        sites.append(pts.add([b0.sensor_lat], [b0.sensor_lon], [b0.sensor_alt_m]).start)
        fars.append(
            pts.add(
                lat2[done : done + k].tolist(),
                lon2[done : done + k].tolist(),
                [b0.sensor_alt_m] * k,
            )
        )
        done += k
    x, y, z = frame.to_enu(
        np.array(pts.lat, dtype=float), np.array(pts.lon, dtype=float), np.array(pts.alt)
    )
    enu = np.stack([x, y, z], axis=1)
    return [
        _bearing_group(dets, enu[i].copy(), enu[sl], _df_range(config, dets))
        for dets, i, sl in zip(groups, sites, fars, strict=True)
    ]


def scan_groups(
    frame: LocalFrame, config: TrackerConfig, detections: Sequence[Detection]
) -> list[ScanGroup]:
    """Split one scan's detections into per-sensor groups (positions and bearings apart)."""
    by_sensor: dict[tuple[str, bool], list[Detection]] = defaultdict(list)
    for d in detections:
        if "observed_t" in d.attrs and d.t - float(d.attrs["observed_t"]) > config.max_report_age_s:
            continue  # a report of where something was minutes ago is not a measurement now
        by_sensor[(d.sensor, d.bearing is not None)].append(d)
    pos_groups: list[list[Detection]] = []
    brg_groups: list[list[Detection]] = []
    order: list[bool] = []  # the groups' order: True for a bearing group
    for (_, is_bearing), dets in by_sensor.items():
        if is_bearing:
            # One site per group: a moving or re-sited direction finder splits by position.
            by_site: dict[tuple[float, float], list[Detection]] = defaultdict(list)
            for d in dets:
                assert d.bearing is not None
                by_site[(d.bearing.sensor_lat, d.bearing.sensor_lon)].append(d)
            brg_groups.extend(by_site.values())
            order.extend([True] * len(by_site))
        else:
            rounds = _identity_rounds(dets)
            pos_groups.extend(rounds)
            order.extend([False] * len(rounds))
    pos = iter(_position_groups(frame, config, pos_groups) if pos_groups else [])
    brg = iter(_bearing_groups(frame, config, brg_groups) if brg_groups else [])
    return [next(brg) if is_bearing else next(pos) for is_bearing in order]


def _identity_rounds(dets: Sequence[Detection]) -> list[list[Detection]]:
    """Split a sensor's scan so that no identity appears twice in one group.

    An ADS-B receiver hears an aircraft about twice a second, so a 1 s scan can hold two
    reports with the same ICAO address. In one group the second would compete with the
    first for its own track; in time-ordered rounds each report updates the track in
    turn. Reports without identity all stay in the first round.
    """
    seen: dict[str, int] = {}
    rounds: list[list[Detection]] = [[]]
    for d in sorted(dets, key=lambda d: d.t):
        keys = d.identity.keys() if d.identity else []
        k = max((seen.get(key, 0) for key in keys), default=0)
        for key in keys:
            seen[key] = k + 1
        while len(rounds) <= k:
            rounds.append([])
        rounds[k].append(d)
    return [r for r in rounds if r]
