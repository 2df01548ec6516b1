"""Identity is not authorisation: each Remote ID claim checked against what the sensors see.

A Remote ID broadcast (ASTM F3411) is an unauthenticated claim: anyone can send any
serial, position, speed and operator location. :class:`IdentityCheck` compares every
claim with the physics and with the non-cooperative sensors, and flags a serial (and
the tracks holding it) whose claims are contradicted, with the evidence in words:

- **serial format**: ANSI/CTA-2063-A (:mod:`.rid_serial`); a malformed serial is made up.
- **two places at once**: a claim that no small UAS could reach from the serial's
  previous claim in the time between (faster than ``max_speed_mps``, the 87-knot limit
  of 14 CFR 107.51(a), beyond both fixes' 99.9 % error gate), ``two_places_min`` times
  over at least ``two_places_span_s``: two drones, one stolen serial, switch places at
  every message, where a GNSS jump breaks the chain once.
- **claimed speed against the track**: the claimed velocities, integrated over
  ``speed_baseline_s``, must carry the claimed positions where they went (a
  Mahalanobis gate on the position errors, the velocity error and a manoeuvre
  allowance); ``speed_min_failures`` failures in ``speed_window_s``, spread over more
  than the longest baseline (a GNSS jump fails only the baselines across it).
- **operator against take-off**: a serial first heard at its take-off (height above
  take-off at most ``takeoff_max_height_m``) whose operator position lies farther than
  ``operator_takeoff_max_m`` from that take-off, beyond the fix's error gate.
- **claimed position against radar/RF geometry**: a claim with no radar plot inside
  its gate (both covariances, 99.9 %) while a radar/RF track WITHOUT Remote ID, outside
  that gate, flies with it (velocities agree within their covariances' gate, both
  moving, the offset between them steady) for ``twin_min_scans`` scans: the drone
  is there, its broadcast says it is elsewhere. The claim's tracks are flagged, and
  that twin too when it is the only track flying with the claim (in a convoy, or
  beside a bird on the same heading, nobody can say which one lies); a track made of
  the claims alone (a phantom) is ended.

Persistence (several contradictions, over time) keeps GNSS noise, a lost message or a
radar gap on an honest drone from raising a flag; a flag then stays on the serial for
the run. The tracker (:class:`~.tracker.Tracker`) tags flagged tracks' updates with an
evidence line starting ``false_remote_id:`` and drops ``remote_id`` from their
corroboration; the airspace stage scores them as drones with a false identity.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from skywarden.geo import LocalFrame
from skywarden.model import Detection, SensorKind, TrackStatus, TrackUpdate
from skywarden.tracking.rid_serial import serial_problem

#: The evidence tag of a flagged track (``TrackUpdate.evidence``), read by the airspace.
FALSE_REMOTE_ID = "false_remote_id"
#: 99.9 % points of the chi-square distribution, 2 degrees of freedom (horizontal).
CHI2_2D = 13.82
#: Horizontal sigma of a claim whose message states no accuracy (m): the tracker's
#: default for Remote ID (TrackerConfig).
DEFAULT_CLAIM_SIGMA_M = 10.0
DEFAULT_RADAR_SIGMA_M = 25.0


@dataclass(frozen=True)
class IdentityCheckConfig:
    """Thresholds of the checks (see the module docstring for each one's reason)."""

    max_speed_mps: float = 44.7  # 87 kn, 14 CFR 107.51(a)
    two_places_min: int = 3
    two_places_span_s: float = 4.0
    two_places_window_s: float = 30.0
    speed_baseline_s: tuple[float, float] = (4.0, 10.0)
    speed_window_s: float = 20.0
    speed_min_failures: int = 4
    max_accel_mps2: float = 5.0  # a quadcopter's hard stop or start
    takeoff_max_height_m: float = 10.0
    operator_takeoff_max_m: float = 1000.0  # a pilot launches within sight (VLOS)
    twin_min_scans: int = 8
    twin_max_m: float = 6000.0  # no lie farther than this is looked for
    twin_min_speed_mps: float = 2.0
    history_s: float = 30.0
    forget_s: float = 3600.0  # an unflagged serial silent this long is forgotten


@dataclass(frozen=True)
class Claim:
    """One Remote ID message in the sector frame: horizontal position and velocity."""

    t: float
    serial: str
    x: float
    y: float
    var: float  # per-axis horizontal variance of the position, m^2
    vx: float
    vy: float
    vvar: float  # per-axis variance of the velocity, (m/s)^2
    op_x: float | None = None
    op_y: float | None = None
    height_above_takeoff_m: float | None = None


@dataclass
class _Serial:
    """What is known about one serial: its recent claims and its contradictions."""

    claims: deque[Claim] = field(default_factory=deque)
    first_t: float = math.nan
    takeoff: tuple[float, float, float] | None = None  # x, y, variance
    two_places: deque[tuple[float, str]] = field(default_factory=deque)
    speed_fail: deque[tuple[float, str]] = field(default_factory=deque)
    twins: dict[str, tuple[int, float, float, float]] = field(default_factory=dict)
    supported_t: float = -math.inf
    last_t: float = -math.inf
    flag: str | None = None


class IdentityCheck:
    """Per-serial checks over a scan's Remote ID claims and the tracker's updates."""

    def __init__(self, frame: LocalFrame, config: IdentityCheckConfig | None = None) -> None:
        self.frame = frame
        self.config = config or IdentityCheckConfig()
        self.serials: dict[str, _Serial] = {}
        self.flagged_tracks: dict[str, str] = {}
        self._kind: dict[str, SensorKind] = {}
        self._any = False  # any serial flagged yet
        self._swept = -math.inf
        self._phantom_serials: set[str] = set()  # claims the radar contradicts by place
        self._phantoms: set[str] = set()  # their claim-only tracks, already ended

    # ------------------------------------------------------------------ public

    def apply(
        self, detections: Sequence[Detection], updates: list[TrackUpdate]
    ) -> list[TrackUpdate]:
        """Check this scan's claims, then tag the updates of flagged tracks."""
        claims = self._claims(detections)
        if claims:
            for d in detections:
                self._kind.setdefault(d.sensor, d.kind)
            radar = self._radar_plots(detections)
            for c in claims:
                self._check_claim(c)
            latest = {c.serial: c for c in claims}
            for c in latest.values():
                self._check_geometry(c, radar, updates)
            self._any = self._any or any(s.flag is not None for s in self.serials.values())
            self._forget(claims[-1].t)
        if not (self._any or self.flagged_tracks):
            return updates
        return [v for u in updates if (v := self._tag(u)) is not None]

    def _forget(self, t: float) -> None:
        """Drop unflagged serials silent for ``forget_s`` (a month of hobby flights must
        not grow the book without end); flagged ones are kept for the run."""
        if t - self._swept < self.config.forget_s / 10:
            return
        self._swept = t
        old = t - self.config.forget_s
        for k in [k for k, s in self.serials.items() if s.flag is None and s.last_t < old]:
            del self.serials[k]

    def reason(self, serial: str) -> str | None:
        """Why ``serial`` is flagged, or ``None``."""
        s = self.serials.get(serial)
        return None if s is None else s.flag

    # ------------------------------------------------------------------ claims

    def _claims(self, detections: Sequence[Detection]) -> list[Claim]:
        out = []
        for d in detections:
            if d.kind != SensorKind.REMOTE_ID or d.identity is None or d.position is None:
                continue
            serial = d.identity.rid_serial
            if not serial:
                continue
            p = d.position
            x, y, _ = self.frame.to_enu(p.lat, p.lon, p.alt_m)
            var = (
                DEFAULT_CLAIM_SIGMA_M**2
                if p.cov is None
                else 0.5 * (float(p.cov[0][0]) + float(p.cov[1][1]))
            )
            vx, vy = (math.nan, math.nan) if d.velocity is None else d.velocity[:2]
            vs = d.velocity_sigma if d.velocity_sigma is not None else 1.0
            ox = oy = None
            ident = d.identity
            if ident.operator_lat is not None and ident.operator_lon is not None:
                oxa, oya, _ = self.frame.to_enu(ident.operator_lat, ident.operator_lon, p.alt_m)
                ox, oy = float(oxa), float(oya)
            out.append(
                Claim(
                    d.t, serial, float(x), float(y), var, float(vx), float(vy), vs * vs,
                    ox, oy, _height_above_takeoff(d),
                )
            )  # fmt: skip
        return sorted(out, key=lambda c: (c.t, c.serial))

    def _check_claim(self, c: Claim) -> None:
        """The checks on the claims alone: format, two places, speed, operator."""
        cfg = self.config
        s = self.serials.get(c.serial)
        if s is None:
            s = self.serials[c.serial] = _Serial(first_t=c.t)
            problem = serial_problem(c.serial)
            if problem is not None:
                s.flag = f"{problem} (ANSI/CTA-2063-A)"
            h = c.height_above_takeoff_m
            if h is not None and h <= cfg.takeoff_max_height_m:
                s.takeoff = (c.x, c.y, c.var)
        while s.claims and s.claims[0].t < c.t - cfg.history_s:
            s.claims.popleft()
        if s.flag is None:
            self._two_places(s, c)
        if s.flag is None:
            self._speed(s, c)
        if s.flag is None:
            self._operator(s, c)
        s.claims.append(c)
        s.last_t = c.t

    def _two_places(self, s: _Serial, c: Claim) -> None:
        cfg = self.config
        q = s.two_places
        while q and q[0][0] < c.t - cfg.two_places_window_s:
            q.popleft()
        if not s.claims:
            return
        # Against the previous claim only: a GNSS jump breaks the chain once, two
        # broadcasters of one serial break it at every switch between them.
        p = s.claims[-1]
        dt = c.t - p.t
        d = math.hypot(c.x - p.x, c.y - p.y)
        allowed = cfg.max_speed_mps * dt + math.sqrt(CHI2_2D * (c.var + p.var))
        if d <= allowed:
            return
        q.append((c.t, f"{_km(d)} apart within {dt:.0f} s (at most {_km(allowed)} possible)"))
        span = q[-1][0] - q[0][0]
        if len(q) >= cfg.two_places_min and span >= cfg.two_places_span_s:
            s.flag = (
                f"serial {c.serial} claimed at two places at once: {q[-1][1]}, "
                f"{len(q)} times in {span:.0f} s (a small UAS flies at most "
                f"{cfg.max_speed_mps:.1f} m/s)"
            )

    def _speed(self, s: _Serial, c: Claim) -> None:
        cfg = self.config
        q = s.speed_fail
        while q and q[0][0] < c.t - cfg.speed_window_s:
            q.popleft()
        if not math.isfinite(c.vx) or s.two_places:
            return  # no velocity, or two broadcasters of one serial: not one path
        lo, hi = cfg.speed_baseline_s
        path = [p for p in s.claims if c.t - hi <= p.t and math.isfinite(p.vx)]
        if not path or c.t - path[0].t < lo:
            return
        path.append(c)
        t = np.array([p.t for p in path])
        dt = np.diff(t)
        keep = np.concatenate([[True], dt > 0])  # two receivers, one message: once
        t, path = t[keep], [p for p, k in zip(path, keep, strict=True) if k]
        dt = np.diff(t)
        v = np.array([[p.vx, p.vy] for p in path])
        moved_by_v = ((v[1:] + v[:-1]) * 0.5 * dt[:, None]).sum(axis=0)
        a, b = path[0], path[-1]
        moved = np.array([b.x - a.x, b.y - a.y])
        var = (
            a.var
            + b.var
            + float(np.sum(0.5 * dt**2 * (a.vvar + b.vvar) * 0.5))
            + float(np.sum((cfg.max_accel_mps2 * dt**2 / 8.0) ** 2))
        )
        d2 = float(np.sum((moved - moved_by_v) ** 2)) / var
        if d2 <= CHI2_2D:
            return
        span = float(t[-1] - t[0])
        claimed = float(np.hypot(*moved_by_v)) / span
        real = float(np.hypot(*moved)) / span
        gate = math.sqrt(CHI2_2D * var) / span
        q.append(
            (
                c.t,
                f"claimed speed {claimed:.1f} m/s but its claimed positions moved "
                f"{real:.1f} m/s over {span:.0f} s (gate {gate:.1f} m/s)",
            )
        )
        # Failures for longer than one baseline: a GNSS jump spoils the baselines
        # across it (for at most speed_baseline_s), a false speed spoils them all.
        if len(q) >= cfg.speed_min_failures and q[-1][0] - q[0][0] > hi:
            s.flag = f"{q[-1][1]}, {len(q)} times in {q[-1][0] - q[0][0]:.0f} s"

    def _operator(self, s: _Serial, c: Claim) -> None:
        if s.takeoff is None or c.op_x is None or c.op_y is None:
            return
        tx, ty, tvar = s.takeoff
        d = math.hypot(c.op_x - tx, c.op_y - ty)
        limit = self.config.operator_takeoff_max_m + math.sqrt(CHI2_2D * tvar)
        if d > limit:
            s.flag = (
                f"operator position {_km(d)} from the claimed take-off "
                f"(a pilot launches within {_km(self.config.operator_takeoff_max_m)})"
            )

    # ------------------------------------------------------------------ geometry

    def _radar_plots(self, detections: Sequence[Detection]) -> np.ndarray:
        """(m, 3) x, y, per-axis horizontal variance of this scan's radar plots."""
        rows = []
        for d in detections:
            if d.kind != SensorKind.RADAR or d.position is None:
                continue
            p = d.position
            x, y, _ = self.frame.to_enu(p.lat, p.lon, p.alt_m)
            var = (
                DEFAULT_RADAR_SIGMA_M**2
                if p.cov is None
                else max(float(p.cov[0][0]), float(p.cov[1][1]))
            )
            rows.append((float(x), float(y), var))
        return np.array(rows, dtype=float).reshape(-1, 3)

    def _check_geometry(self, c: Claim, radar: np.ndarray, updates: list[TrackUpdate]) -> None:
        """Claimed position against radar plots and the radar/RF tracks without Remote ID."""
        s = self.serials[c.serial]
        if c.serial in self._phantom_serials:
            return  # already known: the drone is elsewhere
        # Runs on serials already flagged too (say for their operator): a false
        # position must still be found, or its phantom track would fly on.
        cfg = self.config
        if radar.shape[0]:
            d2 = ((radar[:, 0] - c.x) ** 2 + (radar[:, 1] - c.y) ** 2) / (radar[:, 2] + c.var)
            if bool((d2 <= CHI2_2D).any()):
                s.supported_t = c.t
                s.twins.clear()  # radar sees a target where the claim says: no lie here
                return
        speed = math.hypot(c.vx, c.vy)
        if not math.isfinite(speed) or speed < cfg.twin_min_speed_mps:
            return  # hovering: any hovering thing would match; wait for motion
        seen = self._twins(c, s, updates)
        done = [k for k in seen if s.twins[k][0] >= cfg.twin_min_scans]
        if not done:
            return
        k = min(done, key=seen.__getitem__)
        n, _, _, t0 = s.twins[k]
        gate = math.sqrt(CHI2_2D * c.var)
        who = (
            f"radar/RF track {k} that flies"
            if len(seen) == 1
            else f"{len(seen)} radar/RF tracks that fly"
        )
        s.flag = s.flag or (
            f"claimed position {_km(seen[k])} from {who} with it (velocities agree, offset "
            f"steady, {n} scans over {c.t - t0:.0f} s) and no radar plot within the "
            f"99.9 % gate ({gate:.0f} m) of the claim"
        )
        self._phantom_serials.add(c.serial)
        if len(seen) == 1:  # the drone that lies, when nothing else flies with the claim
            self.flagged_tracks[k] = (
                f"its flight matches the Remote ID claims of serial {c.serial}, "
                f"broadcast {_km(seen[k])} away from it"
            )

    def _twins(self, c: Claim, s: _Serial, updates: list[TrackUpdate]) -> dict[str, float]:
        """Count the scans each candidate twin flies with claim ``c``; returns the
        candidates matching now (track -> distance); a miss restarts a candidate."""
        cfg = self.config
        seen: dict[str, float] = {}
        for u in updates:
            if not self._could_be_twin(u):
                continue
            x, y = u.state[0], u.state[1]
            off_x, off_y = x - c.x, y - c.y
            dist = math.hypot(off_x, off_y)
            pvar = _cov2(u, 0)
            if dist > cfg.twin_max_m or dist**2 <= CHI2_2D * (pvar + c.var):
                continue
            vvar = _cov2(u, 3) + c.vvar
            dv2 = ((u.velocity[0] - c.vx) ** 2 + (u.velocity[1] - c.vy) ** 2) / vvar
            if dv2 > CHI2_2D or math.hypot(u.velocity[0], u.velocity[1]) < cfg.twin_min_speed_mps:
                continue
            n, ox, oy, t0 = s.twins.get(u.track, (0, off_x, off_y, c.t))
            drift = math.hypot(off_x - ox, off_y - oy)
            if drift**2 > CHI2_2D * 2 * (pvar + c.var) + (cfg.twin_min_speed_mps * (c.t - t0)) ** 2:
                n, ox, oy, t0 = 0, off_x, off_y, c.t  # the offset moved: start again
            s.twins[u.track] = (n + 1, ox, oy, t0)
            seen[u.track] = dist
        for k in [k for k in s.twins if k not in seen]:
            del s.twins[k]  # a scan without the match breaks the run
        return seen

    def _could_be_twin(self, u: TrackUpdate) -> bool:
        """A live track from radar or RF that broadcasts no identity."""
        if u.identities or u.status.value == "ended" or len(u.state) < 6:
            return False
        return any(self._kind.get(n) in (SensorKind.RADAR, SensorKind.RF) for n in u.sensors)

    # ------------------------------------------------------------------ flags

    def _tag(self, u: TrackUpdate) -> TrackUpdate | None:
        """``u`` with the flag's evidence; a claim-only track of a serial the radar
        contradicts by place (a phantom: no drone is where it claims) is reported ENDED
        once, then no more, so no zone or border event rests on a false position."""
        if u.track in self._phantoms:
            return None
        why = self.flagged_tracks.get(u.track)
        if why is None:
            for ident in u.identities:
                s = self.serials.get(ident[4:]) if ident.startswith("rid:") else None
                if s is not None and s.flag is not None:
                    why = self.flagged_tracks[u.track] = s.flag
                    break
        if why is None:
            return u
        status = u.status
        if self._phantom(u):
            self._phantoms.add(u.track)
            status = TrackStatus.ENDED
            why += "; track ended: no drone where it claims to be"
        return replace(
            u,
            status=status,
            evidence=(*u.evidence, f"{FALSE_REMOTE_ID}: {why}"),
            corroboration=tuple(k for k in u.corroboration if k != "remote_id"),
        )

    def _phantom(self, u: TrackUpdate) -> bool:
        serials = {i[4:] for i in u.identities if i.startswith("rid:")}
        return bool(
            serials & self._phantom_serials
            and u.sensors
            and all(self._kind.get(n) == SensorKind.REMOTE_ID for n in u.sensors)
        )


def is_flagged(u: TrackUpdate) -> bool:
    """Whether the tracker flagged ``u``'s Remote ID as false (its evidence says so)."""
    return any(e.startswith(FALSE_REMOTE_ID + ":") for e in u.evidence)


def _height_above_takeoff(d: Detection) -> float | None:
    """F3411 Location message height, when its reference is the take-off point."""
    a = d.attrs
    h = a.get("height_above_takeoff_m")
    if h is None and a.get("height_reference") == "above_takeoff":
        h = a.get("height_m")
    try:
        return None if h is None else float(h)
    except (TypeError, ValueError):
        return None


def _cov2(u: TrackUpdate, k: int) -> float:
    """Mean per-axis horizontal variance of state components k, k+1 (position or velocity)."""
    if u.cov is None or len(u.cov) < k + 2:
        return DEFAULT_RADAR_SIGMA_M**2 if k == 0 else 4.0
    return 0.5 * (float(u.cov[k][k]) + float(u.cov[k + 1][k + 1]))


def _km(m: float) -> str:
    return f"{m / 1000:.1f} km" if m >= 1000 else f"{m:.0f} m"
