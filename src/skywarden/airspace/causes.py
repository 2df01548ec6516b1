"""Gathering one analysis step's causes per measure (see :class:`CauseCollector`).

Split out of :mod:`.analyzer`, which builds one per step and hands it to the
:mod:`.rules`; the behaviour is the analyzer's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from skywarden.airspace.evidence import Verdicts, describe
from skywarden.airspace.incidents import IncidentBook
from skywarden.airspace.jurisdiction import Jurisdictions
from skywarden.airspace.policy import Evidence
from skywarden.airspace.response import RESTRICTING, Cause
from skywarden.airspace.track_table import Batch
from skywarden.model import Action

IntArray = npt.NDArray[np.intp]


@dataclass
class _Gathered:
    action: Action
    incident: str | None
    tracks: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    ks: list[int] = field(default_factory=list)
    stands_for: set[str] = field(default_factory=set)  # measures it replaces (foreign)


_Key = tuple[str, str, tuple[str, ...], str]
_TO_FOREIGN = RESTRICTING | {Action.NOTIFY}


class CauseCollector:
    """Gathers this step's causes per measure; names at most ``named`` drones per measure.

    The :mod:`.rules` add to it (it is their :class:`~.rules.CauseSink`); it is given what
    it needs (jurisdictions, incident book, a way to open an incident, the evidence spec)
    rather than the analyzer.

    Reasons are built lazily so 10,000 drones near an airport cost one string each for
    the first few, not one per drone per path. Restricting causes wait for the evidence
    gate (:meth:`resolve`): a verified track's go through, the others become a
    verification of that track. A cause at a foreign airport becomes a notification of
    its country's authority at once.
    """

    named = 3

    def __init__(
        self,
        t: float,
        b: Batch,
        juris: Jurisdictions,
        book: IncidentBook,
        open_incident: Callable[[str, float, str], str],
        evidence: Evidence,
    ) -> None:
        self.juris = juris
        self.book = book
        self.open_incident = open_incident
        self.evidence = evidence
        self.t = t
        self.b = b
        self.by_key: dict[_Key, _Gathered] = {}
        self.seen: set[tuple[_Key, int]] = set()
        self.caused: set[str] = set()
        self.hazards: dict[str, dict[str, tuple[float, float, float]]] = {}
        self.hazard = np.zeros(len(b), dtype=bool)
        self.pending: list[tuple[Action, str, int, Callable[[], str], tuple[str, ...]]] = []
        self.k_of = {u.track: k for k, u in enumerate(b.updates)}
        self.v: Verdicts | None = None

    def add(
        self,
        action: Action,
        scope: str,
        k: int,
        why: Callable[[], str],
        runways: tuple[str, ...] = (),
    ) -> None:
        if action in _TO_FOREIGN and self.juris.foreign(scope):
            self._add(Action.NOTIFY_FOREIGN, scope, k, why)
            if action in RESTRICTING:
                entry = self.by_key[(Action.NOTIFY_FOREIGN.value, scope, (), "")]
                entry.stands_for.add(" ".join((action.value, *runways)))
        elif action in RESTRICTING:
            self.pending.append((action, scope, k, why, runways))
            self.hazard[k] = True
        else:
            self._add(action, scope, k, why, runways)

    def resolve(self, v: Verdicts) -> None:
        """Apply the gate's verdicts to the waiting restricting causes."""
        self.v = v
        for action, scope, k, why, runways in self.pending:
            if v.verified[k]:
                self._add(action, scope, k, why, runways)
            else:
                self._add(Action.VERIFY, scope, k, why, subject=self.b.updates[k].track)
        self.pending = []

    def _add(
        self,
        action: Action,
        scope: str,
        k: int,
        why: Callable[[], str],
        runways: tuple[str, ...] = (),
        subject: str = "",
    ) -> None:
        key = (action.value, scope, runways, subject)
        if (key, k) in self.seen:
            return
        self.seen.add((key, k))
        track = self.b.updates[k].track
        self.caused.add(track)
        entry = self.by_key.get(key)
        if entry is None:
            entry = _Gathered(action, self.open_incident(track, self.t, why()))
            self.by_key[key] = entry
        elif self.book.incident_for(track) is None:
            self.open_incident(track, self.t, f"{action.value} {scope}")
        entry.tracks.append(track)
        entry.ks.append(k)
        if len(entry.reasons) < self.named:
            entry.reasons.append(why())
        if action in RESTRICTING:
            b = self.b
            self.hazards.setdefault(scope, {})[track] = (
                float(b.x[k]),
                float(b.y[k]),
                float(b.alt[k]),
            )

    def add_many(
        self,
        action: Action,
        scope: str,
        ks: IntArray,
        why: Callable[[int], str],
        runways: tuple[str, ...] = (),
    ) -> None:
        """The same measure for many drones at once (notifications): no per-drone reasons."""
        if len(ks) == 0:  # the usual case: nothing to add, no jurisdiction to look up
            return
        if action in _TO_FOREIGN and self.juris.foreign(scope):
            action = Action.NOTIFY_FOREIGN
        key = (action.value, scope, runways, "")
        fresh = [int(k) for k in ks if (key, int(k)) not in self.seen]
        if not fresh:
            return
        self.seen.update((key, k) for k in fresh)
        tracks = [self.b.updates[k].track for k in fresh]
        self.caused.update(tracks)
        entry = self.by_key.get(key)
        if entry is None:
            entry = _Gathered(action, self.open_incident(tracks[0], self.t, why(fresh[0])))
            self.by_key[key] = entry
        book = self.book
        for tr in tracks:
            if book.incident_for(tr) is None:
                self.open_incident(tr, self.t, f"{action.value} {scope}")
        entry.tracks += tracks
        entry.ks += fresh
        for k in fresh[: max(0, self.named - len(entry.reasons))]:
            entry.reasons.append(why(k))

    def rests_on(
        self, ks: list[int], gate_note: bool = False
    ) -> tuple[float, tuple[str, ...], str]:
        """Confidence (the highest drone probability), evidence (every kind, in order)
        and a line in words about the most drone-like of tracks ``ks``."""
        v = self.v
        assert v is not None, "resolve() before rests_on()"
        p = self.b.p_drone
        if len(ks) == 1:  # the usual case (a monitored drone): the same answer, cheaper
            k = ks[0]
            line = describe(v, k, float(p[k]), self.evidence, gate_note)
            return float(p[k]), tuple(v.evidence(k)), line
        top = max(ks, key=lambda k: (bool(v.verified[k]), float(p[k])))
        ev: list[str] = []
        for k in ks:
            ev += [e for e in v.evidence(k) if e not in ev]
        line = describe(v, top, float(p[top]), self.evidence, gate_note)
        return float(p[ks].max()), tuple(ev), line

    def causes(self) -> list[Cause]:
        out = []
        for (_, scope, runways, subject), e in self.by_key.items():
            reasons = list(e.reasons)
            if len(e.tracks) > self.named:
                reasons.append(f"{len(e.tracks)} drones in all")
            if e.action == Action.NOTIFY_FOREIGN:
                country = self.juris.country_of(scope)
                who = self.juris.authority(country)
                reasons.insert(
                    0,
                    f"notify {who} about {scope} ({country}): its runways are not ours to pause",
                )
                if e.stands_for:
                    hazard = ", ".join(sorted(e.stands_for))
                    reasons.insert(1, f"a hazard to {scope} runways ({hazard})")
            conf, ev, line = self.rests_on(e.ks, gate_note=e.action == Action.VERIFY)
            reasons.append(line)
            out.append(
                Cause(
                    e.action,
                    scope,
                    runways,
                    tuple(reasons),
                    e.incident,
                    tuple(e.tracks),
                    subject=subject,
                    confidence=conf,
                    evidence=ev,
                )
            )
        return out
