"""The classifier's evidence in words: why a track is what it is, for a person to read.

Each line names one feature the :class:`.classify.Classifier` weighed and its value, in
the order an operator asks: cooperative identity, RF link, radar class, motion, height,
echo. The words are the classifier's thresholds, so the text says what the numbers did.

Every reported track update carries its lines, so they are made for all reported rows
at once (:func:`evidence_table`): each column is read once as Python numbers and each
derived column (heading variance, speed jitter, the RF notes) is computed once for all
rows, with the same element-wise operations a single row's would use, so a row's lines
are the same text whichever way they are asked for.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from skywarden.geo import FloatArray

if TYPE_CHECKING:
    from skywarden.tracking.classify import Classifier

Arrays = dict[str, FloatArray]

_CLASS_NAMES = ("drone", "manned", "bird", "clutter")


def evidence_lines(clf: Classifier, a: Arrays, row: int) -> list[str]:
    """Human-readable reasons for one track's class probabilities."""
    return evidence_table(clf, {k: v[row : row + 1] for k, v in a.items()})[0]


def evidence_table(clf: Classifier, a: Arrays) -> list[list[str]]:
    """Every row's reasons (:func:`evidence_lines`), made column by column."""
    sensed = _sensed(clf, a)
    motion = _motion(clf, a)
    nrcs, rcs = a["c_nrcs"].tolist(), a["c_rcs"].tolist()
    out = []
    for i, (s, m) in enumerate(zip(sensed, motion, strict=True)):
        lines = s + m
        if nrcs[i] > 0:
            lines.append(f"radar cross-section {rcs[i]:.1f} dBsm")
        out.append(lines or ["no evidence yet"])
    return out


def _sensed(clf: Classifier, a: Arrays) -> list[list[str]]:
    """Cooperative identity, the RF link, the radar's class reports, per row."""
    adsb, rid, rf = a["c_adsb"].tolist(), a["c_rid"].tolist(), a["c_rf"].tolist()
    ncls = a["c_ncls"].tolist()
    notes = clf.rf_bias.notes(a)
    radar = _radar_lines(a)
    out: list[list[str]] = []
    for i in range(len(adsb)):
        lines: list[str] = []
        if adsb[i] > 0:
            lines.append("ADS-B: transmits an ICAO address (manned aircraft)")
        if rid[i] > 0:
            lines.append("Remote ID: broadcasts a drone serial number")
        if rf[i] >= 0.05:
            lines.append(
                f"RF: drone control link bearings fit this track by range and geometry "
                f"({rf[i]:.1f} units, fading {clf.rf_tau_s:.0f} s when silent)"
            )
            if notes[i] is not None:
                lines.append(notes[i])  # type: ignore[arg-type]
        if ncls[i] > 0:
            lines.append(radar[i])
        out.append(lines)
    return out


def _radar_lines(a: Arrays) -> list[str]:
    """The radar classifier's line per row ('' where it has no report)."""
    c = a["c_cls"]
    if c.shape[0] == 0:
        return []
    best = np.argmax(c, axis=1).tolist()
    top = c.max(axis=1).tolist()
    second = np.sort(c, axis=1)[:, -2].tolist()
    ncls = a["c_ncls"].tolist()
    out = []
    for i, b in enumerate(best):
        if not ncls[i] > 0:
            out.append("")
            continue
        ratio = np.exp(top[i] - second[i])
        out.append(
            f"radar classifier: {_CLASS_NAMES[b]} (x{ratio:.1f} over the next "
            f"class, {int(ncls[i])} reports)"
        )
    return out


def _motion(clf: Classifier, a: Arrays) -> list[list[str]]:
    """Speed, its jitter, heading, turns, flocking, climb, hover, height, per row."""
    col: dict[str, list[Any]] = {
        "v": a["c_speed"].tolist(),
        "sv": np.sqrt(a["c_speed_var"]).tolist(),
        "hv": clf.kinematics.heading_variance(a).tolist(),
        "turn": a["c_turn"].tolist(),
        "turn_deg": np.degrees(a["c_turn"]).tolist(),
        "flock": a["c_flock"].tolist(),
        "vz": a["c_vz_mean"].tolist(),
        "hover": a["c_hover_s"].tolist(),
        "h": a["c_height"].tolist(),
    }
    return [_motion_row(clf, {k: v[i] for k, v in col.items()}) for i in range(len(col["v"]))]


def _motion_row(clf: Classifier, r: dict[str, Any]) -> list[str]:
    """One row's motion lines from its Python numbers."""
    out: list[str] = []
    v = r["v"]
    if math.isfinite(v):
        if v > clf.manned_min_speed_ms:
            out.append(f"speed {v:.0f} m/s: faster than small drones and birds")
        elif v > clf.drone_max_speed_ms:
            out.append(f"speed {v:.0f} m/s: fast for a small drone")
        else:
            out.append(f"speed {v:.1f} m/s: within drone and bird range")
    if r["sv"] >= clf.speed_jitter_ms:
        out.append(f"speed jitters by {r['sv']:.1f} m/s: wing-beat-like")
    if r["hv"] >= clf.heading_jitter:
        out.append(f"heading wanders (circular variance {r['hv']:.2f}): bird-like")
    if r["turn"] >= clf.turn_rate_rads:
        out.append(f"turning {r['turn_deg']:.0f} deg/s steadily: soaring")
    if r["flock"] >= 1:
        out.append(f"flies with {int(r['flock'])} other tracks (flock or convoy)")
    vz = r["vz"]
    if abs(vz) >= 1.0:
        out.append(f"{'climbing' if vz > 0 else 'descending'} {abs(vz):.1f} m/s")
    if r["hover"] >= 2.0:
        out.append(f"hovered {r['hover']:.0f} s: rotorcraft behaviour")
    h = r["h"]
    if math.isfinite(h) and h > clf.drone_max_height_m:
        out.append(f"height {h:.0f} m above sector origin: above drone altitudes")
    elif math.isfinite(h) and h > clf.drone_ceiling_m:
        out.append(f"height {h:.0f} m above sector origin: above the 400 ft drone ceiling")
    return out
