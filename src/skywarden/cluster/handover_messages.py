"""The hand-over messages on the bus: offer, accept, release, claim, decline
(docs/handover.md).

Every message travels on the topic ``handover.<to-sector>`` (on JetStream the subject
``<prefix>.handover.<to-sector>``) as a JSON object. ``offer_id`` names one hand-over
of one track from one sector to one neighbour; ``seq`` grows with every message the
owner sends about it, so a receiver keeps the highest and ignores a duplicate or a
late, older one: delivery may be at-least-once and unordered. ``msg_id`` is
``<offer_id>/<kind>/<seq>``, the deduplication key. The messages are strict JSON (no
NaN), so any bus and any language can carry them.

The track's state travels in geographic terms (lat, lon, alt_m) with the velocity and
the 6x6 covariance in the sender's ENU axes: neighbouring sectors' axes differ by well
under a degree, far inside the gate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from skywarden.cluster.global_ids import GlobalIdError, birth_sector, check_sector_id

OFFER, ACCEPT, RELEASE, CLAIM, DECLINE = "offer", "accept", "release", "claim", "decline"
KINDS = (OFFER, ACCEPT, RELEASE, CLAIM, DECLINE)
TOPIC_PREFIX = "handover."


class HandoverError(GlobalIdError):
    """A hand-over message is malformed; the message names the field."""


def topic_for(sector: str) -> str:
    """The bus topic a sector reads its hand-over messages from."""
    return TOPIC_PREFIX + check_sector_id(sector)


@dataclass(frozen=True)
class HandoverMessage:
    """One message of the protocol. ``accept``, ``claim`` and ``decline`` carry only the header
    (kind, offer_id, seq, sender, to, global_id, t); ``offer`` and ``release`` the
    track: state, covariance, class probabilities, identities and a history summary.
    A release's ``t`` is the switch time: events observed up to it belong to the old
    owner, later ones to the new (``HandoverAgent.filter_events``)."""

    kind: str
    offer_id: str
    seq: int
    sender: str
    to: str
    global_id: str
    t: float
    expires_t: float = math.inf
    lat: float = 0.0
    lon: float = 0.0
    alt_m: float = 0.0
    velocity: tuple[float, float, float] = (0.0, 0.0, 0.0)
    cov: tuple[tuple[float, ...], ...] | None = None
    class_probs: Mapping[str, float] = field(default_factory=dict)
    identities: tuple[str, ...] = ()
    callsign: str | None = None
    evidence: Mapping[str, float] = field(default_factory=dict)
    history: Mapping[str, Any] = field(default_factory=dict)

    @property
    def msg_id(self) -> str:
        return f"{self.offer_id}/{self.kind}/{self.seq}"

    @property
    def carries_track(self) -> bool:
        return self.kind in (OFFER, RELEASE)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "offer_id": self.offer_id,
            "seq": self.seq,
            "from": self.sender,
            "to": self.to,
            "global_id": self.global_id,
            "t": self.t,
        }
        if not self.carries_track:
            return d
        d |= {
            "expires_t": self.expires_t,
            "lat": self.lat,
            "lon": self.lon,
            "alt_m": self.alt_m,
            "velocity": list(self.velocity),
            "class_probs": dict(self.class_probs),
            "identities": list(self.identities),
            "history": dict(self.history),
        }
        if self.cov is not None:
            d["cov"] = [list(r) for r in self.cov]
        if self.callsign:
            d["callsign"] = self.callsign
        if self.evidence:
            d["evidence"] = {k: _wire(v) for k, v in self.evidence.items()}
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> HandoverMessage:
        """Parse and validate an untrusted message; raises naming the field."""
        if not isinstance(d, Mapping):
            raise HandoverError(f"hand-over message: expected an object, got {type(d).__name__}")
        where = f"hand-over message {d.get('offer_id')!r}"
        try:
            kind = d["kind"]
            if kind not in KINDS:
                raise HandoverError(f"{where}: kind {kind!r} not one of {KINDS}")
            msg = cls(
                kind=kind,
                offer_id=_text(d["offer_id"], "offer_id", where),
                seq=_int(d["seq"], "seq", where),
                sender=check_sector_id(d["from"], f"{where}: from"),
                to=check_sector_id(d["to"], f"{where}: to"),
                global_id=_text(d["global_id"], "global_id", where),
                t=_num(d["t"], "t", where),
            )
            birth_sector(msg.global_id)
            if not msg.carries_track:
                return msg
            return cls(
                **{k: getattr(msg, k) for k in ("kind", "offer_id", "seq", "sender", "to")},
                global_id=msg.global_id,
                t=msg.t,
                expires_t=_num(d.get("expires_t", math.inf), "expires_t", where, inf_ok=True),
                lat=_num(d["lat"], "lat", where, lo=-90, hi=90),
                lon=_num(d["lon"], "lon", where, lo=-180, hi=180),
                alt_m=_num(d["alt_m"], "alt_m", where, lo=-500, hi=30_000),
                velocity=_vector(d["velocity"], "velocity", where),
                cov=_cov(d.get("cov"), where),
                class_probs={
                    str(k): _num(v, f"class_probs.{k}", where, lo=0, hi=1)
                    for k, v in _mapping(d.get("class_probs", {}), "class_probs", where).items()
                },
                identities=tuple(
                    str(i) for i in _seq(d.get("identities", ()), "identities", where)
                ),
                callsign=None if d.get("callsign") is None else str(d["callsign"]),
                evidence={
                    str(k): _unwire(v, f"evidence.{k}", where)
                    for k, v in _mapping(d.get("evidence", {}), "evidence", where).items()
                },
                history=dict(_mapping(d.get("history", {}), "history", where)),
            )
        except KeyError as e:
            raise HandoverError(f"{where}: missing {e.args[0]!r}") from None
        except GlobalIdError as e:
            if isinstance(e, HandoverError):
                raise
            raise HandoverError(str(e)) from None


def _text(v: Any, name: str, where: str) -> str:
    if not isinstance(v, str) or not v or len(v) > 200:
        raise HandoverError(f"{where}: {name} must be a non-empty string (<= 200)")
    return v


def _int(v: Any, name: str, where: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise HandoverError(f"{where}: {name} must be a non-negative integer, got {v!r}")
    return v


def _num(
    v: Any,
    name: str,
    where: str,
    lo: float = -math.inf,
    hi: float = math.inf,
    inf_ok: bool = False,
) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise HandoverError(f"{where}: {name} must be a number, got {v!r}")
    f = float(v)
    if math.isnan(f) or (math.isinf(f) and not inf_ok) or not lo <= f <= hi:
        raise HandoverError(f"{where}: {name} = {v!r} is not finite in [{lo}, {hi}]")
    return f


def _seq(v: Any, name: str, where: str) -> Sequence[Any]:
    if isinstance(v, str | bytes) or not isinstance(v, Sequence):
        raise HandoverError(f"{where}: {name} must be a list")
    return v


def _mapping(v: Any, name: str, where: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise HandoverError(f"{where}: {name} must be an object")
    return v


def _wire(v: float) -> float | str | None:
    """JSON has no NaN or infinity: NaN (evidence not observed yet) travels as null,
    an infinity as the string "inf" or "-inf"."""
    if math.isnan(v):
        return None
    return v if math.isfinite(v) else ("inf" if v > 0 else "-inf")


def _unwire(v: Any, name: str, where: str) -> float:
    if v is None:
        return math.nan
    if v in ("inf", "-inf"):
        return float(v)
    return _num(v, name, where)


def _vector(v: Any, name: str, where: str) -> tuple[float, float, float]:
    s = _seq(v, name, where)
    if len(s) != 3:
        raise HandoverError(f"{where}: {name} must have 3 components")
    return (_num(s[0], name, where), _num(s[1], name, where), _num(s[2], name, where))


def _cov(v: Any, where: str) -> tuple[tuple[float, ...], ...] | None:
    if v is None:
        return None
    rows = _seq(v, "cov", where)
    if len(rows) != 6 or any(len(_seq(r, "cov", where)) != 6 for r in rows):
        raise HandoverError(f"{where}: cov must be 6x6")
    m = tuple(tuple(_num(x, "cov", where) for x in r) for r in rows)
    if any(m[i][i] <= 0 for i in range(6)):
        raise HandoverError(f"{where}: cov has a non-positive variance")
    return m
