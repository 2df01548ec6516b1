"""Live hold-fire: may the laser fire now, given the current tracks?

Why: during a test the range safety officer cannot watch a thousand tracks. The effector
is interlocked on this decision, made on every tracker scan (ANSI Z136.6, outdoor use,
names aircraft spotters or radar as a control for beams that reach navigable airspace;
this is that control, automated):

* HOLD if any manned or unclassified aircraft is inside the hazard volume now (inflated
  by ``volume_margin_m`` for track error),
* HOLD if one is predicted inside within ``look_ahead_s`` on its current velocity
  (sampled every ``step_s``; the volume is inflated by half the distance flown per step,
  so no passage between samples is missed),
* HOLD if one is within ``beam_margin_deg`` of the beam's path toward the designated
  target (bearing and elevation from the site), at any range the beam is still a hazard,
  or if the target is outside the firing fan,
* HOLD if any live track has a non-finite position or velocity (it could be anywhere:
  fail closed),
* CLEAR otherwise.

Every HOLD carries its reasons and the tracks behind it. The core (:meth:`decide_arrays`)
is vectorised over tracks; :meth:`decide` adapts ``TrackUpdate`` records to it.
Positions come from each update's sector-frame ``state`` through a fixed rigid transform
to the laser site's ENU frame (both frames are rigid transforms of Earth-centred
coordinates, so this is exact), or from lat/lon/alt when a state is missing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from skywarden.geo import LocalFrame
from skywarden.laser.plan import LaserPlan
from skywarden.laser.volume import HazardVolume
from skywarden.model import TrackStatus, TrackUpdate, most_probable_class

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

HOLD = "HOLD"
CLEAR = "CLEAR"
MAX_REASONS = 12


@dataclass(frozen=True)
class Decision:
    """The interlock state at ``t``: ``HOLD`` or ``CLEAR``, with reasons and track ids."""

    t: float
    state: str
    reasons: list[str] = field(default_factory=list)
    tracks: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"t": self.t, "state": self.state, "reasons": self.reasons, "tracks": self.tracks}


def _rigid_transform(src: LocalFrame, dst: LocalFrame) -> tuple[FloatArray, FloatArray]:
    """(M, o) with dst_enu = M @ src_enu + o, from four points mapped through geodesy."""
    base = 1000.0
    pts = np.array([[0.0, 0.0, 0.0], [base, 0.0, 0.0], [0.0, base, 0.0], [0.0, 0.0, base]])
    lat, lon, alt = src.to_geodetic(pts[:, 0], pts[:, 1], pts[:, 2])
    x, y, z = dst.to_enu(lat, lon, alt)
    q = np.stack([x, y, z], axis=1)
    o = q[0]
    m = ((q[1:] - o) / base).T  # columns: images of the src unit axes
    u, _, vt = np.linalg.svd(m)  # nearest rotation (removes round-off)
    return u @ vt, o


def unit_vector(az_deg: float, el_deg: float) -> FloatArray:
    """ENU unit vector of a bearing (deg from north) and elevation (deg)."""
    a, e = math.radians(az_deg), math.radians(el_deg)
    return np.array([math.cos(e) * math.sin(a), math.cos(e) * math.cos(a), math.sin(e)])


class HoldFire:
    """The hold-fire interlock for one plan, fed with tracks in ``frame`` (the sector's)."""

    def __init__(
        self,
        plan: LaserPlan,
        frame: LocalFrame,
        *,
        look_ahead_s: float | None = None,
        step_s: float | None = None,
        beam_margin_deg: float | None = None,
        volume_margin_m: float | None = None,
    ) -> None:
        hf = plan.spec.holdfire
        self.plan = plan
        self.frame = frame
        self.volume: HazardVolume = plan.volume(plan.tfr_zone)
        self.look_ahead_s = hf.look_ahead_s if look_ahead_s is None else float(look_ahead_s)
        self.step_s = hf.step_s if step_s is None else float(step_s)
        self.beam_margin_deg = hf.beam_margin_deg if beam_margin_deg is None else beam_margin_deg
        self.volume_margin_m = hf.volume_margin_m if volume_margin_m is None else volume_margin_m
        self.protect_probability = hf.protect_probability
        # sector ENU -> site ENU
        self._m, self._o = _rigid_transform(frame, self.volume.frame)
        # From now (s = 0) so a passage within the first half step is covered too.
        self._steps = np.arange(0.0, self.look_ahead_s + 1e-9, self.step_s)
        self._target: str | tuple[float, float] | None = None

    # ------------------------------------------------------------------ target

    def designate(self, target: str | tuple[float, float] | None) -> None:
        """Designate the target: a track id, or (bearing, elevation) deg from the site."""
        self._target = target

    # ------------------------------------------------------------------ records -> arrays

    def _arrays(
        self, updates: Sequence[TrackUpdate]
    ) -> tuple[list[str], FloatArray, FloatArray, BoolArray, list[Mapping[str, float]]]:
        """Records to site-frame arrays: ids, positions, velocities, protected mask, probs.

        Written for speed (it runs on every scan over every track): one list pass per
        field, no per-track Python arithmetic.
        """
        live = [u for u in updates if u.status is not TrackStatus.ENDED]
        ids = [u.track for u in live]
        n = len(live)
        states = [u.state for u in live]
        if all(len(st) == 6 for st in states):  # the tracker's (x, y, z, vx, vy, vz)
            st_arr = np.array(states, dtype=float).reshape(n, 6)
            pos = st_arr[:, :3] @ self._m.T + self._o
            vel = st_arr[:, 3:] @ self._m.T
        else:
            pos, vel = self._mixed_states(live, states)
        probs = [u.class_probs for u in live]
        # Classify only the tracks that could matter: reading class probabilities out of
        # a thousand records costs more than all the geometry.
        protected = np.zeros(n, bool)
        cand = np.flatnonzero(self.could_matter(pos, vel))
        if cand.size:
            protected[cand] = self.protected_mask([probs[i] for i in cand])
        return ids, pos, vel, protected, probs

    def _mixed_states(
        self, live: Sequence[TrackUpdate], states: Sequence[tuple[float, ...]]
    ) -> tuple[FloatArray, FloatArray]:
        """Positions/velocities when some updates lack a sector state: those go through
        geodesy from lat/lon/alt (exact, slower)."""
        n = len(live)
        pos = np.empty((n, 3))
        vel = np.empty((n, 3))
        with_state = [i for i, st in enumerate(states) if len(st) >= 6]
        if with_state:
            st_arr = np.array([states[i][:6] for i in with_state], dtype=float)
            pos[with_state] = st_arr[:, :3] @ self._m.T + self._o
            vel[with_state] = st_arr[:, 3:6] @ self._m.T
        rest = [i for i in range(n) if len(states[i]) < 6]
        if rest:
            lat = np.array([live[i].lat for i in rest])
            lon = np.array([live[i].lon for i in rest])
            alt = np.array([live[i].alt_m for i in rest])
            x, y, z = self.volume.frame.to_enu(lat, lon, alt)
            pos[rest] = np.stack([x, y, z], axis=1)
            vel[rest] = np.array([live[i].velocity for i in rest])
        return pos, vel

    def could_matter(self, pos: FloatArray, vel: FloatArray) -> BoolArray:
        """Tracks near enough to enter the volume within the look-ahead, or to be near the
        beam path (a superset of everything :meth:`decide_arrays` can hold for)."""
        speed = np.sqrt(np.einsum("ij,ij->i", vel, vel))
        beam = self.volume.range_m * math.sin(math.radians(self.beam_margin_deg))
        reach = self.volume_margin_m + beam + speed * (self.look_ahead_s + self.step_s)
        return self.volume.contains_enu(pos[:, 0], pos[:, 1], pos[:, 2], reach)

    def protected_mask(self, probs: Sequence[Mapping[str, float]]) -> BoolArray:
        """Manned or unclassified (the larger of the two at least the larger of drone and
        bird; an empty distribution counts as unclassified), or manned with probability
        at least ``protect_probability``."""
        manned = np.array([c.get("manned", 0.0) for c in probs], dtype=float)
        unknown = np.array([c.get("unknown", 0.0) for c in probs], dtype=float)
        drone = np.array([c.get("drone", 0.0) for c in probs], dtype=float)
        bird = np.array([c.get("bird", 0.0) for c in probs], dtype=float)
        out: BoolArray = (np.maximum(manned, unknown) >= np.maximum(drone, bird)) | (
            manned >= self.protect_probability
        )
        return out

    def decide(
        self,
        t: float,
        updates: Sequence[TrackUpdate],
        target: str | tuple[float, float] | None = None,
    ) -> Decision:
        """HOLD or CLEAR for the current ``updates`` (one tracker scan)."""
        tgt = self._target if target is None else target
        ids, pos, vel, protected, probs = self._arrays(updates)
        bad = ~(np.isfinite(pos).all(axis=1) & np.isfinite(vel).all(axis=1))
        if bad.any():  # fail closed: a track nobody can place could be anywhere
            culprits = [ids[i] for i in np.flatnonzero(bad)]
            reasons = [f"{k} has a non-finite position or velocity" for k in culprits]
            return Decision(t, HOLD, reasons[:MAX_REASONS], culprits)
        target_dir: FloatArray | None = None
        target_id: str | None = None
        if isinstance(tgt, str):
            target_id = tgt
            if tgt not in ids:
                return Decision(t, HOLD, [f"designated target {tgt} is not a live track"], [])
            p = pos[ids.index(tgt)]
            target_dir = p / max(float(np.linalg.norm(p)), 1e-9)
        elif tgt is not None:
            target_dir = unit_vector(tgt[0], tgt[1])
        return self.decide_arrays(t, ids, pos, vel, protected, target_dir, target_id, probs)

    # ------------------------------------------------------------------ vectorised core

    def decide_arrays(
        self,
        t: float,
        ids: Sequence[str],
        pos: FloatArray,
        vel: FloatArray,
        protected: BoolArray,
        target_dir: FloatArray | None = None,
        target_id: str | None = None,
        probs: Sequence[Mapping[str, float]] | None = None,
    ) -> Decision:
        """The decision from site-frame ENU positions (N,3) m, velocities (N,3) m/s and a
        protected mask; ``target_dir`` is the unit vector toward the target, if any."""
        reasons: list[str] = []
        pending: list[tuple[str, int, float]] = []
        vol = self.volume
        if target_dir is not None:
            reasons += self._fan_reasons(target_dir)
        mask = protected.copy()
        if target_id is not None:
            mask &= np.array([i != target_id for i in ids], dtype=bool)
        idx = np.flatnonzero(mask)
        if idx.size:
            p, v = pos[idx], vel[idx]
            speed = np.sqrt(np.einsum("ij,ij->i", v, v))
            rng = np.sqrt(np.einsum("ij,ij->i", p, p))
            inside, soon = self._volume_hits(p, v, speed)
            for k in np.flatnonzero(inside):
                pending.append(("inside", int(idx[k]), 0.0))
            for k in np.flatnonzero(~np.isnan(soon)):
                pending.append(("soon", int(idx[k]), float(soon[k])))
            if target_dir is not None:
                along = p @ target_dir
                off = np.sqrt(np.maximum(rng**2 - along**2, 0.0))
                ang = np.degrees(np.arctan2(off, np.maximum(along, 1e-9)))
                in_beam = (along > 0.0) & (along <= vol.range_m + self.volume_margin_m)
                in_path = (in_beam & (ang <= self.beam_margin_deg)) | (rng <= self.volume_margin_m)
                for k in np.flatnonzero(in_path):
                    pending.append(("beam", int(idx[k]), float(ang[k])))
        if not reasons and not pending:
            return Decision(t, CLEAR, [], [])
        return _worded(t, ids, pos, probs, reasons, pending)

    def _fan_reasons(self, target_dir: FloatArray) -> list[str]:
        """The reason to hold when the target is outside the fan, else none."""
        vol = self.volume
        az = math.degrees(math.atan2(target_dir[0], target_dir[1])) % 360.0
        el = math.degrees(math.asin(max(-1.0, min(1.0, float(target_dir[2])))))
        if not (
            bool(vol.fan.contains_azimuth(np.array([az]))[0])
            and vol.fan.elevation_min_deg <= el <= vol.fan.elevation_max_deg
        ):
            return [f"target at bearing {az:.1f} deg, elevation {el:.1f} deg is outside the fan"]
        return []

    def _volume_hits(
        self, p: FloatArray, v: FloatArray, speed: FloatArray
    ) -> tuple[BoolArray, FloatArray]:
        """Which tracks are inside the hazard volume, and in how many seconds the others
        are predicted inside within the look-ahead (NaN: not at all)."""
        vol = self.volume
        # Exact pre-filter: a track farther from the volume than it can fly within the
        # look-ahead (plus margins) cannot enter it; only the rest is sampled.
        reach = self.volume_margin_m + speed * (self.look_ahead_s + self.step_s / 2.0)
        near = vol.contains_enu(p[:, 0], p[:, 1], p[:, 2], reach)
        inside = np.zeros(len(p), bool)
        soon = np.full(len(p), np.nan)
        if np.any(near):
            pn, vn, sn = p[near], v[near], speed[near]
            inside_n = vol.contains_enu(pn[:, 0], pn[:, 1], pn[:, 2], self.volume_margin_m)
            inside[near] = inside_n
            # Tracks inside already hold; predict only for the others.
            out_n = np.flatnonzero(near)[~inside_n]
            pn, vn, sn = p[out_n], v[out_n], speed[out_n]
            s = self._steps[None, :]
            margin = self.volume_margin_m + sn[:, None] * (self.step_s / 2.0)
            hit = vol.contains_enu(
                pn[:, 0:1] + vn[:, 0:1] * s,
                pn[:, 1:2] + vn[:, 1:2] * s,
                pn[:, 2:3] + vn[:, 2:3] * s,
                margin,
            )
            any_hit = hit.any(axis=1)
            soon[out_n] = np.where(any_hit, self._steps[np.argmax(hit, axis=1)], np.nan)
        return inside, soon


def _worded(
    t: float,
    ids: Sequence[str],
    pos: FloatArray,
    probs: Sequence[Mapping[str, float]] | None,
    reasons: list[str],
    pending: list[tuple[str, int, float]],
) -> Decision:
    """The hold decision: the fan reason, then the first pending culprits in words."""
    # Culprits in order of first mention; only the first reasons are worded (fast
    # when a thousand tracks are involved, and nobody reads more).
    culprits = list(dict.fromkeys(ids[j] for _, j, _ in pending))
    budget = max(0, MAX_REASONS - len(reasons))
    for kind, j, value in pending[:budget]:
        who = f"{ids[j]} ({_cls(probs, j)})"
        if kind == "inside":
            reasons.append(f"{who} inside the hazard volume, {_where(pos[j])}")
        elif kind == "soon":
            reasons.append(f"{who} predicted inside in {value:.0f} s, {_where(pos[j])}")
        else:
            reasons.append(f"{who} {value:.2f} deg off the beam path to the target")
    if len(pending) > budget:
        reasons.append(f"... and {len(pending) - budget} more")
    return Decision(t, HOLD, reasons, culprits)


def _cls(probs: Sequence[Mapping[str, float]] | None, j: int) -> str:
    return "unclassified" if probs is None else most_probable_class(probs[j])


def _where(p: FloatArray) -> str:
    rng = float(np.linalg.norm(p))
    az = math.degrees(math.atan2(p[0], p[1])) % 360.0
    el = math.degrees(math.atan2(p[2], math.hypot(p[0], p[1])))
    return f"{rng / 1000:.1f} km, bearing {az:.0f} deg, elevation {el:.1f} deg from the laser"
