# size: one state machine (owner and receiver sides of one protocol) and its snapshot
"""Hand-over of tracks between overlapping sectors, so a track keeps its global id.

One :class:`HandoverAgent` per sector worker sits between the tracker and everything
downstream: ``agent.on_updates(t, updates)`` takes the tracker's updates (local ids)
and returns the updates this sector is *authoritative* for, under their global ids
(for the store and the live feed), the updates its analyzer should see, and the
messages to send (``handover_messages``). What arrives on ``handover.<sector>`` goes
to ``agent.on_message``. No I/O here: :class:`~.handover_link.HandoverLink` carries
the messages on a bus.

The protocol (docs/handover.md):

1. **offer** - the owner of a track inside a neighbour's extended area offers it to
   that neighbour every scan (state, covariance, class probabilities and evidence,
   identities, history), same ``offer_id``, growing ``seq``; an offer expires
   ``offer_ttl_s`` after it was sent.
2. **match** - the neighbour's own new (*provisional*) tracks are matched to the
   live offers by Mahalanobis distance of position and velocity, the offer predicted
   to the track's time with a constant-velocity model, gated at the chi-square
   quantile ``gate_probability`` (6 degrees of freedom), one-to-one by minimum total
   cost (``scipy.optimize.linear_sum_assignment``) summed over the last
   ``match_scans`` scans (5), each of which must be inside the gate, and only when no
   rival pairing is nearly as likely (``ambiguity_margin``; else the track waits a
   scan). A track that already carries a global id is never a candidate for another:
   adoption never steals.
3. **accept** - the matched track adopts the global id and the class evidence and
   becomes a *shadow*: tracked and analysed, not reported. The neighbour answers.
4. **release** - when the track is more than the hysteresis outside the owner's core
   and an accepting neighbour's core holds it, the owner sends ``release`` (the last
   state; its ``t`` is the switch time) and stops reporting it; its local track ends
   later without an ``ENDED`` update (handed over, not lost). A track the owner loses
   while a neighbour has accepted it is released at once, for the same reason.
5. **claim** - a shadow whose owner has gone silent for ``owner_silent_s`` (its
   worker died and nobody resumed it) while the track is in the receiver's core is
   claimed; the owner, if it comes back, stops reporting it (two owners: the smaller
   sector id keeps the track, then the geometry hands it on).
6. **decline** - a shadow that has left the gate of its owner's offers for
   ``decline_scans`` scans (this tracker's track jumped to another drone) gives the id
   back; the owner no longer counts on that neighbour.

A track born here is reported under this sector's own id at once when no neighbour's
extended area holds it; born in the overlap, it waits ``claim_after_s`` for an offer
(the neighbour that owns that area reports it meanwhile), then is claimed if it lies
in this core.

Analyzer consequences. The analyzer of each sector sees every track that carries a
global id here (owned, shadowed or released), so a crossing observed in the overlap
is observed by both analyzers, each under the same global id, whichever of them
owns the track when the detector confirms it. Each event is *reported* only by the
sector that was authoritative for its track at the event's observed time
(:meth:`HandoverAgent.filter_events`): both sides know the switch time exactly (the
release carries it), so a crossing is reported once, and not lost when the owner
changes between the crossing and its confirmation. Incidents are published by the
sector authoritative for their track now (:meth:`HandoverAgent.filter_incidents`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.special import gammaincinv  # chi2.ppf(p, k) is 2 * gammaincinv(k / 2, p)

from skywarden.cluster.global_ids import GlobalIds
from skywarden.cluster.handover_messages import (
    ACCEPT,
    CLAIM,
    DECLINE,
    OFFER,
    RELEASE,
    HandoverError,
    HandoverMessage,
)
from skywarden.cluster.overlap import SectorLayout
from skywarden.model import Event, Incident, TrackStatus, TrackUpdate

PROVISIONAL, SHADOW, OWN, RELEASED = "provisional", "shadow", "own", "released"
ROLES = (PROVISIONAL, SHADOW, OWN, RELEASED)
#: Covariance assumed for an update or offer that carries none: 100 m, 10 m/s sigma.
DEFAULT_COV = np.diag([1e4, 1e4, 1e4, 100.0, 100.0, 100.0])


@dataclass(frozen=True)
class HandoverConfig:
    """Timing and gating of the protocol (seconds of track time, not wall time)."""

    offer_ttl_s: float = 5.0
    claim_after_s: float = 5.0
    owner_silent_s: float = 10.0
    gate_probability: float = 0.9999
    accel_sigma_ms2: float = 5.0  # white-noise acceleration of the offer's prediction
    # A match must beat every rival pairing by this much squared distance (9: about 90
    # times likelier), else the track waits a scan for the picture to clear.
    ambiguity_margin: float = 9.0  # per scan of the window
    # A match is judged on this many consecutive scans of the same pair, each inside
    # the gate (see HandoverAgent._window_costs).
    match_scans: int = 5
    # A shadow outside the gate of its owner's offers this many scans in a row declines.
    decline_scans: int = 5
    event_hold_s: float = 10.0  # how long an event waits for a release in flight
    memory_s: float = 600.0  # how long finished offers and authority spans are kept

    def __post_init__(self) -> None:
        for name in ("offer_ttl_s", "claim_after_s", "owner_silent_s", "accel_sigma_ms2"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                raise HandoverError(f"hand-over config: {name} must be > 0, got {v!r}")
        for name in ("match_scans", "decline_scans"):
            if not 1 <= getattr(self, name) <= 30:
                raise HandoverError(f"hand-over config: {name} must be in [1, 30]")
        if not 0.5 < self.gate_probability < 1.0:
            raise HandoverError("hand-over config: gate_probability must be in (0.5, 1)")

    @property
    def gate(self) -> float:
        """The squared Mahalanobis distance one scan's pair must not exceed (6 dof)."""
        return float(2.0 * gammaincinv(3.0, self.gate_probability))


class EvidenceLink(Protocol):
    """Reads and writes a tracker's class evidence for one local track (optional)."""

    def read(self, local: str) -> dict[str, float]: ...

    def write(
        self, local: str, evidence: Mapping[str, float], identities: Sequence[str]
    ) -> None: ...


@dataclass
class _Track:
    role: str
    since: float
    owner: str | None = None  # shadow: the sector reporting it; released: who took it
    offer_id: str | None = None  # shadow: the offer adopted
    offers: dict[str, str] = field(default_factory=dict)  # own: neighbour -> offer id
    accepted: list[str] = field(default_factory=list)
    history: dict[str, Any] = field(default_factory=dict)
    misses: int = 0  # shadow: consecutive scans outside the gate of its offer


@dataclass
class HandoverStep:
    """What one scan gives: the updates this sector reports (global ids), the updates
    its analyzer sees (every track with a global id here), the messages to send."""

    updates: list[TrackUpdate]
    analysis: list[TrackUpdate]
    messages: list[HandoverMessage]


@dataclass
class HandoverStats:
    offers_sent: int = 0
    adopted: int = 0
    released: int = 0
    received_authority: int = 0
    claimed: int = 0
    expired: int = 0
    duplicates: int = 0
    stale: int = 0
    rejected: int = 0
    events_elsewhere: int = 0  # observed while another sector was authoritative
    ambiguous: int = 0  # matches deferred: a rival pairing was nearly as likely
    declined: int = 0  # adoptions given back: the shadow stopped matching its offer


class HandoverAgent:
    """The owner and receiver sides of the hand-over protocol for one sector."""

    def __init__(
        self,
        sector: str,
        layout: SectorLayout,
        *,
        epoch: str = "",
        config: HandoverConfig | None = None,
        evidence: EvidenceLink | None = None,
    ) -> None:
        self.area = layout[sector]
        self.sector = sector
        self.layout = layout
        self.config = config or HandoverConfig()
        self.evidence = evidence
        self.ids = GlobalIds(sector, epoch)
        self.tracks: dict[str, _Track] = {}
        self.inbox: dict[str, HandoverMessage] = {}  # offer id -> newest offer/release
        self.bound: dict[str, str] = {}  # offer id -> local track that adopted it
        self.closed: dict[str, float] = {}  # finished offer id -> when
        self.seen: dict[str, float] = {}  # msg id -> when (deduplication)
        # (offer id, local track) -> its last squared distances (rebuilt in a few scans
        # after a restart, so not in the snapshot)
        self.pair_costs: dict[tuple[str, str], list[float]] = {}
        # global id -> [start, end] spans of track time when this sector reported it
        self.owned: dict[str, list[list[float]]] = {}
        self.pending: list[tuple[Event, float]] = []  # events waiting for a release
        self.hidden: dict[str, Incident] = {}  # newest version of unpublished incidents
        self.seq = 0
        self.n_offers = 0
        self.t = -math.inf
        self.stats = HandoverStats()
        self._outbox: list[HandoverMessage] = []

    # ------------------------------------------------------------------ receiving
    def on_message(self, data: Mapping[str, Any] | HandoverMessage) -> None:
        """Take one message from ``handover.<sector>``. A malformed or misaddressed one
        is counted and raised as :class:`HandoverError` naming the field (the link logs
        and drops it: the bus is untrusted); duplicates and older versions are ignored."""
        try:
            msg = data if isinstance(data, HandoverMessage) else HandoverMessage.from_dict(data)
        except HandoverError:
            self.stats.rejected += 1
            raise
        if msg.to != self.sector:
            self.stats.rejected += 1
            raise HandoverError(f"{self.sector}: message {msg.msg_id} is addressed to {msg.to}")
        if msg.msg_id in self.seen:
            self.stats.duplicates += 1
            return
        self.seen[msg.msg_id] = msg.t
        if msg.carries_track:
            self._on_offer(msg)
        elif msg.kind == ACCEPT:
            self._on_accept(msg)
        elif msg.kind == CLAIM:
            self._on_claim(msg)
        elif msg.kind == DECLINE:
            self._on_decline(msg)

    def _on_offer(self, msg: HandoverMessage) -> None:
        if msg.offer_id in self.closed and not self._owns(msg.global_id):
            self.stats.stale += 1
            return
        have = self.inbox.get(msg.offer_id)
        if have is not None and have.seq >= msg.seq:
            self.stats.stale += 1  # out of order: a newer version is already here
            return
        self.inbox[msg.offer_id] = msg

    def _on_accept(self, msg: HandoverMessage) -> None:
        local = self.ids.local(msg.global_id)
        tr = self.tracks.get(local) if local is not None else None
        if tr is None or tr.role != OWN or tr.offers.get(msg.sender) != msg.offer_id:
            self.stats.stale += 1
            return
        if msg.sender not in tr.accepted:
            tr.accepted.append(msg.sender)

    def _on_claim(self, msg: HandoverMessage) -> None:
        local = self.ids.local(msg.global_id)
        tr = self.tracks.get(local) if local is not None else None
        if tr is None or tr.role != OWN or self.sector < msg.sender:
            self.stats.stale += 1  # (two owners: the smaller sector id keeps the track)
            return
        tr.role, tr.owner = RELEASED, msg.sender
        self._lose(msg.global_id, msg.t)

    def _on_decline(self, msg: HandoverMessage) -> None:
        local = self.ids.local(msg.global_id)
        tr = self.tracks.get(local) if local is not None else None
        if tr is None or tr.role != OWN or tr.offers.get(msg.sender) != msg.offer_id:
            self.stats.stale += 1
            return
        if msg.sender in tr.accepted:
            tr.accepted.remove(msg.sender)

    def _owns(self, g: str) -> bool:
        local = self.ids.local(g)
        return local is not None and local in self.tracks and self.tracks[local].role == OWN

    # ------------------------------------------------------------------ one scan
    def on_updates(self, t: float, updates: Iterable[TrackUpdate]) -> HandoverStep:
        """One scan of the tracker's updates (local ids) -> authoritative updates."""
        self.t = t
        self._outbox = []
        self._expire(t)
        ups = list(updates)
        live = [u for u in ups if u.status != TrackStatus.ENDED]
        out: list[TrackUpdate] = []
        seen: list[TrackUpdate] = []
        for u in live:
            if u.track not in self.tracks:
                self._born(u)
        self._match(live)
        for u in live:
            tr = self.tracks[u.track]
            was_own = tr.role == OWN  # the owner reports the scan it releases in
            self._advance(t, u)
            g = self.ids.get(u.track)
            if g is not None:
                seen.append(replace(u, track=g))
                if was_own or tr.role == OWN:
                    out.append(seen[-1])
        for u in ups:
            if u.status == TrackStatus.ENDED:
                g = self.ids.get(u.track)
                ended = self._ended(u)
                if ended is not None:
                    out.append(ended)
                    seen.append(ended)
                elif g is not None:  # handed over: the analyzer forgets it, nobody
                    seen.append(replace(u, track=g))  # else hears of an end
        return HandoverStep(out, seen, self._outbox)

    def _born(self, u: TrackUpdate) -> None:
        others = [s for s in self.layout.sectors_of(u.lat, u.lon) if s != self.sector]
        if not others and self.layout.core_of(u.lat, u.lon) == self.sector:
            self.tracks[u.track] = _Track(OWN, u.t, history={"born_t": u.t, "path": [self.sector]})
            self._gain(self.ids.resolve(u.track), -math.inf)
        else:
            self.tracks[u.track] = _Track(PROVISIONAL, u.t)

    def _expire(self, t: float) -> None:
        for oid, msg in list(self.inbox.items()):
            if msg.expires_t < t and oid not in self.bound:
                del self.inbox[oid]
                self.closed[oid] = t
                self.stats.expired += 1
        horizon = t - self.config.memory_s
        for d in (self.closed, self.seen):
            for k in [k for k, v in d.items() if v < horizon]:
                del d[k]
        for g, spans in list(self.owned.items()):
            spans[:] = [sp for sp in spans if sp[1] >= horizon]
            if not spans:
                del self.owned[g]

    def _match(self, live: list[TrackUpdate]) -> None:
        """Bind live offers to provisional tracks (or to the track that already carries
        the offered id, when a track comes back), one to one, inside the gate."""
        free = [m for oid, m in self.inbox.items() if oid not in self.bound]
        if not free:
            self.pair_costs.clear()
            return
        cands = [u for u in live if self.tracks[u.track].role == PROVISIONAL]
        rest = []
        for m in free:
            back = self.ids.local(m.global_id)
            if back is not None and self._owns(m.global_id) and self.sector < m.sender:
                # Two owners (a claim made while the sender was silent, which it
                # missed): the smaller sector id keeps the track and says so again;
                # the other side yields the same way (_on_claim, the branch below).
                del self.inbox[m.offer_id]
                self.closed[m.offer_id] = self.t
                self._send(CLAIM, m.offer_id, m.seq + 1, m.sender, m.global_id)
            elif back is not None and back in self.tracks:
                if self._owns(m.global_id):
                    self._lose(m.global_id, self.t)
                self._adopt(back, m)
            else:
                rest.append(m)
        if not rest or not cands:
            self.pair_costs.clear()
            return
        cost, ready = self._window_costs(rest, cands)
        w = self.config.match_scans
        big = self.config.gate * w * 1e3
        rows, cols = linear_sum_assignment(np.where(ready, cost, big))
        margin = self.config.ambiguity_margin * w
        for i, j in zip(rows, cols, strict=True):
            c = cost[i, j]
            if not ready[i, j]:
                continue
            # Two drones side by side: a young track may sit between two offers, or an
            # offer between two tracks. Adopt only a clear winner; else wait a scan
            # (the overlap is long; the picture clears).
            rivals = np.concatenate([np.delete(cost[:, j], i), np.delete(cost[i, :], j)])
            if rivals.size and rivals.min() < c + margin:
                self.stats.ambiguous += 1
                continue
            self._adopt(cands[j].track, rest[i])

    def _window_costs(
        self, offers: list[HandoverMessage], cands: list[TrackUpdate]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per (offer, track): the squared distance summed over the last ``match_scans``
        scans (a pair seen fewer scans: its mean scaled up), and whether the pair may
        match: that many scans, each inside the one-scan gate. One scan is not enough:
        a new track can start on one drone's plots and jump to its neighbour's (seen
        with drones 80-120 m apart side by side: one-scan matches swapped their ids)."""
        w = self.config.match_scans
        keep: dict[tuple[str, str], list[float]] = {}
        cost = np.empty((len(offers), len(cands)))
        ready = np.zeros((len(offers), len(cands)), dtype=bool)
        now = self.distances2(offers, cands)
        for i, m in enumerate(offers):
            for j, u in enumerate(cands):
                key = (m.offer_id, u.track)
                hist = [*self.pair_costs.get(key, []), float(now[i, j])][-w:]
                keep[key] = hist
                cost[i, j] = float(np.mean(hist)) * w
                ready[i, j] = len(hist) == w and max(hist) <= self.config.gate
        self.pair_costs = keep
        return cost, ready

    def distances2(
        self, offers: Sequence[HandoverMessage], cands: Sequence[TrackUpdate]
    ) -> np.ndarray:
        """(offers, tracks) squared Mahalanobis distances, every pair at once: each offer
        predicted to each track's time (constant velocity, white-noise acceleration),
        innovation covariance the sum of both. Same numbers as :meth:`_distance2`."""
        f = self.area.frame

        def states(
            rows: Sequence[tuple[float, float, float, tuple[float, ...]]],
        ) -> np.ndarray:
            lat, lon, alt = (np.array([r[k] for r in rows]) for k in range(3))
            e, n, u = f.to_enu(lat, lon, alt)
            return np.column_stack([e, n, u, np.array([r[3] for r in rows])])

        xo = states([(m.lat, m.lon, m.alt_m, m.velocity) for m in offers])  # (k, 6)
        xu = states([(u.lat, u.lon, u.alt_m, u.velocity) for u in cands])  # (n, 6)
        po = np.stack([_cov6(m.cov) for m in offers])  # (k, 6, 6)
        pu = np.stack([_cov6(u.cov) for u in cands])  # (n, 6, 6)
        dt = np.array([u.t for u in cands])[None, :] - np.array([m.t for m in offers])[:, None]
        # x_pred = F x, P_pred = F P F' + Q with F = [[I, dt I], [0, I]], blockwise.
        d = dt[..., None, None]
        pp, pv, vp, vv = po[:, :3, :3], po[:, :3, 3:], po[:, 3:, :3], po[:, 3:, 3:]
        pred = np.empty((*dt.shape, 6, 6))
        pred[..., :3, :3] = pp[:, None] + d * (pv + vp)[:, None] + d**2 * vv[:, None]
        pred[..., :3, 3:] = pv[:, None] + d * vv[:, None]
        pred[..., 3:, :3] = vp[:, None] + d * vv[:, None]
        pred[..., 3:, 3:] = vv[:, None]
        q, eye, a = self.config.accel_sigma_ms2**2, np.eye(3), np.abs(d)
        pred[..., :3, :3] += q * a**3 / 3 * eye
        pred[..., :3, 3:] += q * a**2 / 2 * eye
        pred[..., 3:, :3] += q * a**2 / 2 * eye
        pred[..., 3:, 3:] += q * a * eye
        s = pred + pu[None]
        r = xu[None, :, :] - xo[:, None, :]
        r[..., :3] -= dt[..., None] * xo[:, None, 3:]
        try:
            sol = np.linalg.solve(s, r[..., None])[..., 0]
        except np.linalg.LinAlgError:
            return np.array([[self._distance2(m, u) for u in cands] for m in offers])
        return np.einsum("...i,...i->...", r, sol)

    def _distance2(self, m: HandoverMessage, u: TrackUpdate) -> float:
        """Squared Mahalanobis distance between an offer predicted to ``u.t`` and ``u``."""
        f = self.area.frame
        xo = np.array([*f.to_enu(m.lat, m.lon, m.alt_m), *m.velocity], dtype=float)
        xu = np.array([*f.to_enu(u.lat, u.lon, u.alt_m), *u.velocity], dtype=float)
        dt = u.t - m.t
        big_f = np.eye(6)
        big_f[:3, 3:] = dt * np.eye(3)
        q = self.config.accel_sigma_ms2**2
        adt = abs(dt)
        blk = np.array([[adt**3 / 3, adt**2 / 2], [adt**2 / 2, adt]]) * q
        big_q = np.kron(blk, np.eye(3))
        po, pu = _cov6(m.cov), _cov6(u.cov)
        s = big_f @ po @ big_f.T + big_q + pu
        r = xu - big_f @ xo
        try:
            return float(r @ np.linalg.solve(s, r))
        except np.linalg.LinAlgError:
            return math.inf

    def _adopt(self, local: str, m: HandoverMessage) -> None:
        tr = self.tracks[local]
        if self.ids.get(local) != m.global_id:
            self.ids.adopt(local, m.global_id)
            if self.evidence is not None and (m.evidence or m.identities):
                self.evidence.write(local, m.evidence, m.identities)
            self.stats.adopted += 1
        tr.role, tr.owner, tr.offer_id = SHADOW, m.sender, m.offer_id
        tr.offers, tr.accepted = {}, []
        tr.history = dict(m.history)
        self.bound[m.offer_id] = local
        self.closed.pop(m.offer_id, None)  # live again (a contested track yielded)
        self._send(ACCEPT, m.offer_id, m.seq, m.sender, m.global_id)

    def _advance(self, t: float, u: TrackUpdate) -> None:
        """Role changes of one live track at this scan, and the offers it causes."""
        tr = self.tracks[u.track]
        if tr.role == PROVISIONAL and t - tr.since >= self.config.claim_after_s:
            if self.layout.core_of(u.lat, u.lon) == self.sector:
                tr.role, tr.history = OWN, {"born_t": tr.since, "path": [self.sector]}
                self._gain(self.ids.resolve(u.track), -math.inf)
                self.stats.claimed += 1
        elif tr.role == SHADOW:
            self._shadow(t, u, tr)
        if tr.role == OWN:
            self._own(u, tr)

    def _shadow(self, t: float, u: TrackUpdate, tr: _Track) -> None:
        assert tr.offer_id is not None
        m = self.inbox.get(tr.offer_id)
        g = self.ids.resolve(u.track)
        if m is not None and m.kind == OFFER:
            # The owner keeps offering: a shadow that no longer matches its offer (this
            # tracker's track jumped to a neighbouring drone) gives the id back.
            tr.misses = tr.misses + 1 if self._distance2(m, u) > self.config.gate else 0
            if tr.misses >= self.config.decline_scans:
                self._decline(u, m)
                return
        if m is not None and m.kind == RELEASE:
            if t > m.t:  # the old owner reported the release scan itself
                tr.role, tr.history = OWN, dict(m.history)
                self._gain(g, m.t)
                self._took(tr)
                self.stats.received_authority += 1
        elif (m is None or t - m.t >= self.config.owner_silent_s) and self.layout.core_of(
            u.lat, u.lon
        ) == self.sector:
            assert tr.owner is not None
            seq = m.seq + 1 if m is not None else 0
            self._send(CLAIM, tr.offer_id, seq, tr.owner, g)
            tr.role = OWN
            self._gain(g, t)
            self._took(tr)
            self.stats.claimed += 1

    def _decline(self, u: TrackUpdate, m: HandoverMessage) -> None:
        self._send(DECLINE, m.offer_id, m.seq, m.sender, m.global_id)
        self.bound.pop(m.offer_id, None)  # the offer is free to match again
        self.ids.forget(u.track)
        self.tracks[u.track] = _Track(PROVISIONAL, self.t)
        self.stats.declined += 1

    def _took(self, tr: _Track) -> None:
        assert tr.offer_id is not None
        self.inbox.pop(tr.offer_id, None)
        self.bound.pop(tr.offer_id, None)
        self.closed[tr.offer_id] = self.t
        path = list(tr.history.get("path", []))[-15:]
        tr.history = {**tr.history, "path": [*path, self.sector]}
        tr.offer_id = None

    def _own(self, u: TrackUpdate, tr: _Track) -> None:
        g = self.ids.resolve(u.track)
        near = [s for s in self.layout.sectors_of(u.lat, u.lon) if s != self.sector]
        for nb in [nb for nb in tr.offers if nb not in near]:  # left its overlap: a
            del tr.offers[nb]  # later approach is a new offer (the old one expired there)
            if nb in tr.accepted:
                tr.accepted.remove(nb)
        for nb in near:
            if nb not in tr.offers:
                self.n_offers += 1
                tr.offers[nb] = f"{self.sector}:{self.ids.epoch}o{self.n_offers}"
            self._send(OFFER, tr.offers[nb], self._next_seq(), nb, g, u, tr)
            self.stats.offers_sent += 1
        to = self.layout.authority(self.sector, u.lat, u.lon)
        if to is not None and to != self.sector and to in tr.accepted:
            self._release(u, tr, to)

    def _release(self, u: TrackUpdate, tr: _Track, to: str) -> None:
        g = self.ids.resolve(u.track)
        self._send(RELEASE, tr.offers[to], self._next_seq(), to, g, u, tr)
        tr.role, tr.owner = RELEASED, to
        tr.offers, tr.accepted = {}, []
        self._lose(g, u.t)
        self.stats.released += 1

    def _ended(self, u: TrackUpdate) -> TrackUpdate | None:
        """The tracker ended ``u.track``: report ENDED only if this sector owned it and
        no neighbour has accepted it (then it is handed over, not lost)."""
        tr = self.tracks.pop(u.track, None)
        g = self.ids.get(u.track)
        out = None
        if tr is not None and tr.role == OWN and g is not None:
            nxt = [s for s in tr.accepted if s in tr.offers]
            if nxt:
                self._release(u, tr, nxt[0])
            else:
                out = replace(u, track=g)
        if tr is not None and tr.offer_id is not None:
            self.bound.pop(tr.offer_id, None)
        self.ids.forget(u.track)
        return out

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def _send(
        self,
        kind: str,
        offer_id: str,
        seq: int,
        to: str,
        global_id: str,
        u: TrackUpdate | None = None,
        tr: _Track | None = None,
    ) -> None:
        if u is None or tr is None:
            self._outbox.append(
                HandoverMessage(kind, offer_id, seq, self.sector, to, global_id, self.t)
            )
            return
        self._outbox.append(
            HandoverMessage(
                kind,
                offer_id,
                seq,
                self.sector,
                to,
                global_id,
                u.t,
                expires_t=u.t + self.config.offer_ttl_s,
                lat=u.lat,
                lon=u.lon,
                alt_m=u.alt_m,
                velocity=u.velocity,
                cov=u.cov if u.cov is not None and len(u.cov) == 6 else None,
                class_probs=dict(u.class_probs),
                identities=u.identities,
                callsign=u.callsign,
                evidence=self.evidence.read(u.track) if self.evidence is not None else {},
                history={**tr.history, "handovers": int(tr.history.get("handovers", 0)) + 1}
                if kind == RELEASE
                else dict(tr.history),
            )
        )

    # ------------------------------------------------------------------ authority
    def _gain(self, g: str, t: float) -> None:
        self.owned.setdefault(g, []).append([t, math.inf])

    def _lose(self, g: str, t: float) -> None:
        for sp in self.owned.get(g, []):
            if sp[1] == math.inf:
                sp[1] = t

    def authoritative_at(self, g: str, t: float) -> bool:
        """Whether this sector reported track ``g`` at track time ``t``."""
        return any(a < t <= b for a, b in self.owned.get(g, ()))

    def filter_events(self, events: Iterable[Event]) -> list[Event]:
        """The analyzer's events this sector reports: those observed while it was
        authoritative for the track. An event of a shadow track waits up to
        ``event_hold_s`` for a release still in flight; others are dropped (the
        authoritative sector reports them)."""
        out, keep = [], []
        for e, since in [*self.pending, *((e, self.t) for e in events)]:
            if self.authoritative_at(e.track, e.t):
                out.append(e)
            elif self._may_gain(e.track) and self.t - since < self.config.event_hold_s:
                keep.append((e, since))
            else:
                self.stats.events_elsewhere += 1
        self.pending = keep
        return out

    def _may_gain(self, g: str) -> bool:
        local = self.ids.local(g)
        return local is not None and local in self.tracks and self.tracks[local].role == SHADOW

    def filter_incidents(self, incidents: Iterable[Incident]) -> list[Incident]:
        """Incident changes this sector publishes: those of tracks it reports now. A
        withheld incident is kept and published when its track is handed over here."""
        now = {g for g, spans in self.owned.items() if spans and spans[-1][1] == math.inf}
        out = []
        for inc in incidents:
            self.hidden[inc.id] = inc
        for iid, inc in list(self.hidden.items()):
            if now.intersection(inc.tracks):
                out.append(inc)
                del self.hidden[iid]
            elif not any(self.ids.local(g) in self.tracks for g in inc.tracks):
                del self.hidden[iid]  # no track of it is here any more
        return out

    # ------------------------------------------------------------------ snapshot
    def to_snapshot(self) -> dict[str, Any]:
        """Everything needed to resume mid-hand-over after a failover (JSON-able)."""
        return {
            "sector": self.sector,
            "ids": self.ids.to_snapshot(),
            "tracks": {
                k: {
                    "role": v.role,
                    "since": v.since,
                    "owner": v.owner,
                    "offer_id": v.offer_id,
                    "offers": dict(v.offers),
                    "accepted": list(v.accepted),
                    "history": dict(v.history),
                    "misses": v.misses,
                }
                for k, v in self.tracks.items()
            },
            "inbox": [m.to_dict() for m in self.inbox.values()],
            "bound": dict(self.bound),
            "closed": dict(self.closed),
            "seen": dict(self.seen),
            "owned": {g: [[a, _inf(b)] for a, b in spans] for g, spans in self.owned.items()},
            "pending": [[e.to_dict(), since] for e, since in self.pending],
            "seq": self.seq,
            "n_offers": self.n_offers,
            "t": self.t if math.isfinite(self.t) else None,
        }

    @classmethod
    def from_snapshot(
        cls,
        d: Mapping[str, Any],
        layout: SectorLayout,
        *,
        config: HandoverConfig | None = None,
        evidence: EvidenceLink | None = None,
    ) -> HandoverAgent:
        """Resume from :meth:`to_snapshot`; raises :class:`HandoverError` naming the field."""
        try:
            ids = GlobalIds.from_snapshot(d["ids"])
            a = cls(str(d["sector"]), layout, epoch=ids.epoch, config=config, evidence=evidence)
            a.ids = ids
            for k, v in dict(d["tracks"]).items():
                if v["role"] not in ROLES:
                    raise HandoverError(f"hand-over snapshot: tracks[{k!r}].role {v['role']!r}")
                a.tracks[str(k)] = _Track(
                    v["role"],
                    float(v["since"]),
                    v.get("owner"),
                    v.get("offer_id"),
                    {str(s): str(o) for s, o in dict(v.get("offers", {})).items()},
                    [str(s) for s in v.get("accepted", [])],
                    dict(v.get("history", {})),
                    int(v.get("misses", 0)),
                )
            for m in d["inbox"]:
                msg = HandoverMessage.from_dict(m)
                a.inbox[msg.offer_id] = msg
            a.bound = {str(k): str(v) for k, v in dict(d["bound"]).items()}
            a.closed = {str(k): float(v) for k, v in dict(d["closed"]).items()}
            a.seen = {str(k): float(v) for k, v in dict(d["seen"]).items()}
            a.owned = {
                str(g): [[float(sp[0]), float(sp[1])] for sp in spans]
                for g, spans in dict(d["owned"]).items()
            }
            a.pending = [(_event(e), float(since)) for e, since in d.get("pending", [])]
            a.seq, a.n_offers = int(d["seq"]), int(d["n_offers"])
            a.t = -math.inf if d.get("t") is None else float(d["t"])
        except KeyError as e:
            raise HandoverError(f"hand-over snapshot: missing {e.args[0]!r}") from None
        except (TypeError, ValueError, IndexError) as e:
            if isinstance(e, HandoverError):
                raise
            raise HandoverError(f"hand-over snapshot: {e}") from None
        return a


def _inf(v: float) -> float | str:
    return v if math.isfinite(v) else ("inf" if v > 0 else "-inf")


def _event(d: Mapping[str, Any]) -> Event:
    core = ("kind", "t", "track", "lat", "lon", "alt_m")
    attrs = {k: v for k, v in d.items() if k not in core}
    return Event(
        str(d["kind"]),
        float(d["t"]),
        str(d["track"]),
        float(d["lat"]),
        float(d["lon"]),
        float(d["alt_m"]),
        attrs,
    )


def _cov6(cov: Sequence[Sequence[float]] | None) -> np.ndarray:
    """A 6x6 state covariance, or the default for a record that carries none."""
    if cov is None or len(cov) != 6:
        return DEFAULT_COV
    return np.asarray(cov, dtype=float)
