"""Scoring tracks against the simulator's truth: how good is the picture an operator sees?

At every truth time the confirmed and coasting tracks are matched to truth targets by
the GOSPA assignment (pairs closer than ``assoc_m``, :func:`metrics.assign_within`).
From those matches:

- **GOSPA** over time (and its localisation / missed / false parts), cut-off ``gospa_c_m``;
- **track purity**: for each track, the share of its updates spent on its main target;
- **completeness**: for each target, the share of its truth time covered by a track;
- **identity switches**: times a target's matched track id changes;
- **confusion matrix**: truth kind x the track's most probable class, over matched updates;
- **time to correct class**: from a target's first detection to the first matched update
  whose class is its true kind. The first detection is found, when the detections file
  is given, as the earliest position detection within ``detect_m`` of the target's truth
  (or bearing within 3 sigma of its direction); otherwise it is the target's first
  matched track update (a later start, so the reported time is then a lower bound).
- **ADS-B aircraft called drone**: matched updates where a target that transmits ADS-B
  is classified drone (must be zero).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skywarden.geo import FloatArray, LocalFrame, enu_to_bearing_elevation
from skywarden.model import Detection, TargetClass, TrackStatus, TrackUpdate, TruthPoint
from skywarden.tracking.metrics import Gospa, assign_within, gospa

CLASS_NAMES = [c.value for c in TargetClass]


@dataclass
class Evaluation:
    """Everything :func:`evaluate` measured; ``summary()`` gives the headline numbers."""

    times: list[float] = field(default_factory=list)
    gospa: list[Gospa] = field(default_factory=list)
    purity: dict[str, float] = field(default_factory=dict)
    completeness: dict[str, float] = field(default_factory=dict)
    id_switches: dict[str, int] = field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    target_kind: dict[str, str] = field(default_factory=dict)
    first_detection: dict[str, float] = field(default_factory=dict)
    time_to_class: dict[str, float | None] = field(default_factory=dict)
    time_to_class_from_track: dict[str, float | None] = field(default_factory=dict)
    adsb_as_drone: int = 0
    adsb_targets: int = 0

    def drones_classified_within(self, seconds: float, from_track: bool = False) -> tuple[int, int]:
        """(drones classified drone within ``seconds``, drones tracked), counted from the
        first detection or, with ``from_track``, from the first confirmed track update."""
        ttc = self.time_to_class_from_track if from_track else self.time_to_class
        drones = [t for t, k in self.target_kind.items() if k == "drone" and t in ttc]
        ok = sum(1 for t in drones if (v := ttc[t]) is not None and v <= seconds)
        return ok, len(drones)

    def summary(self) -> dict[str, Any]:
        g = np.array([x.distance for x in self.gospa]) if self.gospa else np.zeros(1)
        ok, n_drones = self.drones_classified_within(10.0)
        ok_tr, _ = self.drones_classified_within(10.0, from_track=True)
        return {
            "scans": len(self.times),
            "mean_gospa_m": float(g.mean()),
            "mean_gospa_localisation": float(np.mean([x.localisation for x in self.gospa] or [0])),
            "mean_missed_targets": float(np.mean([x.n_missed for x in self.gospa] or [0])),
            "mean_false_tracks": float(np.mean([x.n_false for x in self.gospa] or [0])),
            "tracks": len(self.purity),
            "mean_track_purity": float(np.mean(list(self.purity.values()) or [0])),
            "targets": len(self.completeness),
            "mean_completeness": float(np.mean(list(self.completeness.values()) or [0])),
            "identity_switches": int(sum(self.id_switches.values())),
            "drones_classified_within_10s": ok,
            "drones_detected": n_drones,
            "drone_within_10s_fraction": ok / n_drones if n_drones else None,
            "drones_classified_within_10s_of_track": ok_tr,
            "drone_within_10s_of_track_fraction": ok_tr / n_drones if n_drones else None,
            "adsb_targets": self.adsb_targets,
            "adsb_updates_classified_drone": self.adsb_as_drone,
            "confusion": self.confusion,
        }


def _key(t: float) -> float:
    return round(t, 3)


def first_detections(
    truth: Sequence[TruthPoint],
    detections: Iterable[Detection],
    frame: LocalFrame,
    detect_m: float = 150.0,
) -> dict[str, float]:
    """Earliest detection time of each target: a position within ``detect_m`` of its truth
    at that second, or a bearing within 3 sigma of the direction to it. Each detection
    is credited to the one target it fits best (a bearing fits anything on its ray)."""
    by_t: dict[float, list[TruthPoint]] = defaultdict(list)
    for p in truth:
        by_t[_key(p.t)].append(p)
    enu_cache: dict[float, tuple[list[str], FloatArray]] = {}

    def truth_at(t: float) -> tuple[list[str], FloatArray] | None:
        k = _key(float(math.floor(t + 1e-6)))
        if k not in by_t:
            return None
        if k not in enu_cache:
            pts = by_t[k]
            x, y, z = frame.to_enu(
                np.array([p.lat for p in pts]),
                np.array([p.lon for p in pts]),
                np.array([p.alt_m for p in pts]),
            )
            enu_cache[k] = ([p.target for p in pts], np.stack([x, y, z], axis=1))
        return enu_cache[k]

    first: dict[str, float] = {}
    for d in detections:
        at = truth_at(d.t)
        if at is None:
            continue
        names, pos = at
        if d.position is not None:
            q = np.array(frame.to_enu(d.position.lat, d.position.lon, d.position.alt_m))
            err = np.linalg.norm(pos - q, axis=1) / detect_m
        else:
            b = d.bearing
            assert b is not None
            s = np.array(frame.to_enu(b.sensor_lat, b.sensor_lon, b.sensor_alt_m))
            _, brg, _ = enu_to_bearing_elevation(*(pos - s).T)
            err = np.abs((np.asarray(brg) - b.bearing_deg + 180.0) % 360.0 - 180.0)
            err = err / (3.0 * b.sigma_deg)
        # A detection belongs to one target: the one it fits best, if it fits at all.
        i = int(np.argmin(err))
        if err[i] < 1.0:
            first.setdefault(names[i], d.t)
    return first


def _by_time(
    truth: Sequence[TruthPoint], tracks: Sequence[TrackUpdate], ev: Evaluation
) -> tuple[dict[float, list[TruthPoint]], dict[float, list[TrackUpdate]], set[str]]:
    """Truth and live track updates by time key, and the ADS-B targets; notes each
    target's kind (its ADS-B kind when it has one) and the ADS-B target count in ``ev``."""
    truth_by_t: dict[float, list[TruthPoint]] = defaultdict(list)
    for p in truth:
        truth_by_t[_key(p.t)].append(p)
        ev.target_kind.setdefault(p.target, str(p.kind))
        if p.identity is not None and p.identity.icao24:
            ev.target_kind[p.target] = str(p.kind)
    adsb_targets = {p.target for p in truth if p.identity is not None and p.identity.icao24}
    ev.adsb_targets = len(adsb_targets)
    tracks_by_t: dict[float, list[TrackUpdate]] = defaultdict(list)
    for u in tracks:
        if u.status != TrackStatus.ENDED:
            tracks_by_t[_key(u.t)].append(u)
    return truth_by_t, tracks_by_t, adsb_targets


def _enu(frame: LocalFrame, lat: list[float], lon: list[float], alt: list[float]) -> FloatArray:
    if not lat:
        return np.empty((0, 3))
    x, y, z = frame.to_enu(np.array(lat), np.array(lon), np.array(alt))
    return np.stack([x, y, z], axis=1)


def _times_to_class(
    ev: Evaluation,
    first_matched: dict[str, float],
    correct_at: dict[str, float],
    first_detection: dict[str, float] | None,
) -> None:
    """Each target's first detection and time to its correct class, in ``ev``."""
    start = dict(first_matched)
    if first_detection:
        start.update({t: v for t, v in first_detection.items() if t in first_matched})
    ev.first_detection = start
    ev.time_to_class = {t: (correct_at[t] - start[t]) if t in correct_at else None for t in start}
    ev.time_to_class_from_track = {
        t: (correct_at[t] - first_matched[t]) if t in correct_at else None for t in first_matched
    }


def evaluate(
    truth: Sequence[TruthPoint],
    tracks: Sequence[TrackUpdate],
    frame: LocalFrame,
    gospa_c_m: float = 100.0,
    assoc_m: float = 100.0,
    first_detection: dict[str, float] | None = None,
) -> Evaluation:
    """Score ``tracks`` against ``truth`` (both in geographic coordinates)."""
    ev = Evaluation()
    truth_by_t, tracks_by_t, adsb_targets = _by_time(truth, tracks, ev)

    truth_steps: dict[str, int] = defaultdict(int)
    matched_steps: dict[str, int] = defaultdict(int)
    track_updates: dict[str, int] = defaultdict(int)
    track_targets: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    last_track: dict[str, str] = {}
    first_matched: dict[str, float] = {}
    correct_at: dict[str, float] = {}
    confusion = {k: dict.fromkeys(CLASS_NAMES, 0) for k in CLASS_NAMES}

    for tk in sorted(truth_by_t):
        pts = truth_by_t[tk]
        ups = tracks_by_t.get(tk, [])
        x = _enu(frame, [p.lat for p in pts], [p.lon for p in pts], [p.alt_m for p in pts])
        y = _enu(frame, [u.lat for u in ups], [u.lon for u in ups], [u.alt_m for u in ups])
        ev.times.append(tk)
        ev.gospa.append(gospa(x, y, c=gospa_c_m))
        for p in pts:
            truth_steps[p.target] += 1
        for u in ups:
            track_updates[u.track] += 1
        ix, iy = assign_within(x, y, assoc_m)
        for i, j in zip(ix.tolist(), iy.tolist(), strict=True):
            target, u = pts[i].target, ups[j]
            matched_steps[target] += 1
            track_targets[u.track][target] += 1
            if target in last_track and last_track[target] != u.track:
                ev.id_switches[target] = ev.id_switches.get(target, 0) + 1
            last_track[target] = u.track
            first_matched.setdefault(target, tk)
            best = u.best_class.value
            kind = ev.target_kind[target]
            confusion[kind][best] += 1
            if best == kind:
                correct_at.setdefault(target, tk)
            if target in adsb_targets and best == "drone":
                ev.adsb_as_drone += 1

    ev.confusion = confusion
    ev.completeness = {t: matched_steps[t] / n for t, n in truth_steps.items()}
    ev.purity = {tr: max(cnt.values()) / track_updates[tr] for tr, cnt in track_targets.items()} | {
        tr: 0.0 for tr in track_updates if tr not in track_targets
    }
    for t in truth_steps:
        ev.id_switches.setdefault(t, 0)
    _times_to_class(ev, first_matched, correct_at, first_detection)
    return ev
