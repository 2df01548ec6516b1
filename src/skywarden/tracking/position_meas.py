"""The measurements a position group's detections make of the tracks they update.

Three kinds, chosen per detection: a full state where the sensor reported a velocity
(Remote ID, ADS-B), a delayed position where the report was observed before the group's
time (visual sightings, :mod:`.delayed`), and a plain position otherwise. Gating, the
existence evidence and the filter update ask this module, so the core never branches
on which.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from skywarden.geo import FloatArray
from skywarden.model import SensorKind
from skywarden.tracking.delayed import DelayedPositionMeasurement, retrodicted
from skywarden.tracking.gating import Pairs, PositionGate
from skywarden.tracking.measurements import PositionMeasurement, StateMeasurement
from skywarden.tracking.records import TENTATIVE, ScanGroup

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
#: the track table's columns
Arrays = dict[str, FloatArray]
#: a sighting backs the track it went to as a drone when that track holds this share of
#: its likelihood among the established tracks it gates with (:func:`vouch_sightings`):
#: nine to one, where the coarse report says which it saw
VOUCH_SHARE = 0.9
#: a position group's positions: plain, or observed before the group's time
Positions = PositionMeasurement | DelayedPositionMeasurement


def ages_of(g: ScanGroup, dets: IntArray) -> FloatArray | None:
    """Ages (s) of detections ``dets`` of ``g``, None when none of them is delayed."""
    if g.age_s is None:
        return None
    ages = g.age_s[dets]
    return ages if ages.any() else None


def gate_pairs(
    gate: PositionGate,
    x: FloatArray,
    p: FloatArray,
    rows: IntArray,
    g: ScanGroup,
    dets: IntArray,
    dims: int,
) -> Pairs:
    """Gated pairs of track ``rows`` (of the table's states ``x``, covariances ``p``)
    and detections ``dets`` of ``g``: a delayed report against each track as it was
    when it was observed. A plain group reads only the position blocks of ``rows``
    (every scan asks)."""
    assert g.z is not None and g.R is not None
    ages = ages_of(g, dets)
    if ages is None:
        return gate.pairs(x[rows, :dims], p[rows, :dims, :dims], g.z[dets], g.R[dets])
    xr, pr = x[rows], p[rows]
    ti, dj, d2 = [], [], []
    for age in np.unique(ages):
        sub = np.flatnonzero(ages == age)
        pos, cov = retrodicted(xr, pr, float(age), dims)
        pairs = gate.pairs(pos, cov, g.z[dets[sub]], g.R[dets[sub]])
        ti.append(pairs.ti)
        dj.append(sub[pairs.dj])
        d2.append(pairs.d2)
    return Pairs(np.concatenate(ti), np.concatenate(dj), np.concatenate(d2))


def position(g: ScanGroup, dets: IntArray) -> Positions:
    """The positions of detections ``dets`` of ``g`` (delayed ones as they were seen)."""
    assert g.z is not None and g.R is not None
    ages = ages_of(g, dets)
    if ages is None:
        return PositionMeasurement(g.z[dets], g.R[dets])
    return DelayedPositionMeasurement(g.z[dets], g.R[dets], ages)


def innovation(
    meas: Positions, x: FloatArray, p: FloatArray, rows: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Residuals ``z - h(x)`` (k, d) and their covariances ``H P H^T + R`` (k, d, d) of
    track ``rows`` (of the table's ``x``, ``p``); a plain position reads only their
    position blocks (every scan asks)."""
    d = meas.z.shape[1]
    if isinstance(meas, PositionMeasurement):
        return meas.z - x[rows, :d], p[rows, :d, :d] + meas.R
    zhat, h = meas.linearise(x[rows])
    return meas.residual(zhat), h @ p[rows] @ np.swapaxes(h, 1, 2) + meas.R


def full_state_mask(g: ScanGroup, dets: IntArray) -> BoolArray:
    """Which of detections ``dets`` of ``g`` reported a velocity too."""
    if g.velocity is None:
        return np.zeros(dets.shape[0], dtype=bool)
    return np.asarray(np.isfinite(g.velocity[dets]).all(axis=1))


def full_state(g: ScanGroup, dets: IntArray, velocity_sigma_ms: float) -> StateMeasurement:
    """Position and velocity of detections ``dets`` of ``g`` (all of which reported a
    velocity), a velocity without a stated variance taken at ``velocity_sigma_ms``."""
    assert g.z is not None and g.R is not None and g.velocity is not None
    d = g.z.shape[1]
    k = dets.shape[0]
    z = np.hstack([g.z[dets], g.velocity[dets]])
    r = np.zeros((k, 2 * d, 2 * d))
    r[:, :d, :d] = g.R[dets]
    var0 = velocity_sigma_ms**2
    vvar = (
        np.full(k, var0)
        if g.velocity_var is None
        else np.nan_to_num(g.velocity_var[dets], nan=var0)
    )
    idx = np.arange(d, 2 * d)
    r[:, idx, idx] = np.maximum(vvar, 1e-4)[:, None]
    return StateMeasurement(z, r)


def vouch_sightings(
    gate: PositionGate, a: Arrays, rows: IntArray, g: ScanGroup, dets: IntArray, dims: int
) -> None:
    """Mark the tracks ``rows`` that a sighting group's reports ``dets`` (pairwise) back
    as a drone now (``c_visual_t``, the classifier's visual corroboration): those whose
    share of the report's likelihood, among every established track (confirmed or
    coasting) it gates with, is at least ``VOUCH_SHARE``. Any other kind of group backs
    nothing here.

    A sighting is a person's "drone" placed to a few hundred metres, often a minute
    late: when two tracks could as well have been what the observer saw, the
    association's choice between them is a coin the report cannot settle, and it backs
    neither as a drone (it still updates the track it went to). Held-out seed 24, S67: a
    report 54 s old, 456 m from a tracked surveillance drone's retrodicted place and 370
    m from a bird's, went to the bird (a likelihood share of 0.59), and its 120 s of
    visual corroboration counted the bird (docs/notes/wave23.md)."""
    if g.kind != SensorKind.VISUAL or rows.shape[0] == 0 or "c_visual_t" not in a:
        return
    est = np.flatnonzero(a["status"] != TENTATIVE)
    pairs = gate_pairs(gate, a["x"], a["P"], est, g, dets, dims)
    rival = est[pairs.ti] != rows[pairs.dj]
    cand = np.concatenate([rows, est[pairs.ti[rival]]])
    of = np.concatenate([np.arange(rows.shape[0]), pairs.dj[rival]])
    nu, cov = innovation(position(g, dets[of]), a["x"], a["P"], cand)
    _, logdet = np.linalg.slogdet(cov)
    d2 = np.einsum("ki,ki->k", nu, np.linalg.solve(cov, nu[..., None])[..., 0])
    cost = d2 + logdet  # -2 log likelihood, up to a constant
    best = np.full(rows.shape[0], np.inf)
    np.minimum.at(best, of, cost)
    lik = np.exp(-0.5 * (cost - best[of]))  # each report's likeliest track is 1
    share = lik[: rows.shape[0]] / np.bincount(of, weights=lik, minlength=rows.shape[0])
    a["c_visual_t"][rows[share >= VOUCH_SHARE]] = g.t
