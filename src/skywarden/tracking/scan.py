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

import numpy as np

from skywarden.geo import FloatArray, LocalFrame, destination
from skywarden.model import Detection, Position
from skywarden.tracking.bearings import Bearings
from skywarden.tracking.classreport import ClassReportError
from skywarden.tracking.config import TrackerConfig
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


def _position_group(
    frame: LocalFrame, config: TrackerConfig, dets: Sequence[Detection]
) -> ScanGroup:
    m = len(dets)
    pos = [d.position for d in dets]
    assert all(p is not None for p in pos)
    lla = np.array([(p.lat, p.lon, p.alt_m) for p in pos if p is not None], dtype=float)
    lat, lon, alt = lla[:, 0], lla[:, 1], lla[:, 2]
    r = _covariances(pos, config.sigma_for(str(dets[0].kind)))
    vel = np.full((m, 3), np.nan)
    vvar = np.full(m, np.nan)
    for i, d in enumerate(dets):
        if "observed_t" in d.attrs:  # delayed report: it may have moved since
            age = max(d.t - float(d.attrs["observed_t"]), 0.0)
            r[i] += np.eye(3) * (age * config.report_drift_ms) ** 2
        if d.velocity is not None:
            vel[i] = d.velocity
            if d.velocity_sigma is not None:
                vvar[i] = max(d.velocity_sigma, 0.05) ** 2
    x, y, z = frame.to_enu(lat, lon, alt)
    has_v = np.isfinite(vel).all(axis=1)
    if has_v.any():  # each report's ENU is its own point's; the tracker's is the origin's
        vel[has_v] = frame.vectors_to_frame(lat[has_v], lon[has_v], vel[has_v])
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
        t=float(np.mean([d.t for d in dets])),
        sensor=dets[0].sensor,
        kind=dets[0].kind,
        z=np.stack([x, y, z], axis=1),
        R=r,
        velocity=vel if np.isfinite(vel).any() else None,
        velocity_var=vvar,
        identity_keys=keys if any_id else None,
        callsigns=calls if any_id else None,
        rcs_dbsm=rcs if np.isfinite(rcs).any() else None,
        class_lik=class_lik,
    )


def _df_range(config: TrackerConfig, dets: Sequence[Detection]) -> float:
    """The direction finder's detection range: its own claim, else the configuration."""
    v = dets[0].attrs.get("range_max_m")
    if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v > 0:
        return float(v)
    return config.rf_range_for(dets[0].sensor)


def _bearing_group(
    frame: LocalFrame, dets: Sequence[Detection], range_m: float = math.inf
) -> ScanGroup:
    b0 = dets[0].bearing
    assert b0 is not None
    site = np.array(frame.to_enu(b0.sensor_lat, b0.sensor_lon, b0.sensor_alt_m))
    brg = np.array([d.bearing.bearing_deg for d in dets if d.bearing])
    lat2, lon2 = destination(
        np.full(brg.shape, b0.sensor_lat),
        np.full(brg.shape, b0.sensor_lon),
        brg,
        np.full(brg.shape, 1000.0),
    )
    x2, y2, _ = frame.to_enu(
        np.asarray(lat2), np.asarray(lon2), np.full(brg.shape, b0.sensor_alt_m)
    )
    az = np.arctan2(x2 - site[0], y2 - site[1])
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
        t=float(np.mean([d.t for d in dets])),
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


def scan_groups(
    frame: LocalFrame, config: TrackerConfig, detections: Sequence[Detection]
) -> list[ScanGroup]:
    """Split one scan's detections into per-sensor groups (positions and bearings apart)."""
    by_sensor: dict[tuple[str, bool], list[Detection]] = defaultdict(list)
    for d in detections:
        if "observed_t" in d.attrs and d.t - float(d.attrs["observed_t"]) > config.max_report_age_s:
            continue  # a report of where something was minutes ago is not a measurement now
        by_sensor[(d.sensor, d.bearing is not None)].append(d)
    groups: list[ScanGroup] = []
    for (_, is_bearing), dets in by_sensor.items():
        if is_bearing:
            # One site per group: a moving or re-sited direction finder splits by position.
            by_site: dict[tuple[float, float], list[Detection]] = defaultdict(list)
            for d in dets:
                assert d.bearing is not None
                by_site[(d.bearing.sensor_lat, d.bearing.sensor_lon)].append(d)
            groups.extend(
                _bearing_group(frame, ds, _df_range(config, ds)) for ds in by_site.values()
            )
        else:
            groups.extend(_position_group(frame, config, ds) for ds in _identity_rounds(dets))
    return groups


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
