"""The coverage model: how much of the border the sensors could see, and what they missed.

A count of incursions is a count of what the sensors saw. A month with more towers looks
like a month with more drones unless the count says how much of the line was watched.
This module answers with a model of the sensors *as deployed* (their sites and the
parameters of their detection models, from the scenario or ``border.json``):

1. **The border, sampled** (:mod:`.border_samples`): the shipped line inside each
   sector's square, or a month's stretches of it (sensed or not), every 200 m.
2. **Per-scan detection probability** of an assumed drone (``DRONE_RCS_M2``,
   ``DRONE_AGL_M`` above the sector's ground) at each point, per sensor, with the
   simulator's own laws: a radar ``Pd(R) = pd_max / (1 + (R/R50)^slope)`` inside its
   range, azimuth and elevation limits; an RF direction finder hears the control link
   with ``pd`` x ``RF_LINK_FRACTION`` within range, and gives a position only with a
   second finder in reach (bearings cross); Remote ID and visual reports are counted in
   the coverage shares but not in the detection probability (smugglers do not broadcast
   Remote ID, and visual reports are sparse and late). The per-scan probability that
   some sensor set detects the drone is ``q = 1 - prod_s (1 - Pd_s)``.
3. **Per-crossing detection probability.** A crossing is counted only if the tracker
   confirms a track and the analyzer holds it as a confident drone around the line:
   modelled as at least ``HITS_NEEDED`` detections in the ``LOOKS`` scans around the
   crossing, ``p = P(Binomial(LOOKS, q) >= HITS_NEEDED)``.
4. **The estimate.** The border is cut into stretches of ``SEGMENT_KM``. A stretch with
   ``p >= P_MIN`` is estimated by Horvitz-Thompson, ``N_i = n_i / p_i``; a blind stretch
   (``p < P_MIN``) by the rate assumption, ``N_i = max(n_i, lambda * L_i * w_i)`` with
   ``lambda = sum_watched N_i / sum_watched L_i w_i`` the estimated crossings per km and
   per unit of rate weight of the watched stretches, ``w_i`` the rate model's relative
   weight per km of the stretch (a month's ``rate_weight_per_km``; 1 without one).
   ``N = sum N_i``. A counted unit counts with its weight (a month's quiet samples).
5. **The interval.** A parametric bootstrap: each counted unit redrawn Poisson(1) times
   (with its weight), ``N*`` recomputed, ``B`` times; the 2.5 and 97.5 percentiles. With
   nothing counted, the exact (Garwood) Poisson upper bound for zero, 3.69, scaled by
   the mean ``1/p``.

What it assumes, said in :data:`ASSUMPTIONS` and carried in the record: the detection
model's parameters are right (the interval covers counting noise, not an error in
``p``); crossings are independent (Poisson); blind stretches see the watched stretches'
rate per km (times the rate model's relative weight, where a month gives one); one kind
of drone (RCS, height) stands for all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from shapely.geometry.base import BaseGeometry

from skywarden.analytics.border_samples import BorderSamples, sample_border
from skywarden.analytics.material import Material, SectorData, SensorSite
from skywarden.analytics.records import Coverage, Incursion, SegmentEstimate, SensorSetCoverage

FloatArray = npt.NDArray[np.float64]

SEGMENT_KM = 5.0
DRONE_RCS_M2 = 0.01
DRONE_AGL_M = 75.0
RF_LINK_FRACTION = 0.8
LOOKS = 60
HITS_NEEDED = 10
P_MIN = 0.2
BOOTSTRAP = 2000
CONFIDENCE = 0.95
#: Exact (Garwood) 95 % upper bound of a Poisson mean after observing zero.
ZERO_UPPER = 3.689

ASSUMPTIONS = [
    f"an assumed drone of {DRONE_RCS_M2:g} m^2 radar cross-section at {DRONE_AGL_M:g} m "
    "above the ground stands for all drones",
    f"a crossing is counted when some sensors give {HITS_NEEDED} detections in the "
    f"{LOOKS} scans around it (track confirmed and held as a confident drone)",
    f"RF finders hear {RF_LINK_FRACTION:.0%} of control links and locate a drone only "
    "with a second finder in reach; Remote ID and visual reports are not relied on",
    "the sensors' parameters as deployed are right: the interval covers counting noise "
    "(Poisson), not an error in the detection model",
    f"stretches with detection probability below {P_MIN:g} are blind: they are estimated "
    "with the crossings per km of the watched stretches, scaled by the rate model's "
    "relative weight per km where a month gives one",
]

METHOD = (
    "estimated = sum over border stretches of counted / p (Horvitz-Thompson), blind "
    "stretches by the watched stretches' rate per km; p from the sensors' detection models; "
    f"{CONFIDENCE:.0%} interval by Poisson parametric bootstrap ({BOOTSTRAP} draws)"
)


def _range_m(
    site: SensorSite, lat: FloatArray, lon: FloatArray, alt: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Slant range, azimuth (deg from north) and elevation (deg) from a site (local flat
    approximation: errors of metres at the ~10 km reach of these sensors)."""
    k = math.cos(math.radians(site.lat))
    dx = (lon - site.lon) * 111_320.0 * k
    dy = (lat - site.lat) * 110_574.0
    dz = alt - site.alt_m
    ground = np.hypot(dx, dy)
    az = np.degrees(np.arctan2(dx, dy)) % 360.0
    el = np.degrees(np.arctan2(dz, np.maximum(ground, 1e-6)))
    return np.hypot(ground, dz), az, el


def _param(site: SensorSite, name: str) -> float:
    """A sensor parameter, or the simulator's default for its kind."""
    if name in site.params and site.params[name] is not None:
        return float(site.params[name])
    from skywarden.sim.scenario import RadarConfig, RFConfig

    cls = RadarConfig if site.kind == "radar" else RFConfig
    field = cls.model_fields.get(name)
    if field is None or field.default is None:
        raise KeyError(f"sensor {site.id!r}: no {name!r}")
    return float(field.default)


def radar_pd(site: SensorSite, lat: FloatArray, lon: FloatArray, alt: FloatArray) -> FloatArray:
    """Per-scan Pd of the assumed drone, the simulator's law (sim/sensors/radar.py)."""
    r, az, el = _range_m(site, lat, lon, alt)
    r50 = _param(site, "range_50_m") * (DRONE_RCS_M2 / 0.01) ** 0.25
    pd = _param(site, "pd_max") / (1.0 + (r / r50) ** _param(site, "pd_slope"))
    a0, a1 = _param(site, "azimuth_min_deg"), _param(site, "azimuth_max_deg")
    in_az = ((az - a0) % 360.0 <= (a1 - a0)) if (a1 - a0) < 360.0 else np.ones(len(az), bool)
    ok = (
        (r <= _param(site, "range_max_m"))
        & (r >= _param(site, "range_min_m"))
        & in_az
        & (el >= _param(site, "elevation_min_deg"))
        & (el <= _param(site, "elevation_max_deg"))
    )
    return np.where(ok, pd, 0.0)


def rf_pd(site: SensorSite, lat: FloatArray, lon: FloatArray, alt: FloatArray) -> FloatArray:
    """Per-update probability of a bearing on the assumed drone's control link."""
    r, _, _ = _range_m(site, lat, lon, alt)
    return np.where(r <= _param(site, "range_max_m"), _param(site, "pd") * RF_LINK_FRACTION, 0.0)


def in_reach(site: SensorSite, lat: FloatArray, lon: FloatArray, alt: FloatArray) -> FloatArray:
    r, _, _ = _range_m(site, lat, lon, alt)
    return (r <= float(site.params.get("range_max_m") or 0.0)).astype(float)


def crossing_p(q: FloatArray) -> FloatArray:
    """P(at least HITS_NEEDED detections in LOOKS scans) at per-scan probability ``q``."""
    from scipy import stats as sps  # here: scipy.stats costs every process 0.7 s to import

    return np.asarray(sps.binom.sf(HITS_NEEDED - 1, LOOKS, np.clip(q, 0.0, 1.0)), float)


@dataclass(frozen=True, slots=True)
class Probabilities:
    """Per border sample: per-scan probability of each sensor set, and per crossing."""

    q_radar: FloatArray
    q_rf: FloatArray
    reach: dict[str, FloatArray]
    p: FloatArray


def probabilities(mat: Material, bs: BorderSamples) -> Probabilities:
    """Detection probabilities at the border samples from every sector's sensors."""
    n = len(bs.lat)
    ground = {s.id: (s.ground_alt_m or 0.0) for s in mat.sectors}
    alt = np.asarray([ground.get(str(sec), 0.0) for sec in bs.sector], float) + DRONE_AGL_M
    miss_radar = np.ones(n)
    rf_probs: list[FloatArray] = []
    reach = {k: np.zeros(n) for k in ("radar", "rf", "remote_id", "visual")}
    rf_sites = np.zeros(n)
    for s in mat.sectors:
        for site in s.sensors:
            if site.kind == "radar":
                pd = radar_pd(site, bs.lat, bs.lon, alt)
                miss_radar *= 1.0 - pd
                reach["radar"] = np.maximum(reach["radar"], (pd > 0).astype(float))
            elif site.kind == "rf":
                pd = rf_pd(site, bs.lat, bs.lon, alt)
                rf_probs.append(pd)
                rf_sites += pd > 0
            elif site.kind in ("remote_id", "visual"):
                reach[site.kind] = np.maximum(reach[site.kind], in_reach(site, bs.lat, bs.lon, alt))
    reach["rf"] = (rf_sites >= 2).astype(float)
    q_rf = _two_or_more(rf_probs, n)
    q_radar = 1.0 - miss_radar
    q = 1.0 - (1.0 - q_radar) * (1.0 - q_rf)
    return Probabilities(q_radar, q_rf, reach, crossing_p(q))


def _two_or_more(probs: list[FloatArray], n: int) -> FloatArray:
    """P(at least two of independent events with these probabilities)."""
    if len(probs) < 2:
        return np.zeros(n)
    p = np.clip(np.asarray(probs), 0.0, 1.0 - 1e-12)
    none = np.prod(1.0 - p, axis=0)
    one = none * np.sum(p / (1.0 - p), axis=0)
    return np.asarray(np.clip(1.0 - none - one, 0.0, 1.0), float)


def coverage_estimate(
    mat: Material,
    incursions: Sequence[Incursion],
    *,
    border: BaseGeometry | None = None,
    seed: int = 0,
) -> Coverage | None:
    """The coverage model and the estimate of incursions (see the module doc).

    None when no sector has a place on the border (sensors with an origin and extent, or
    a month's stretch).
    """
    sectors = [
        s
        for s in mat.sectors
        if (s.stretch_km is not None and (s.simulated or not s.sensed))
        or (s.stretch_km is None and s.sensors and s.origin and s.extent_m)
    ]
    if not sectors:
        return None
    bs = sample_border(sectors, border)
    if len(bs) == 0:
        return None
    pr = probabilities(mat, bs)
    seg_ids, seg_rows = _segments(bs)
    seg_of_unit = _assign(bs, incursions, seg_ids)
    w_unit = np.asarray([u.weight for u in incursions], float)
    counted = np.asarray(np.bincount(seg_of_unit, weights=w_unit, minlength=len(seg_ids)), float)
    p_seg = np.asarray([float(pr.p[rows].mean()) for rows in seg_rows])
    km_seg = np.asarray([len(rows) * bs.step_km for rows in seg_rows])
    rw_seg = np.asarray([float(bs.rate_weight[rows].mean()) for rows in seg_rows])
    est = estimate(counted, p_seg, km_seg, rw_seg)
    low, high = interval(seg_of_unit, w_unit, p_seg, km_seg, rw_seg, seed=seed)
    segments = [
        SegmentEstimate(
            sector=str(bs.sector[seg_rows[i][0]]),
            km_from=round(float(bs.km[seg_rows[i][0]] - bs.step_km / 2), 2),
            km_to=round(float(bs.km[seg_rows[i][-1]] + bs.step_km / 2), 2),
            p_detect=round(float(p_seg[i]), 4),
            counted=round(float(counted[i])),
            estimated=round(float(est[i]), 2),
        )
        for i in range(len(seg_rows))
    ]
    total, n_total = float(est.sum()), float(counted.sum())
    return Coverage(
        border_km=round(float(km_seg.sum()), 2),
        sets=_sets(mat, sectors, pr),
        p_detect_mean=round(float(pr.p.mean()), 4),
        counted=round(n_total),
        estimated=round(total, 2),
        unseen=round(total - n_total, 2),
        low=round(low, 2),
        high=round(high, 2),
        confidence=CONFIDENCE,
        method=METHOD,
        assumptions=list(ASSUMPTIONS),
        segments=segments,
    )


def _sets(
    mat: Material, sectors: Sequence[SectorData], pr: Probabilities
) -> list[SensorSetCoverage]:
    """Share of the border in reach and mean P(counted) of each sensor set alone."""
    zero = np.zeros(len(pr.p))
    out = [
        SensorSetCoverage(
            name=name,
            sensors=sorted(
                f"{s.id}/{x.id}" if mat.kind == "month" else x.id
                for s in sectors
                for x in s.sensors
                if x.kind == kind
            ),
            share=round(float(pr.reach[kind].mean()), 4),
            mean_p_detect=round(float(p_alone.mean()), 4),
        )
        for name, kind, p_alone in (
            ("radar", "radar", crossing_p(pr.q_radar)),
            ("rf (two or more finders)", "rf", crossing_p(pr.q_rf)),
            ("remote_id", "remote_id", zero),
            ("visual", "visual", zero),
        )
    ]
    out.append(
        SensorSetCoverage(
            name="all (radar + rf)",
            sensors=[],
            share=round(float((pr.p >= P_MIN).mean()), 4),
            mean_p_detect=round(float(pr.p.mean()), 4),
        )
    )
    return out


def _segments(bs: BorderSamples) -> tuple[list[tuple[str, int]], list[npt.NDArray[np.intp]]]:
    """Stretches of SEGMENT_KM per sector: their keys and the sample rows in each."""
    keys = [(str(s), int(k // SEGMENT_KM)) for s, k in zip(bs.sector, bs.km, strict=True)]
    order: dict[tuple[str, int], list[int]] = {}
    for i, k in enumerate(keys):
        order.setdefault(k, []).append(i)
    ids = list(order)
    return ids, [np.asarray(order[k], np.intp) for k in ids]


def _assign(
    bs: BorderSamples, incursions: Sequence[Incursion], seg_ids: list[tuple[str, int]]
) -> npt.NDArray[np.intp]:
    """The stretch of each counted incursion: that of the border point nearest its crossing."""
    out = np.zeros(len(incursions), np.intp)
    index = {k: i for i, k in enumerate(seg_ids)}
    k = np.cos(np.radians(bs.lat.mean()))
    for n, u in enumerate(incursions):
        d2 = ((bs.lat - u.lat) * 110_574.0) ** 2 + ((bs.lon - u.lon) * 111_320.0 * k) ** 2
        j = int(np.argmin(d2))
        out[n] = index[(str(bs.sector[j]), int(bs.km[j] // SEGMENT_KM))]
    return out


def estimate(
    counted: FloatArray, p_seg: FloatArray, km_seg: FloatArray, rw_seg: FloatArray
) -> FloatArray:
    """Per-stretch estimates: n / p where watched; where blind, the watched stretches'
    estimated crossings per km and per unit of rate weight, times the stretch's km and
    weight (never fewer than were counted there). ``counted`` may be 2-D (draws x
    stretches): each row is estimated on its own."""
    n = np.atleast_2d(np.asarray(counted, float))
    seen = p_seg >= P_MIN
    est = np.where(seen, n / np.maximum(p_seg, P_MIN), 0.0)
    exposure = float((km_seg * rw_seg)[seen].sum())
    rate = est[:, seen].sum(axis=1, keepdims=True) / exposure if exposure > 0 else 0.0 * n[:, :1]
    blind = np.maximum(n, rate * (km_seg * rw_seg)[None, :])
    out = np.where(seen[None, :], est, blind)
    return out[0] if np.ndim(counted) == 1 else out


def interval(
    seg_of_unit: npt.NDArray[np.intp],
    w_unit: FloatArray,
    p_seg: FloatArray,
    km_seg: FloatArray,
    rw_seg: FloatArray,
    *,
    seed: int = 0,
    draws: int = BOOTSTRAP,
) -> tuple[float, float]:
    """The CONFIDENCE interval of the total estimate: a Poisson parametric bootstrap,
    each counted unit redrawn Poisson(1) times (with its weight)."""
    if len(seg_of_unit) == 0:
        w = 1.0 / max(float(np.mean(np.maximum(p_seg, P_MIN))), P_MIN)
        return 0.0, ZERO_UPPER * w
    rng = np.random.default_rng(seed)
    totals = np.empty(draws)
    step = max(1, 2_000_000 // max(len(seg_of_unit), 1))
    for a in range(0, draws, step):
        k = rng.poisson(1.0, size=(min(step, draws - a), len(seg_of_unit))) * w_unit[None, :]
        n = np.zeros((len(k), len(p_seg)))
        for j in range(len(k)):
            n[j] = np.bincount(seg_of_unit, weights=k[j], minlength=len(p_seg))
        totals[a : a + len(k)] = estimate(n, p_seg, km_seg, rw_seg).sum(axis=1)
    q = (1.0 - CONFIDENCE) / 2
    return float(np.quantile(totals, q)), float(np.quantile(totals, 1.0 - q))


__all__ = [
    "ASSUMPTIONS",
    "METHOD",
    "BorderSamples",
    "coverage_estimate",
    "crossing_p",
    "estimate",
    "interval",
    "probabilities",
    "sample_border",
]
