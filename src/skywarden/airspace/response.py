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

``verify`` (cue a camera or an observer) is never open-ended either. It is
``"escalated"`` as soon as its track causes the restricting measure it stood in for (the
evidence gate found it corroborated or persistent); at its deadline, with its cause
still there, it is renewed at most ``measures.verify.max_renewals`` times and then
dropped (``"expired"``: the tower stays notified) and not issued again for that track and
airport until the cause has been gone for ``lift_after_absent_min``.

Every version has its own id (``M0003/2``) so an incident keeps the whole chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from skywarden.airspace.policy import Policy
from skywarden.model import Action, Recommendation

MeasureKey = tuple[str, str, tuple[str, ...], str]

RESTRICTING = frozenset(
    {Action.PAUSE_ARRIVALS, Action.PAUSE_DEPARTURES, Action.PAUSE_ALL, Action.TFR}
)


@dataclass(frozen=True)
class Cause:
    """Why a measure is wanted now: action, where (airport/audience, runways) and reasons.

    ``subject`` separates measures about one track (a verification cues a camera onto
    one drone); ``confidence`` and ``evidence`` are what the measure rests on."""

    action: Action
    scope: str  # airport ICAO, or an audience such as "border security"
    runways: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    incident: str | None = None
    tracks: tuple[str, ...] = ()
    tfr: dict[str, Any] | None = None
    subject: str = ""
    confidence: float | None = None
    evidence: tuple[str, ...] = ()

    @property
    def key(self) -> MeasureKey:
        return (self.action.value, self.scope, self.runways, self.subject)


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
    renewals: int = 0


class Responder:
    """Keeps the active measures and produces recommendation versions as they change."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.active: dict[MeasureKey, ActiveMeasure] = {}
        # Verifications dropped after their last renewal -> when their cause was last seen.
        self.dropped: dict[MeasureKey, float] = {}
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
        if status in ("lifted", "expired", "escalated"):
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
        elif status == "escalated":
            reasons = ["escalated: the evidence now supports a restricting measure", *reasons]
        if cause.action == Action.VERIFY and status in ("active", "renewed"):
            n = m.renewals if m is not None else 0
            k = self.policy.measures.verify.max_renewals
            reasons = [
                f"verify drone {cause.subject} at {cause.scope}: cue a camera or an observer "
                f"(deadline {spec.duration_min:g} min, renewal {n} of {k})",
                *reasons,
            ]
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
            confidence=None if cause.confidence is None else round(cause.confidence, 3),
            evidence=cause.evidence,
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
                merged[c.key] = _merge(prev, c)
        self._escalate(t, merged, out)
        self._open_or_refresh(t, merged, out)
        self._review(t, out)
        return out

    def _open_or_refresh(
        self, t: float, merged: dict[MeasureKey, Cause], out: list[Recommendation]
    ) -> None:
        """Open a measure per new cause, refresh those still caused; dropped stay dropped."""
        verify = self.policy.measures.verify
        for key in [k for k, last in self.dropped.items() if k not in merged]:
            if t - self.dropped[key] >= verify.lift_after_absent_min * 60.0:
                del self.dropped[key]
        for key, cause in merged.items():
            if key in self.dropped:
                self.dropped[key] = t  # cause still there: stays dropped (never open-ended)
                continue
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
                incident = m.cause.incident or cause.incident
                # (a copy only when the incident differs: replace() costs a step's worth)
                m.cause = cause if incident == cause.incident else replace(cause, incident=incident)

    def _review(self, t: float, out: list[Recommendation]) -> None:
        """Lift, expire, renew or review the active measures whose time has come."""
        for key, m in list(self.active.items()):
            spec = self.policy.measures.of(key[0])
            if t - m.last_cause_t >= spec.lift_after_absent_min * 60.0:
                status = "lifted"
            elif t >= m.current.t_expires and key[0] == Action.VERIFY.value:
                status = self._deadline(t, key, m)
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
            if status == "expired" and key[0] == Action.VERIFY.value:
                rec = replace(
                    rec,
                    reasons=(
                        f"dropped: not corroborated after {m.renewals + 1} deadlines; "
                        "the tower stays notified",
                        *rec.reasons[1:],
                    ),
                )
            out.append(rec)
            m.current = rec
            m.cause_since_review = False
            if status in ("lifted", "expired"):
                del self.active[key]

    def _deadline(self, t: float, key: MeasureKey, m: ActiveMeasure) -> str:
        """A verification's deadline passed without escalation: renew, drop or lift."""
        if not m.cause_since_review:
            return "lifted"
        if m.renewals < self.policy.measures.verify.max_renewals:
            m.renewals += 1
            return "renewed"
        self.dropped[key] = t
        return "expired"

    def _escalate(
        self, t: float, merged: dict[MeasureKey, Cause], out: list[Recommendation]
    ) -> None:
        """End verifications whose track now causes a restricting measure at their airport."""
        hot = {(c.scope, tr) for c in merged.values() if c.action in RESTRICTING for tr in c.tracks}
        if not hot:
            return
        for key, m in list(self.active.items()):
            if key[0] == Action.VERIFY.value and (key[1], key[3]) in hot:
                m.version += 1
                rec = self._rec(m, m.cause, m.id, m.version, t, t, "escalated")
                out.append(rec)
                del self.active[key]

    def incident_resolved(self, incident: str) -> None:
        """An operator resolved ``incident``: a measure it caused that is still wanted
        names the incident of its current cause from its next version on (a resolved
        incident is never renewed)."""
        for m in self.active.values():
            if m.cause.incident == incident:
                m.cause = replace(m.cause, incident=None)

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


def _merge(a: Cause, b: Cause) -> Cause:
    """Two causes of the same measure this step: reasons, tracks and evidence together."""
    conf = [c for c in (a.confidence, b.confidence) if c is not None]
    return replace(
        a,
        reasons=a.reasons + tuple(r for r in b.reasons if r not in a.reasons),
        tracks=a.tracks + tuple(x for x in b.tracks if x not in a.tracks),
        tfr=b.tfr or a.tfr,
        confidence=max(conf) if conf else None,
        evidence=a.evidence + tuple(e for e in b.evidence if e not in a.evidence),
    )
