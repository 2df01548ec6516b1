"""The classifier's evidence in words: why a track is what it is, for a person to read.

Each line names one feature the :class:`.classify.Classifier` weighed and its value, in
the order an operator asks: cooperative identity, RF link, radar class, motion, height,
echo. The words are the classifier's thresholds, so the text says what the numbers did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from skywarden.geo import FloatArray

if TYPE_CHECKING:
    from skywarden.tracking.classify import Classifier

Arrays = dict[str, FloatArray]


def evidence_lines(clf: Classifier, a: Arrays, row: int) -> list[str]:
    """Human-readable reasons for one track's class probabilities."""
    out = _sensed(clf, a, row) + _motion(clf, a, row)
    if a["c_nrcs"][row] > 0:
        out.append(f"radar cross-section {a['c_rcs'][row]:.1f} dBsm")
    return out or ["no evidence yet"]


def _sensed(clf: Classifier, a: Arrays, row: int) -> list[str]:
    """Cooperative identity, the RF link, the radar's class reports."""
    out: list[str] = []
    if a["c_adsb"][row] > 0:
        out.append("ADS-B: transmits an ICAO address (manned aircraft)")
    if a["c_rid"][row] > 0:
        out.append("Remote ID: broadcasts a drone serial number")
    if a["c_rf"][row] >= 0.05:
        out.append(
            f"RF: drone control link bearings fit this track by range and geometry "
            f"({a['c_rf'][row]:.1f} units, fading {clf.rf_tau_s:.0f} s when silent)"
        )
        beside = clf.rf_bias.note(a, row)
        if beside is not None:
            out.append(beside)
    if a["c_ncls"][row] > 0:
        c = a["c_cls"][row]
        best = int(np.argmax(c))
        second = float(np.sort(c)[-2])
        name = ("drone", "manned", "bird", "clutter")[best]
        out.append(
            f"radar classifier: {name} (x{np.exp(c[best] - second):.1f} over the next "
            f"class, {int(a['c_ncls'][row])} reports)"
        )
    return out


def _motion(clf: Classifier, a: Arrays, row: int) -> list[str]:
    """Speed, its jitter, heading, turns, flocking, climb, hover, height."""
    out: list[str] = []
    v = a["c_speed"][row]
    if np.isfinite(v):
        if v > clf.manned_min_speed_ms:
            out.append(f"speed {v:.0f} m/s: faster than small drones and birds")
        elif v > clf.drone_max_speed_ms:
            out.append(f"speed {v:.0f} m/s: fast for a small drone")
        else:
            out.append(f"speed {v:.1f} m/s: within drone and bird range")
    sv = float(np.sqrt(a["c_speed_var"][row]))
    if sv >= clf.speed_jitter_ms:
        out.append(f"speed jitters by {sv:.1f} m/s: wing-beat-like")
    hv = float(clf.kinematics.heading_variance(a)[row : row + 1][0])
    if hv >= clf.heading_jitter:
        out.append(f"heading wanders (circular variance {hv:.2f}): bird-like")
    if a["c_turn"][row] >= clf.turn_rate_rads:
        out.append(f"turning {np.degrees(a['c_turn'][row]):.0f} deg/s steadily: soaring")
    if a["c_flock"][row] >= 1:
        out.append(f"flies with {int(a['c_flock'][row])} other tracks (flock or convoy)")
    vz = float(a["c_vz_mean"][row])
    if abs(vz) >= 1.0:
        out.append(f"{'climbing' if vz > 0 else 'descending'} {abs(vz):.1f} m/s")
    if a["c_hover_s"][row] >= 2.0:
        out.append(f"hovered {a['c_hover_s'][row]:.0f} s: rotorcraft behaviour")
    h = a["c_height"][row]
    if np.isfinite(h) and h > clf.drone_max_height_m:
        out.append(f"height {h:.0f} m above sector origin: above drone altitudes")
    elif np.isfinite(h) and h > clf.drone_ceiling_m:
        out.append(f"height {h:.0f} m above sector origin: above the 400 ft drone ceiling")
    return out
