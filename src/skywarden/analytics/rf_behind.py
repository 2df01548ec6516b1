"""Step 4's "left behind" test (``CountingRule.rf_behind_s``, off by default): a finder
whose bearings stayed on the old ray once the track had left it heard another emitter.

Why: held-out seed 30's S27 bird (docs/notes/wave34.md, section 2). For six minutes its
bearing from one finder moved with a hovering drone's within a degree, so the bearings
inside the track's gate truly followed it and no test of gated bearings could name the
finder. Then the bird turned away and the finder went on reporting the drone on the old
ray, outside the gate, where nothing looked. A drone's own link leaves with its track
(or falls silent); it does not stay behind. The count reads whole tracks after the fact,
so it can look where the gate does not: at every bearing the finder reported.

For one unit, one of its tracks and one finder that fed it (all read from the run's
files, never truth):

1. the *old ray*: the finder's bearing to the track at the last update RF geometry
   backed, up to the end of the alert window after the crossing (``t_end``), with the
   width of what a gate takes (``OLD_RAY_SIGMAS`` bearing errors either side);
2. the *departure*: the first later update at which the track, still within the
   finder's range, lies beyond that width and the track's own band
   (``ON_RAY_SIGMAS``), so that the two bands cannot overlap;
3. over ``rf_behind_s`` from the departure, the finder's bearings: *left behind* when at
   least ``BEHIND_MIN`` lie on the old ray and fewer than ``NEAR_SHARE`` as many within
   ``ON_RAY_SIGMAS`` errors of the track's bearing at their time.

A finder left behind is withdrawn from the unit's RF geometry as ``rf_astray_s`` does
(:func:`skywarden.analytics.unit_checks.withdrawn`). A track that never leaves its old
ray, or a finder silent after the departure, says nothing: the test needs the other
emitter to show itself.

It is off by default: on the reference week it also set apart 7 of 242 counted planned
drones, whose old ray held a hovering surveillance drone (docs/notes/wave35.md).
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import numpy as np
import numpy.typing as npt

from skywarden.analytics.material import (
    Material,
    SectorData,
    SensorSite,
    TrackSpan,
    bearing_sigma_deg,
)
from skywarden.analytics.run_source import SourceError
from skywarden.geo import bearing_deg, distance_m

if TYPE_CHECKING:
    from skywarden.analytics.counting import CountingRule

FloatArray = npt.NDArray[np.float64]

#: a bearing this many of the finder's errors from the old ray is "on" it: the width of
#: what a gate takes (seed 30's S27 bird was fitted by bearings 6-10 deg off its track,
#: of two emitters either side of it)
OLD_RAY_SIGMAS = 4.0
#: a bearing this many errors from the track's bearing at its time is the track's
ON_RAY_SIGMAS = 2.0
#: bearings on the old ray that make the finder left behind (one is noise; five at a
#: finder's 0.8 intercept probability and 1 s update is six seconds of an emitter)
BEHIND_MIN = 5
#: ... unless the track's own ray had at least this share of that many: an own link
#: heard beside the other emitter is the track's
NEAR_SHARE = 0.25
_RF_MARK = b'"kind":"rf"'


class _Bearing(msgspec.Struct):
    bearing_deg: float


class _RfLine(msgspec.Struct):
    t: float
    sensor: str
    bearing: _Bearing | None = None


_DECODER = msgspec.json.Decoder(_RfLine)


def read_bearings(path: Path) -> dict[str, tuple[FloatArray, FloatArray]]:
    """Every RF bearing of a detections file: per finder, (times, bearings in degrees),
    both in time order. Only lines that name the ``rf`` kind are decoded."""
    times: dict[str, list[float]] = {}
    bearings: dict[str, list[float]] = {}
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if _RF_MARK not in raw:
                continue
            try:
                d = _DECODER.decode(raw)
            except msgspec.DecodeError as e:
                raise SourceError(f"{path}:{n}: not a detection ({e})") from None
            if d.bearing is None or not math.isfinite(d.bearing.bearing_deg):
                raise SourceError(f"{path}:{n}: an rf detection without a finite bearing")
            times.setdefault(d.sensor, []).append(d.t)
            bearings.setdefault(d.sensor, []).append(d.bearing.bearing_deg)
    out = {}
    for f, ts in times.items():
        t, b = np.asarray(ts, dtype=float), np.asarray(bearings[f], dtype=float)
        order = np.argsort(t, kind="stable")
        out[f] = (t[order], b[order])
    return out


def sector_bearings(sector: SectorData) -> dict[str, tuple[FloatArray, FloatArray]] | None:
    """The sector's RF bearings, read once from its run's detections (None: the source
    kept none, as a store or a run without its detections file)."""
    d = sector.detections
    if d is None:
        return None
    if d.rf is None:
        d.rf = read_bearings(d.path)
    return d.rf


def left_behind(
    sp: TrackSpan,
    finder: SensorSite,
    reports: tuple[FloatArray, FloatArray],
    t_end: float,
    window_s: float,
) -> bool:
    """Whether ``finder``'s bearings stayed on the track's old ray after it left (module
    doc); ``reports`` are the finder's (times, bearings)."""
    fits = [ts for ts, _, _ in sp.rf_fits if ts <= t_end]
    if window_s <= 0.0 or not fits or len(sp.fixes) < 2:
        return False
    t, lat, lon = (np.array([getattr(f, k) for f in sp.fixes]) for k in ("t", "lat", "lon"))
    az = bearing_deg(np.full_like(lat, finder.lat), np.full_like(lon, finder.lon), lat, lon)
    sigma = bearing_sigma_deg(finder)
    i_last = int(np.searchsorted(t, fits[-1], side="right")) - 1
    if i_last < 0:
        return False
    old = float(az[i_last])
    later = np.arange(i_last + 1, len(t))
    off = np.abs(_wrap(az[later] - old)) > (OLD_RAY_SIGMAS + ON_RAY_SIGMAS) * sigma
    site_lat, site_lon = np.full(later.size, finder.lat), np.full(later.size, finder.lon)
    near = distance_m(site_lat, site_lon, lat[later], lon[later]) <= _reach_m(finder)
    gone = later[off & near]
    if gone.size == 0:
        return False
    t_dep = float(t[gone[0]])
    rt, rb = reports
    a, b = np.searchsorted(rt, t_dep, side="left"), np.searchsorted(rt, t_dep + window_s, "right")
    rt, rb = rt[a:b], rb[a:b]
    on_old = int(np.sum(np.abs(_wrap(rb - old)) <= OLD_RAY_SIGMAS * sigma))
    track_az = _interp_deg(rt, t, az)
    on_track = int(np.sum(np.abs(_wrap(rb - track_az)) <= ON_RAY_SIGMAS * sigma))
    return on_old >= BEHIND_MIN and on_track < NEAR_SHARE * on_old


def behind(mat: Material, sp: TrackSpan, crossing_t: float, p: CountingRule) -> frozenset[str]:
    """The finders that fed ``sp`` and were left behind (``p.rf_behind_s``; empty when
    not asked or when the source kept no detections)."""
    if p.rf_behind_s <= 0.0 or not sp.rf_fits:
        return frozenset()
    sector = next((s for s in mat.sectors if s.id == sp.sector), None)
    finders = mat.direction_finders(sp.sector)
    reports = sector_bearings(sector) if sector is not None else None
    if not reports or not finders:
        return frozenset()
    t_end = crossing_t + p.alert_window_s
    fed = sp.sensors_by(t_end) & finders.keys() & reports.keys()
    return frozenset(
        f for f in fed if left_behind(sp, finders[f], reports[f], t_end, p.rf_behind_s)
    )


def _reach_m(finder: SensorSite) -> float:
    """How far the finder hears a link (its configuration's ``range_max_m``; unbounded
    when it does not say, so the test then never blames the range)."""
    try:
        reach = float(finder.params.get("range_max_m") or math.inf)
    except (TypeError, ValueError):
        return math.inf
    return reach if reach > 0.0 else math.inf


def _wrap(d: FloatArray) -> FloatArray:
    """Angles folded into [-180, 180)."""
    return np.asarray((d + 180.0) % 360.0 - 180.0, dtype=float)


def _interp_deg(x: FloatArray, xp: FloatArray, deg: FloatArray) -> FloatArray:
    """``np.interp`` of angles (unwrapped first, so 359 -> 1 passes through 0)."""
    return np.asarray(np.interp(x, xp, np.unwrap(deg, period=360.0)) % 360.0, dtype=float)
