"""Incidents: the events of one track (or one group of drones), a severity and a lifecycle.

An incident opens with the first event about a drone; later events of the same track go
to it, and once a track is part of a reported group its events go to the group's
incident. Severity (1-5) follows the highest threat score seen, raised to at least 3 for
a safety hazard and 5 for an attack indicator (only ever set from explicit evidence).
The lifecycle is ``open`` -> ``acknowledged`` (an operator took it) -> ``resolved``
(by an operator, or automatically once its tracks are gone and its measures lifted for
``resolve_after_s``), by the one transition table of ``skywarden.lifecycle``: a change
it forbids raises :class:`~skywarden.lifecycle.InvalidTransition`, here as in the store.
Operators' actions reach the book through the running pipeline
(``pipeline.operators``); once an operator resolved an incident, the analyzer files
its tracks' later events and measures under a new incident, never the resolved one.
Every change is appended to the audit trail.
"""

from __future__ import annotations

import math

from skywarden.airspace.threat import ATTACK_INDICATOR, SAFETY_HAZARD, ThreatScore
from skywarden.errors import SkywardenError
from skywarden.lifecycle import OperatorAction, next_state
from skywarden.model import Event, Incident, IncidentState, Recommendation

_KIND_RANK = {"observation": 0, "incursion": 1, SAFETY_HAZARD: 2, ATTACK_INDICATOR: 3}


class UnknownIncident(SkywardenError, KeyError):
    """No incident with this id."""


class IncidentBook:
    def __init__(self, resolve_after_s: float = 300.0) -> None:
        self.resolve_after_s = resolve_after_s
        self.incidents: dict[str, Incident] = {}
        self.of_track: dict[str, str] = {}
        self.of_group: dict[str, str] = {}
        self.live_tracks: dict[str, set[str]] = {}
        self.active_measures: dict[str, set[str]] = {}
        self.quiet_since: dict[str, float] = {}
        self._changed: dict[str, Incident] = {}
        self._next = 1
        self.id_prefix = ""  # a store's run prefix: I3-00001 (skywarden.store.ids)

    def open(self, t: float, tracks: list[str], why: str) -> Incident:
        """A new open incident for ``tracks`` (the analyzer opens one for a drone that
        causes a measure before any event of its own)."""
        iid = f"I{self.id_prefix}{self._next:05d}"
        inc = Incident(id=iid, tracks=list(tracks), t_open=t, severity=1)
        self._next += 1
        inc.kind = "observation"
        inc.audit.append({"t": t, "what": "opened", "why": why})
        self.incidents[inc.id] = inc
        self.live_tracks[inc.id] = set(tracks)
        self.active_measures[inc.id] = set()
        for tr in tracks:
            self.of_track[tr] = inc.id
        return inc

    def incident_for(self, track: str) -> str | None:
        return self.of_track.get(track)

    def add_event(self, ev: Event, group: str | None = None) -> Incident:
        """File an event under its track's (or group's) incident, opening one if needed."""
        iid = self.of_group.get(group) if group else None
        iid = iid or self.of_track.get(ev.track)
        inc = self.incidents.get(iid) if iid else None
        if inc is None or inc.state == IncidentState.RESOLVED:
            inc = self.open(ev.t, [ev.track], f"first event: {ev.kind}")
        if ev.track not in inc.tracks:
            inc.tracks.append(ev.track)
            self.of_track[ev.track] = inc.id
        self.live_tracks[inc.id].add(ev.track)
        inc.events.append(ev)
        self._changed[inc.id] = inc
        return inc

    def add_group(self, ev: Event, group: str, members: list[str]) -> Incident:
        """A group formed: one incident for it, members' own incidents point there."""
        before = {m: self.of_track.get(m) for m in members}
        inc = self.open(ev.t, sorted(members), f"group of {len(members)} drones")
        self.of_group[group] = inc.id
        for m in members:
            old = before[m]
            if old and old != inc.id and old in self.incidents:
                self.incidents[old].audit.append({"t": ev.t, "what": f"merged into {inc.id}"})
                self._changed[old] = self.incidents[old]
            self.of_track[m] = inc.id
        inc.events.append(ev)
        self._changed[inc.id] = inc
        return inc

    def score(self, s: ThreatScore) -> None:
        """Raise severity/kind of the track's incident from its current threat score."""
        iid = self.of_track.get(s.track)
        if iid is None:
            return
        inc = self.incidents[iid]
        sev = max(1, min(5, math.ceil(s.score / 20.0)))
        if s.category == SAFETY_HAZARD:
            sev = max(sev, 3)
        if s.category == ATTACK_INDICATOR:
            sev = 5
        if _KIND_RANK.get(s.category, 0) > _KIND_RANK.get(inc.kind, 0):
            inc.audit.append({"t": s.t, "what": f"kind {inc.kind} -> {s.category}"})
            inc.kind = s.category
            self._changed[iid] = inc
        if sev > inc.severity:
            inc.audit.append({"t": s.t, "what": f"severity {inc.severity} -> {sev}"})
            inc.severity = sev
            self._changed[iid] = inc

    def recommend(self, rec: Recommendation) -> None:
        if rec.incident is None or rec.incident not in self.incidents:
            return
        inc = self.incidents[rec.incident]
        inc.recommendations.append(rec.id)
        mid = rec.id.split("/")[0]
        if rec.status in ("lifted", "expired", "escalated"):
            self.active_measures[inc.id].discard(mid)
        else:
            self.active_measures[inc.id].add(mid)
        inc.audit.append({"t": rec.t_issued, "what": f"{rec.status} {rec.action.value} {rec.id}"})
        self._changed[inc.id] = inc

    def track_gone(self, track: str, t: float) -> None:
        iid = self.of_track.get(track)
        if iid is None:
            return
        live = self.live_tracks.get(iid)
        if live is not None:
            live.discard(track)

    def acknowledge(self, iid: str, t: float, who: str) -> Incident:
        """open -> acknowledged; raises ``InvalidTransition`` from any other state."""
        return self._move(iid, t, who, OperatorAction.ACKNOWLEDGE, "acknowledged")

    def resolve(self, iid: str, t: float, who: str) -> Incident:
        """open or acknowledged -> resolved; raises ``InvalidTransition`` if resolved."""
        return self._move(iid, t, who, OperatorAction.RESOLVE, "resolved")

    def annotate(self, iid: str, t: float, who: str, what: str) -> Incident:
        """An operator's note or sharing change, kept in the audit trail (no new state)."""
        inc = self._get(iid)
        inc.audit.append({"t": t, "what": what, "by": who})
        return inc

    def _move(self, iid: str, t: float, who: str, action: OperatorAction, what: str) -> Incident:
        inc = self._get(iid)
        inc.state = next_state(iid, inc.state, action)
        inc.audit.append({"t": t, "what": what, "by": who})
        self._changed[iid] = inc
        return inc

    def _get(self, iid: str) -> Incident:
        try:
            return self.incidents[iid]
        except KeyError:
            raise UnknownIncident(iid) from None

    def tick(self, t: float) -> None:
        """Resolve incidents whose tracks are gone and measures lifted, after a quiet time."""
        for iid, inc in self.incidents.items():
            if inc.state == IncidentState.RESOLVED:
                continue
            quiet = not self.live_tracks[iid] and not self.active_measures[iid]
            if not quiet:
                self.quiet_since.pop(iid, None)
                continue
            since = self.quiet_since.setdefault(iid, t)
            if t - since >= self.resolve_after_s:
                self.resolve(iid, t, "skywarden: tracks gone, measures lifted")

    def changed(self) -> list[Incident]:
        out = list(self._changed.values())
        self._changed.clear()
        return out
