"""Measures over time: issue, re-evaluate, renew, lift automatically, never open-ended.

The analyzer states each step's *causes* (this drone is in the arrival corridor of 22,
that one crossed the border); :class:`Responder` turns them into
:class:`~skywarden.model.Recommendation` versions with the lifetimes of the policy:

- a cause without an active measure issues one (``status="active"``), valid for
  ``duration_min`` with a re-evaluation after ``reevaluate_min``;
- at re-evaluation, a cause seen since the last look renews it (``"renewed"``: a new
  expiry and re-evaluation time, and the reasons as they stand now);
- once its cause has been absent for ``lift_after_absent_min`` it is ``"lifted"``;
- a measure reaching its expiry without a renewal is ``"expired"``.

Every version has its own id (``M0003/2``) so an incident keeps the whole chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from skywarden.airspace.policy import Policy
from skywarden.model import Action, Recommendation

MeasureKey = tuple[str, str, tuple[str, ...]]


@dataclass(frozen=True)
class Cause:
    """Why a measure is wanted now: action, where (airport/audience, runways) and reasons."""

    action: Action
    scope: str  # airport ICAO, or an audience such as "border security"
    runways: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    incident: str | None = None
    tracks: tuple[str, ...] = ()
    tfr: dict[str, Any] | None = None

    @property
    def key(self) -> MeasureKey:
        return (self.action.value, self.scope, self.runways)


@dataclass
class ActiveMeasure:
    id: str
    cause: Cause
    t_first: float
    last_cause_t: float
    cause_since_review: bool
    current: Recommendation
    version: int = 1
    incidents: set[str] = field(default_factory=set)


class Responder:
    """Keeps the active measures and produces recommendation versions as they change."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.active: dict[MeasureKey, ActiveMeasure] = {}
        self._next = 1
        self.id_prefix = ""  # a store's run prefix: M3-0001 (skywarden.store.ids)

    def _rec(
        self,
        m: ActiveMeasure | None,
        cause: Cause,
        mid: str,
        version: int,
        t_issued: float,
        t: float,
        status: str,
    ) -> Recommendation:
        spec = self.policy.measures.of(cause.action.value)
        if status in ("lifted", "expired"):
            t_exp = t_re = t
        else:
            t_exp = t + spec.duration_min * 60.0
            t_re = t + spec.reevaluate_min * 60.0
        tfr = dict(cause.tfr) if cause.tfr else None
        if tfr is not None:
            tfr["start_t"] = t_issued
            tfr["end_t"] = t_exp
        reasons = list(cause.reasons) or [f"{cause.action.value} for {cause.scope}"]
        if cause.action == Action.NOTIFY:
            reasons = [f"notify {cause.scope}", *reasons]
        if status == "lifted":
            absent = spec.lift_after_absent_min
            reasons = [f"lifted: cause absent for {absent:g} min", *reasons]
        elif status == "renewed":
            reasons = ["re-evaluated: cause still present", *reasons]
        elif status == "expired":
            reasons = ["expired without renewal", *reasons]
        reasons.append(f"policy: {spec.why}")
        return Recommendation(
            id=f"{mid}/{version}",
            incident=cause.incident,
            action=cause.action,
            t_issued=t_issued,
            t_expires=t_exp,
            t_reevaluate=t_re,
            reasons=tuple(reasons),
            runways=cause.runways,
            airport=cause.scope if cause.action != Action.NOTIFY else None,
            tfr=tfr,
            status=status,
        )

    def step(self, t: float, causes: list[Cause]) -> list[Recommendation]:
        """Apply this step's causes at time ``t``; return new recommendation versions."""
        out: list[Recommendation] = []
        merged: dict[MeasureKey, Cause] = {}
        for c in causes:
            prev = merged.get(c.key)
            if prev is None:
                merged[c.key] = c
            else:
                merged[c.key] = replace(
                    prev,
                    reasons=prev.reasons + tuple(r for r in c.reasons if r not in prev.reasons),
                    tracks=prev.tracks + tuple(x for x in c.tracks if x not in prev.tracks),
                    tfr=c.tfr or prev.tfr,
                )
        for key, cause in merged.items():
            m = self.active.get(key)
            if m is None:
                mid = f"M{self.id_prefix}{self._next:04d}"
                self._next += 1
                rec = self._rec(None, cause, mid, 1, t, t, "active")
                self.active[key] = ActiveMeasure(mid, cause, t, t, False, rec)
                out.append(rec)
            else:
                m.last_cause_t = t
                m.cause_since_review = True
                m.cause = replace(cause, incident=m.cause.incident or cause.incident)
        for key, m in list(self.active.items()):
            spec = self.policy.measures.of(key[0])
            if t - m.last_cause_t >= spec.lift_after_absent_min * 60.0:
                status = "lifted"
            elif t >= m.current.t_expires:
                status = "expired"
            elif t >= m.current.t_reevaluate:
                status = "renewed" if m.cause_since_review else "review"
            else:
                continue
            if status == "review":
                # Cause absent since the last look but not long enough to lift: look again
                # later, within the current expiry.
                m.current = replace(
                    m.current,
                    t_reevaluate=min(t + spec.reevaluate_min * 60.0, m.current.t_expires),
                )
                continue
            m.version += 1
            rec = self._rec(m, m.cause, m.id, m.version, t, t, status)
            out.append(rec)
            m.current = rec
            m.cause_since_review = False
            if status in ("lifted", "expired"):
                del self.active[key]
        return out

    def finish(self, t: float) -> list[Recommendation]:
        """End of input: lift every active measure (nothing stays open past the data)."""
        out = []
        for key, m in list(self.active.items()):
            m.version += 1
            rec = self._rec(m, m.cause, m.id, m.version, t, t, "lifted")
            rec = replace(rec, reasons=("lifted: end of input", *rec.reasons[1:]))
            out.append(rec)
            del self.active[key]
        return out
