# size: the Analyzer class is ~520 lines of one stateful stage's step methods (causes in .causes)
"""The airspace stage: track updates in; events, explained scores, incidents and measures out.

:class:`Analyzer` is incremental: the live service calls :meth:`Analyzer.step` once per
second with that second's :class:`~skywarden.model.TrackUpdate` records, replay calls it
for every scan of a ``tracks.jsonl`` file, and both get the same results. Each step
runs every detector over all tracks as arrays (zones, border, loiter, drop, group,
closing), scores every drone, files events into incidents, states the causes for
measures and lets the :class:`~.response.Responder` turn them into recommendations.

Which tracks count: manned aircraft (p_manned >= ``subjects.max_p_manned``) and birds
are what we protect or ignore; events, scores and measures are made for tracks whose
drone probability has reached ``subjects.min_p_drone`` (and not since fallen below
``subjects.keep_p_drone``). The border and zone detectors watch every track that is not
manned from its first update; a crossing or zone entry is reported when its track is a
subject and confident (:mod:`.event_gate`), stamped with the time and place it happened,
so a smuggler that crosses before it is classed drone still has its crossing.

The situations that call for measures are :mod:`.rules` objects applied in order.
Measures that stop traffic pass the :mod:`~.evidence` gate: a runway hazard whose track
is not corroborated (nor persistent) becomes ``verify`` for that track. Measures at an
airport of another country than ``AnalyzerConfig.country`` become
``notify_foreign_authority`` (:mod:`~.jurisdiction`). Every cause states the confidence
and the evidence it rests on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from shapely.geometry.base import BaseGeometry

from skywarden.airspace.border import BorderCrossingDetector, Crossing, orient_us_left
from skywarden.airspace.causes import CauseCollector
from skywarden.airspace.closing import Closing, ClosingDetector, paths_from_zones
from skywarden.airspace.drop import DropDetector
from skywarden.airspace.event_gate import EventGate, EventGateConfig
from skywarden.airspace.evidence import EvidenceGate
from skywarden.airspace.group import GroupDetector
from skywarden.airspace.incidents import IncidentBook
from skywarden.airspace.jurisdiction import Jurisdictions
from skywarden.airspace.loiter import LoiterDetector
from skywarden.airspace.policy import Policy
from skywarden.airspace.response import Cause, Responder
from skywarden.airspace.rules import CORRIDORS, Rule, StepView, rules_for
from skywarden.airspace.threat import (
    FactorInputs,
    ThreatScore,
    categories,
    explain,
    factor_values,
    weight_vector,
)
from skywarden.airspace.track_table import Batch, TrackTable
from skywarden.airspace.zone_index import ZoneIndex
from skywarden.airspace.zone_watch import ZoneWatcher
from skywarden.airspace.zones import border_enu
from skywarden.geo import FT_PER_M, M_PER_NM, LocalFrame
from skywarden.model import Action, Event, Incident, Recommendation, TrackUpdate, Zone

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

_CORRIDORS = CORRIDORS


@dataclass(frozen=True)
class AnalyzerConfig:
    """Detector settings (the response thresholds live in the policy YAML)."""

    extent_m: float = 100_000.0
    crossing_hysteresis_m: float = 40.0
    zone_exit_hold_s: float = 5.0
    zone_margin_m: float = 50.0
    loiter_radius_m: float = 150.0
    loiter_min_s: float = 120.0
    group_radius_m: float = 300.0
    group_min_s: float = 10.0
    stale_after_s: float = 30.0
    resolve_after_s: float = 300.0
    ground_elev_m: float | None = None  # default: the frame origin's altitude
    # The sector's own country (ISO 3166 alpha-2): airports of any other country get
    # notify_foreign_authority, never a pause or a TFR.
    country: str = "US"
    # When an observed crossing or zone entry is reported (see airspace/event_gate.py).
    events: EventGateConfig = field(default_factory=EventGateConfig)


@dataclass
class AnalysisStep:
    """What one step produced: new events, new or changed incidents and recommendations."""

    t: float
    events: list[Event] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    scores: dict[str, ThreatScore] = field(default_factory=dict)


def _border_detector(
    frame: LocalFrame, border: BaseGeometry | None, config: AnalyzerConfig
) -> BorderCrossingDetector | None:
    """The crossing detector of ``border`` in ``frame``, or None with no border in reach."""
    local = (
        border_enu(frame, orient_us_left(border), config.extent_m) if border is not None else None
    )
    return (
        BorderCrossingDetector(local, config.crossing_hysteresis_m, config.extent_m)
        if local is not None and not local.is_empty
        else None
    )


class Analyzer:
    """Incremental airspace analysis of one sector (see module docstring)."""

    def __init__(
        self,
        frame: LocalFrame,
        zones: Sequence[Zone],
        border: BaseGeometry | None,
        policy: Policy,
        config: AnalyzerConfig = AnalyzerConfig(),
        index: ZoneIndex | None = None,
        *,
        id_prefix: str = "",
        rules: Sequence[Rule] | None = None,
    ) -> None:
        """``index`` may pass a ready :class:`ZoneIndex` of the same frame and zones (it
        takes about a second to build for a sector, so services and tests share one).
        ``id_prefix`` goes after the letter of every incident and measure id minted
        (``I3-00001``, ``M3-0001``): a store's run prefix (skywarden.store.ids).
        ``rules`` are the situations that call for measures, applied in order
        (:mod:`.rules`; default: those the policy's ``rules`` list selects)."""
        self.frame = frame
        self.policy = policy
        self.config = config
        self.ground_m = frame.alt0_m if config.ground_elev_m is None else config.ground_elev_m
        self.zindex = index if index is not None else ZoneIndex(frame, zones)
        self.zone_kind = [z.kind for z in self.zindex.zones]
        # per zone: a corridor (the zones are fixed, so worked out once, not per scan)
        self.corridor_zone = np.array([k in _CORRIDORS for k in self.zone_kind], dtype=bool)
        self.table = TrackTable(frame)
        self.watch = ZoneWatcher(len(self.zindex), config.zone_exit_hold_s)
        self.border = _border_detector(frame, border, config)
        self.loiter = LoiterDetector(config.loiter_radius_m, config.loiter_min_s)
        self.drop = DropDetector(ground_m=self.ground_m)
        self.group = GroupDetector(
            radius_m=config.group_radius_m, min_duration_s=config.group_min_s
        )
        self.paths, self.path_zone = paths_from_zones(self.zindex.zones, frame)
        trig = policy.triggers
        self.closing = ClosingDetector(
            self.paths, distance_m=trig.closing_cpa_m, horizon_s=trig.closing_horizon_s
        )
        self.path_airport = np.array([p.airport for p in self.paths], dtype=object)
        self.responder = Responder(policy)
        self.rules = tuple(rules_for(policy.rules) if rules is None else rules)
        self.gate = EvidenceGate(policy.evidence)
        self.event_gate = EventGate(config.events)
        self.juris = Jurisdictions(config.country, policy.jurisdiction)
        self.book = IncidentBook(config.resolve_after_s)
        self.book.id_prefix = self.responder.id_prefix = id_prefix
        self.weights = weight_vector(policy.scoring)
        self.last_cross = np.zeros(0)
        self.last_behaviour = np.zeros(0)
        self.behaviour_strength = np.zeros(0)
        self.is_subject = np.zeros(0, dtype=bool)
        self.pause_since: dict[str, float] = {}
        self._t = 0.0

    # ------------------------------------------------------------------ public API

    def step(self, t: float, updates: Sequence[TrackUpdate]) -> AnalysisStep:
        """Analyse one scan of updates at time ``t`` (call once per second in live use)."""
        out = AnalysisStep(t)
        self._t = t
        full = self.table.ingest(updates)
        subj = self.policy.subjects
        self._grow(len(self.table.ids))
        subject = self._subjects(full)
        # The border and zone detectors watch every track that is not manned, from its
        # first update; the event gate reports what they saw once the track is confident.
        watched = full.p_manned < subj.max_p_manned
        o = full if watched.all() else full.subset(watched)
        subject_o = subject[watched]
        ready = subject_o & self.event_gate.confident(o, self._corroborated(o))
        b = o.subset(subject_o) if not subject_o.all() else o
        events: list[tuple[Event, str | None]] = []
        pi_o, zi_o = self.zindex.memberships(o.x, o.y, o.alt)
        events += self._zone_events(o, pi_o, zi_o, ready)
        events += self._crossings(o, ready)
        # The subjects' memberships, renumbered into b.
        to_b = np.cumsum(subject_o) - 1
        in_b = subject_o[pi_o]
        pi, zi = to_b[pi_o[in_b]].astype(np.intp), zi_o[in_b]
        events += self._behaviours(b)
        closings, d_now, d_cpa, t_cpa = self.closing.step(b)
        events += self._closing_events(b, closings)
        out.events = self._file_events(events)
        scores = self._score(t, b, pi, zi, d_now, d_cpa, t_cpa)
        out.scores = {s.track: s for s in scores}
        for s in scores:
            self.book.score(s)
        causes = self._causes(t, b, pi, zi, d_now, d_cpa, t_cpa)
        for rec in self.responder.step(t, causes):
            self.book.recommend(rec)
            out.recommendations.append(rec)
        self._retire(t, full)
        self.book.tick(t)
        out.incidents = self.book.changed()
        return out

    def _subjects(self, full: Batch) -> npt.NDArray[np.bool_]:
        """Which of ``full``'s tracks are subjects now (and remember it for the next scan).

        A track becomes a subject at min_p_drone and stays one down to keep_p_drone, so
        a bird whose drone probability flickers does not, but a drone does not drop out."""
        subj = self.policy.subjects
        was = self.is_subject[full.rows]
        subject = (
            (full.p_manned < subj.max_p_manned)
            & (full.p_bird < 0.5)
            & ((full.p_drone >= subj.min_p_drone) | (was & (full.p_drone >= subj.keep_p_drone)))
        )
        self.is_subject[full.rows] = subject
        return subject

    def _closing_events(
        self, b: Batch, closings: Sequence[Closing]
    ) -> list[tuple[Event, str | None]]:
        """One ``closing`` event per subject closing on an approach or departure path."""
        events: list[tuple[Event, str | None]] = []
        for c in closings:
            p = self.paths[c.path]
            k = int((b.rows == c.row).nonzero()[0][0])
            events.append(
                (
                    self._event(
                        "closing",
                        b,
                        k,
                        path=p.name,
                        path_kind=p.kind,
                        airport=p.airport,
                        runway_end=p.runway_end,
                        d_now_m=round(c.d_now_m, 1),
                        d_cpa_m=round(c.d_cpa_m, 1),
                        t_cpa_s=round(c.t_cpa_s, 1),
                    ),
                    None,
                )
            )
        return events

    def _file_events(self, events: list[tuple[Event, str | None]]) -> list[Event]:
        """File the scan's events in the incident book in time order; return them."""
        events.sort(key=lambda e: e[0].t)
        for ev, group in events:
            if ev.kind == "group":
                self.book.add_group(ev, group or "", list(ev.attrs["members"]))
            else:
                self.book.add_event(ev, self.group.group_of(ev.track))
        return [e for e, _ in events]

    def finish(self, t: float) -> AnalysisStep:
        """End of input: lift every measure, let incidents resolve; return what changed."""
        out = AnalysisStep(t)
        for rec in self.responder.finish(t):
            self.book.recommend(rec)
            out.recommendations.append(rec)
        rows = np.array([r for r, tid in enumerate(self.table.ids) if tid is not None], np.intp)
        for tid in self.table.release(rows):
            self.book.track_gone(tid, t)
        self.book.tick(t)
        self.book.tick(t + self.config.resolve_after_s)
        out.incidents = self.book.changed()
        return out

    def acknowledge(self, incident: str, t: float, who: str) -> Incident:
        return self.book.acknowledge(incident, t, who)

    def resolve(self, incident: str, t: float, who: str) -> Incident:
        resolved = self.book.resolve(incident, t, who)
        self.responder.incident_resolved(incident)
        return resolved

    def annotate(self, incident: str, t: float, who: str, what: str) -> Incident:
        """An operator's note or sharing change, into the incident's audit trail."""
        return self.book.annotate(incident, t, who, what)

    @property
    def incidents(self) -> list[Incident]:
        return list(self.book.incidents.values())

    # ------------------------------------------------------------------ internals

    def _grow(self, n: int) -> None:
        if n > len(self.last_cross):
            extra = max(n, 2 * len(self.last_cross), 64) - len(self.last_cross)
            self.last_cross = np.concatenate([self.last_cross, np.full(extra, -np.inf)])
            self.last_behaviour = np.concatenate([self.last_behaviour, np.full(extra, -np.inf)])
            self.behaviour_strength = np.concatenate([self.behaviour_strength, np.zeros(extra)])
            self.is_subject = np.concatenate([self.is_subject, np.zeros(extra, dtype=bool)])
        self.gate.grow(n)

    def _event(self, kind: str, b: Batch, k: int, **attrs: object) -> Event:
        return Event(
            kind,
            float(b.t[k]),
            b.updates[k].track,
            float(b.lat[k]),
            float(b.lon[k]),
            float(b.alt[k]),
            attrs,
        )

    def _event_at(
        self, kind: str, track: str, t: float, x: float, y: float, alt: float, **attrs: object
    ) -> Event:
        lat, lon, _ = self.frame.to_geodetic(x, y, 0.0)
        return Event(kind, t, track, float(lat), float(lon), float(alt), attrs)

    def _corroborated(self, b: Batch) -> npt.NDArray[np.bool_]:
        """Remote ID, or the policy's number of independent kinds of drone evidence."""
        count = self.gate.n_counting  # the gate's counting kinds: the same policy
        n = np.array([count(tuple(u.corroboration)) for u in b.updates], dtype=np.intp)
        return b.has_rid | (n >= self.policy.evidence.min_kinds)

    def _zone_events(
        self, b: Batch, pi: IntArray, zi: IntArray, ready: npt.NDArray[np.bool_]
    ) -> list[tuple[Event, str | None]]:
        out: list[tuple[Event, str | None]] = []
        margin = self.config.zone_margin_m

        def near(k: IntArray, z: IntArray) -> np.ndarray:
            return self.zindex.near(z, b.x[k], b.y[k], b.alt[k], margin)

        seen = self.watch.step(b, pi, zi, near if margin > 0 else None)
        t_now = b.t_max if len(b) else self._t
        for tr in self.event_gate.zones_step(seen, b.rows, ready, t_now):
            z = self.zindex.zones[tr.zone]
            attrs: dict[str, object] = {
                "zone": z.id,
                "zone_kind": str(z.kind),
                "owner": z.owner,
                "zone_name": z.name,
            }
            if tr.kind == "entry" and t_now - tr.t >= 1.0:
                attrs["reported_after_s"] = round(t_now - tr.t, 1)
            ev = Event(
                f"zone_{tr.kind}",
                tr.t,
                self.table.ids[tr.row] or "",
                tr.lat,
                tr.lon,
                tr.alt_m,
                attrs,
            )
            out.append((ev, None))
        return out

    def _crossings(self, b: Batch, ready: npt.NDArray[np.bool_]) -> list[tuple[Event, str | None]]:
        if self.border is None or len(b) == 0:
            return []
        seen: list[Crossing] = self.border.step(b.rows, b.prev, b.cur)
        t_now = b.t_max
        out: list[tuple[Event, str | None]] = []
        for c in self.event_gate.crossings_step(seen, b.rows, ready, t_now):
            self.last_cross[c.row] = max(self.last_cross[c.row], c.t)
            tid = self.table.ids[c.row] or ""
            extra: dict[str, object] = {}
            if t_now - c.t >= 1.0:
                extra["reported_after_s"] = round(t_now - c.t, 1)
            out.append(
                (
                    self._event_at(
                        "border_crossing",
                        tid,
                        c.t,
                        c.x,
                        c.y,
                        c.alt_m,
                        direction=c.direction_name,
                        category="incursion",
                        **extra,
                    ),
                    None,
                )
            )
        return out

    def _behaviours(self, b: Batch) -> list[tuple[Event, str | None]]:
        out: list[tuple[Event, str | None]] = []
        for lo in self.loiter.step(b):
            tid = self.table.ids[lo.row] or ""
            self._behave(lo.row, lo.t, 0.5)
            ev = self._event_at(
                "loiter",
                tid,
                lo.t,
                lo.x,
                lo.y,
                lo.alt_m,
                duration_s=round(float(lo.t - lo.since), 1),
                radius_m=self.config.loiter_radius_m,
            )
            out.append((ev, None))
        for d in self.drop.step(b):
            tid = self.table.ids[d.row] or ""
            self._behave(d.row, d.t_detected, 1.0)
            ev = self._event_at(
                "drop", tid, d.t, d.x, d.y, d.alt_m, signature=d.signature, size=round(d.depth_m, 1)
            )
            out.append((ev, None))
        ids = [tid or "" for tid in self.table.ids]
        for g in self.group.step(b, ids, b.t_max if len(b) else self._t):
            members = sorted(g.members)
            for m in members:
                r = self.table.row_of.get(m)
                if r is not None:
                    self._behave(r, g.t, 1.0)
            ev = self._event_at(
                "group",
                members[0],
                g.t,
                g.x,
                g.y,
                g.alt_m,
                group=g.id,
                members=members,
                size=len(members),
            )
            out.append((ev, g.id))
        return out

    def _behave(self, row: int, t: float, strength: float) -> None:
        if t - self.last_behaviour[row] > self.policy.scoring.memory_s:
            self.behaviour_strength[row] = 0.0
        self.last_behaviour[row] = t
        self.behaviour_strength[row] = max(self.behaviour_strength[row], strength)

    def _in_corridor(self, n: int, pi: IntArray, zi: IntArray) -> npt.NDArray[np.bool_]:
        inside = np.zeros(n, dtype=bool)
        if len(pi):
            inside[pi[self.corridor_zone[zi]]] = True
        return inside

    def _score(
        self,
        t: float,
        b: Batch,
        pi: IntArray,
        zi: IntArray,
        d_now: FloatArray,
        d_cpa: FloatArray,
        t_cpa: FloatArray,
    ) -> list[ThreatScore]:
        n = len(b)
        if n == 0:
            return []
        horizon = self.policy.triggers.closing_horizon_s
        if d_now.shape[1]:
            path_d = d_now.min(axis=1)
            closing = (d_cpa <= self.policy.triggers.closing_cpa_m) & (t_cpa > 0) & (d_cpa < d_now)
            strength = np.where(closing, 1.0 - t_cpa / horizon, 0.0).max(axis=1)
        else:
            path_d = np.full(n, np.inf)
            strength = np.zeros(n)
        memory = self.policy.scoring.memory_s
        recent_b = b.t - self.last_behaviour[b.rows] <= memory
        inp = FactorInputs(
            p_drone=b.p_drone,
            path_distance_m=path_d,
            closing_strength=strength,
            in_corridor=self._in_corridor(n, pi, zi),
            height_agl_m=b.alt - self.ground_m,
            behaviour=np.where(recent_b, self.behaviour_strength[b.rows], 0.0),
            has_rid=b.has_rid,
            false_rid=b.false_rid,
            crossed_recently=b.t - self.last_cross[b.rows] <= memory,
        )
        values = factor_values(inp, self.policy.scoring)
        attack = np.fromiter(
            (any(e.startswith("attack:") for e in u.evidence) for u in b.updates), bool, n
        )
        cats = categories(values, inp.in_corridor, attack)
        return explain([u.track for u in b.updates], b.t, values, self.weights, cats, inp)

    def open_incident(self, track: str, t: float, why: str) -> str:
        """The track's open incident, or a new one opened for ``why``."""
        iid = self.book.incident_for(track)
        if iid is None or self.book.incidents[iid].state.value == "resolved":
            iid = self.book.open(t, [track], why).id
        return iid

    def _causes(
        self,
        t: float,
        b: Batch,
        pi: IntArray,
        zi: IntArray,
        d_now: FloatArray,
        d_cpa: FloatArray,
        t_cpa: FloatArray,
    ) -> list[Cause]:
        """This step's causes, one per measure (action, where), naming a few of its drones."""
        drone = np.ones(len(b), dtype=bool)  # b holds subjects only (see step)
        acc = CauseCollector(t, b, self.juris, self.book, self.open_incident, self.policy.evidence)
        ids = [u.track for u in b.updates]
        view = StepView(
            t,
            b,
            pi,
            zi,
            d_now,
            d_cpa,
            t_cpa,
            self.last_cross,
            self.zindex,
            self.paths,
            self.path_zone,
            self.path_airport,
            self.policy,
        )
        for rule in self.rules:
            rule.apply(view, acc)
        acc.resolve(self.gate.step(t, b, acc.hazard))
        causes = acc.causes()
        causes += self._escalations(t, acc)
        # Incidents of drones with no other cause: monitor.
        for k in drone.nonzero()[0]:
            track = ids[k]
            if track in acc.caused:
                continue
            iid = self.book.incident_for(track)
            if iid and self.book.incidents[iid].state.value != "resolved":
                conf, ev, _ = acc.rests_on([int(k)])
                causes.append(
                    Cause(
                        Action.MONITOR,
                        iid,
                        (),
                        (f"watch drone {track}",),
                        iid,
                        (track,),
                        confidence=conf,
                        evidence=ev,
                    )
                )
        return causes

    def _escalations(self, t: float, acc: CauseCollector) -> list[Cause]:
        """Pause all / TFR for several verified drones at once or a persistent hazard."""
        pol = self.policy
        hazards = acc.hazards  # verified drones only (see CauseCollector.resolve)
        out: list[Cause] = []
        for ap in list(self.pause_since):
            if ap not in hazards and t - self.pause_since[ap] > 0:
                # The hazard must persist continuously; a gap restarts the clock.
                del self.pause_since[ap]
        for ap, drones in hazards.items():
            since = self.pause_since.setdefault(ap, t)
            tracks = tuple(sorted(drones))
            iid = self.book.incident_for(tracks[0])
            conf, ev, line = acc.rests_on([acc.k_of[tr] for tr in tracks])
            if len(drones) >= pol.triggers.several_drones:
                out.append(
                    Cause(
                        Action.PAUSE_ALL,
                        ap,
                        (),
                        (f"{len(drones)} drones threaten {ap} runways at once", line),
                        iid,
                        tracks,
                        confidence=conf,
                        evidence=ev,
                    )
                )
            persisted = t - since >= pol.triggers.persistence_min * 60.0
            several = len(drones) >= pol.triggers.several_drones
            if persisted or several:
                why = (
                    f"hazard at {ap} has persisted {(t - since) / 60:.0f} min"
                    if persisted
                    else f"{len(drones)} drones at {ap}"
                )
                out.append(
                    Cause(
                        Action.TFR,
                        ap,
                        (),
                        (why, line),
                        iid,
                        tracks,
                        self._tfr(drones),
                        confidence=conf,
                        evidence=ev,
                    )
                )
        return out

    def _tfr(self, drones: dict[str, tuple[float, float, float]]) -> dict[str, object]:
        spec = self.policy.measures.tfr
        xyz = np.array(list(drones.values()))
        cx, cy = float(xyz[:, 0].mean()), float(xyz[:, 1].mean())
        reach_nm = float(np.hypot(xyz[:, 0] - cx, xyz[:, 1] - cy).max()) / M_PER_NM
        radius = min(max(reach_nm + spec.margin_nm, spec.min_radius_nm), spec.max_radius_nm)
        radius = math.ceil(radius * 2.0) / 2.0
        top_ft_agl = (float(xyz[:, 2].max()) - self.ground_m) * FT_PER_M + spec.ceiling_margin_ft
        ceiling_ft_agl = min(math.ceil(top_ft_agl / 100.0) * 100.0, spec.max_ceiling_ft_agl)
        lat, lon, _ = self.frame.to_geodetic(cx, cy, 0.0)
        return {
            "centre_lat": round(float(lat), 5),
            "centre_lon": round(float(lon), 5),
            "radius_nm": radius,
            "floor": "SFC",
            "ceiling_ft_msl": round(self.ground_m * FT_PER_M + ceiling_ft_agl, -2),
            "ceiling_ft_agl": ceiling_ft_agl,
        }

    def _retire(self, t: float, full: Batch) -> None:
        ended = full.rows[full.ended]
        stale = self.table.stale(t, self.config.stale_after_s)
        if len(ended) == 0 and len(stale) == 0:  # the usual scan
            return
        gone = np.union1d(ended, stale).astype(np.intp)
        for det in (self.watch, self.loiter, self.drop, self.closing):
            det.forget(gone)
        if self.border is not None:
            self.border.forget(gone)
        self.last_cross[gone] = -np.inf
        self.last_behaviour[gone] = -np.inf
        self.behaviour_strength[gone] = 0.0
        self.is_subject[gone] = False
        self.gate.forget(gone)
        self.event_gate.forget(gone)
        for tid in self.table.release(gone):
            self.book.track_gone(tid, t)
