"""The live hub: the current picture, and the WebSocket feed batched once per second.

One task reads the bus, keeps the live picture (tracks, open incidents, active
recommendations, hold-fire state, pipeline clock) and collects what changed. About once
a second it flushes one batch to every client: on the pipeline's end-of-scan ``clock``
message (if the last batch is at least 0.5 s old), or when a second has passed with
changes pending (operator actions between scans, a replay running faster than 1x).

Serialisation is done once per *audience* (full or partner-redacted), not once per
client, and every client has its own small queue and sender task: a slow browser drops
its oldest batches instead of delaying everyone else (the REST API and the store hold
the complete record). Batches carry ``pub``, the wall-clock time at which the earliest
track update in them was published, so clients can measure update latency.

Catch-up (issue 17, the gap left by issue 7): every batch and snapshot carries a
``cursor`` (``<feed epoch>-<batch number>``). A client that reconnects with
``/api/ws?since=<the last cursor it applied>`` gets a ``resume`` message and then the
batches it missed, re-rendered for its role by the same :meth:`Hub.view` as the live ones
(a partner's history is redacted as the live feed is), in order, and then the live
batches, with no batch twice or missing at the seam. The hub keeps the last
``HISTORY_BATCHES`` batches holding at most ``HISTORY_TRACK_ROWS`` track rows in memory.
A cursor older than that, from another run of the service, or malformed, gets a fresh
snapshot with a ``gap`` marker (``{"since", "reason"}``) instead: the map then starts
from the present, and the stored past stays available through the REST history and the
time slider. A batch number that jumps tells a client it missed batches (a slow
client's queue drops the oldest), so it reconnects with its last cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from fastapi import WebSocket
from pydantic import TypeAdapter

from skywarden.bus import TOPICS, Bus, Message
from skywarden.service import redact
from skywarden.service.feed_rows import TRACK_FIELDS, feed_track, track_row
from skywarden.service.schemas import TrackPointOut
from skywarden.store.users import Role

log = logging.getLogger(__name__)

BATCH_PERIOD_S = 1.0
# A scan's end may flush a batch this soon after the previous one. Without slack, a
# 1 Hz pipeline whose scans take a varying time would lock the flushes to its slowest
# scan and every batch would wait out the difference (measured: +240 ms at p50).
SCAN_FLUSH_MIN_GAP_S = 0.5
PENDING_GRACE_S = 0.1
TRACK_STALE_S = 15.0  # drop a live track not updated for this long (pipeline time)
CLIENT_QUEUE = 4
# The catch-up window: batches kept for reconnecting clients, bounded in count (5 min at
# one batch a second) and in track rows (about 36 MB of batches, measured at 590 bytes a
# row; with 1,000 live tracks that is the last minute).
HISTORY_BATCHES = 300
HISTORY_TRACK_ROWS = 60_000
CURSOR = re.compile(r"([0-9a-f]{8})-([0-9]{1,18})")
TRACK_LIST = TypeAdapter(list[TrackPointOut])


@dataclass
class Batch:
    tracks: dict[str, dict[str, Any]] = field(default_factory=dict)
    ended: set[str] = field(default_factory=set)
    incidents: dict[str, dict[str, Any]] = field(default_factory=dict)
    recommendations: dict[str, dict[str, Any]] = field(default_factory=dict)
    laser: dict[str, Any] | None = None
    pub: float | None = None
    since: float = 0.0  # wall time of the first change in this batch
    seq: int = 0  # its number in the feed, once flushed (1, 2, ...)

    def empty(self) -> bool:
        return not (
            self.tracks or self.ended or self.incidents or self.recommendations or self.laser
        )


class Client:
    """One WebSocket subscriber with its own bounded queue and sender task."""

    def __init__(self, ws: WebSocket, role: Role) -> None:
        self.ws = ws
        self.role = role
        self.queue: asyncio.Queue[str] = asyncio.Queue(CLIENT_QUEUE)
        self.dropped = 0
        self.closed = asyncio.Event()
        self.last_sent = 0.0  # wall time the last batch was handed to the socket

    def offer(self, text: str) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(text)

    async def pump(self) -> None:
        try:
            while True:
                text = await self.queue.get()
                await self.ws.send_text(text)
                self.last_sent = time.time()
        except Exception:  # the socket went away: the reader side ends the client
            self.closed.set()


class Hub:
    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self.t: float | None = None
        self.tracks: dict[str, dict[str, Any]] = {}
        self.incidents: dict[str, dict[str, Any]] = {}
        self.recommendations: dict[str, dict[str, Any]] = {}
        self.laser: dict[str, Any] | None = None
        self.meta: dict[str, Any] = {}
        self.clients: set[Client] = set()
        # ids a partner may have seen: only these can be announced as withdrawn (incidents)
        # or ended (tracks) to them; any other id would leak an unshared track's existence
        self._ever_shared: set[str] = set()
        self._ever_shared_tracks: set[str] = set()
        # bumped on every change of the live picture; REST answers are cached against it
        self.version = 0
        self._pictures: dict[bool, tuple[int, list[dict[str, Any]], bytes]] = {}
        self._pending = Batch()
        self._last_flush = 0.0
        self._task: asyncio.Task[None] | None = None
        self.batches_sent = 0
        # flush -> last client's send done, per batch (ms): the service's own share of
        # update latency, whatever the clients' machines are doing
        self.fanout_ms: deque[float] = deque(maxlen=600)
        self._fanned: tuple[float, list[Client]] | None = None
        # catch-up: this run's feed epoch, the last batch number, the recent batches
        self.epoch = secrets.token_hex(4)
        self.seq = 0
        self._history: deque[Batch] = deque()
        self._history_rows = 0

    # ------------------------------------------------------------------ lifecycle
    def seed(
        self,
        incidents: list[dict[str, Any]],
        recommendations: list[dict[str, Any]],
        laser: dict[str, Any] | None,
    ) -> None:
        """Start from the store's picture (after a restart the feed is not blank)."""
        self.incidents = {i["id"]: i for i in incidents}
        self._ever_shared = redact.shared_ids(incidents)
        self._ever_shared_tracks = redact.shared_tracks(incidents)
        self.version += 1
        self.recommendations = {r["id"]: r for r in recommendations}
        self.laser = laser

    def start(self) -> None:
        self._sub = self.bus.subscribe(TOPICS)
        self._task = asyncio.create_task(self._run(), name="skywarden-hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._sub.close()

    async def _run(self) -> None:
        scan_ended = False
        while True:
            # A finished scan waits at most until MIN_GAP after the last batch; anything
            # else pending (an operator action between scans) until a second after it.
            # (Waiting a full second after a scan locks the flushes to a late phase:
            # every later scan then also waits, measured +600 ms at 200 clients.)
            gap = SCAN_FLUSH_MIN_GAP_S if scan_ended else BATCH_PERIOD_S
            # ...and never sooner than a moment after the first pending change, so a
            # scan's tracks and the end-of-scan message that follows go out together.
            deadline = max(self._last_flush + gap, self._pending.since + PENDING_GRACE_S)
            timeout = None if self._pending.empty() else max(0.0, deadline - time.time())
            try:
                msg = await asyncio.wait_for(self._sub.get(), timeout)
            except TimeoutError:
                self.flush()
                scan_ended = False
                continue
            try:
                self.apply(msg)
            except Exception:  # a bad message must not stop the feed
                log.exception("hub: cannot apply %s message", msg.topic)
                continue
            if msg.topic == "clock":
                scan_ended = True
                if time.time() >= self._last_flush + SCAN_FLUSH_MIN_GAP_S:
                    self.flush()
                    scan_ended = False

    # ------------------------------------------------------------------ state
    def apply(self, msg: Message) -> None:
        d, p = msg.data, self._pending
        if p.empty():
            p.since = time.time()
        if msg.topic in ("tracks", "incidents"):
            self.version += 1
        if msg.topic == "tracks":
            pub = d.get("pub")
            if pub is not None:
                p.pub = pub if p.pub is None else min(p.pub, pub)
            for tr in d.get("tracks", []):
                tid = tr["track"]
                if tr["status"] == "ended":
                    self.tracks.pop(tid, None)
                    p.tracks.pop(tid, None)
                    p.ended.add(tid)
                else:
                    ft = feed_track(tr)
                    self.tracks[tid] = ft
                    p.tracks[tid] = ft
                    p.ended.discard(tid)
        elif msg.topic == "incidents":
            for inc in d.get("incidents", []):
                self.incidents[inc["id"]] = inc
                if inc.get("shared"):
                    self._ever_shared.add(inc["id"])
                    self._ever_shared_tracks.update(inc.get("tracks", []))
                p.incidents[inc["id"]] = inc
        elif msg.topic == "recommendations":
            for r in d.get("recommendations", []):
                self.recommendations[r["id"]] = r
                p.recommendations[r["id"]] = r
        elif msg.topic == "laser":
            self.laser = dict(d)
            p.laser = self.laser
        elif msg.topic == "clock":
            self.t = float(d["t"])
            self.meta.update({k: v for k, v in d.items() if k != "t"})
            self._prune(self.t)

    def _prune(self, t: float) -> None:
        for tid in [k for k, v in self.tracks.items() if t - v["t"] > TRACK_STALE_S]:
            self.version += 1
            del self.tracks[tid]
            self._pending.tracks.pop(tid, None)
            self._pending.ended.add(tid)
        for rid in [k for k, r in self.recommendations.items() if r["t_expires"] <= t]:
            del self.recommendations[rid]
        for iid in [
            k
            for k, i in self.incidents.items()
            if i["state"] == "resolved" and t - (i.get("t_updated") or t) > 3600
        ]:
            self.version += 1  # partner visibility follows the incidents
            del self.incidents[iid]

    def feed_stats(self) -> dict[str, Any]:
        xs = sorted(self.fanout_ms)

        def q(p: float) -> float | None:
            return round(xs[min(len(xs) - 1, int(p * len(xs)))], 1) if xs else None

        return {
            "clients": len(self.clients),
            "batches_sent": self.batches_sent,
            "fanout_ms_p50": q(0.5),
            "fanout_ms_p99": q(0.99),
            "dropped": sum(c.dropped for c in self.clients),
            "fanout_ms_last": [round(x, 1) for x in list(self.fanout_ms)[-60:]],
        }

    def active_recommendations(self) -> list[dict[str, Any]]:
        t = self.t if self.t is not None else time.time()
        recs = [r for r in self.recommendations.values() if r["t_issued"] <= t < r["t_expires"]]
        return sorted(recs, key=lambda r: r["t_issued"], reverse=True)

    # ------------------------------------------------------------------ views
    def view(self, role: Role, batch: Batch | None = None) -> dict[str, Any]:
        """A snapshot (``batch`` None) or a batch as the given role may see it."""
        if batch is None:
            kind = "snapshot"
            tracks = list(self.tracks.values())
            ended: list[str] = []
            incidents = list(self.incidents.values())
            recs = self.active_recommendations()
            laser = self.laser
            pub = None
            seq = self.seq
        else:
            kind = "batch"
            tracks = list(batch.tracks.values())
            ended = sorted(batch.ended)
            incidents = list(batch.incidents.values())
            recs = list(batch.recommendations.values())
            laser = batch.laser
            pub = batch.pub
            seq = batch.seq
        out: dict[str, Any] = {
            "type": kind,
            "t": self.t,
            "pub": pub,
            "sent": time.time(),
            "seq": seq,
            "cursor": self.cursor(seq),
            "track_fields": TRACK_FIELDS,
        }
        if role is Role.PARTNER:
            visible = redact.shared_tracks(self.incidents.values())
            shared = redact.shared_ids(self.incidents.values())
            out["tracks"] = [track_row(redact.track(t)) for t in tracks if t["track"] in visible]
            out["ended"] = [tid for tid in ended if tid in self._ever_shared_tracks]
            out["incidents"] = [redact.incident(i) for i in incidents if i["id"] in shared]
            out["withdrawn"] = [
                i["id"] for i in incidents if i["id"] not in shared and i["id"] in self._ever_shared
            ]
            out["recommendations"] = [
                redact.recommendation(r) for r in recs if r.get("incident") in shared
            ]
            out["laser"] = None
        else:
            out.update(
                tracks=[track_row(t) for t in tracks],
                ended=ended,
                incidents=incidents,
                recommendations=recs,
                laser=laser,
            )
        return out

    def picture(self, role: Role) -> list[dict[str, Any]]:
        """The live tracks as ``role`` may see them, redaction first: a partner's list
        holds only tracks of shared incidents, already rounded, so any filter a route
        applies afterwards (a bbox) sees nothing finer than the rounding."""
        return self._picture(role)[1]

    def picture_json(self, role: Role) -> bytes:
        """:meth:`picture` as the JSON of ``list[TrackPointOut]``, encoded once per change
        of the picture and audience however many clients poll ``GET /api/tracks``."""
        return self._picture(role)[2]

    def _picture(self, role: Role) -> tuple[int, list[dict[str, Any]], bytes]:
        partner = role is Role.PARTNER
        got = self._pictures.get(partner)
        if got is not None and got[0] == self.version:
            return got
        version = self.version
        tracks = list(self.tracks.values())
        if partner:
            visible = redact.shared_tracks(self.incidents.values())
            tracks = [redact.track(t) for t in tracks if t["track"] in visible]
        got = (version, tracks, TRACK_LIST.dump_json(TRACK_LIST.validate_python(tracks)))
        self._pictures[partner] = got
        return got

    def _measure_fanout(self) -> None:
        if self._fanned is not None:
            t, clients = self._fanned
            done = [c.last_sent for c in clients if c.last_sent >= t]
            if len(done) == len(clients) and done:
                self.fanout_ms.append((max(done) - t) * 1000.0)
        self._fanned = None

    def flush(self) -> None:
        self._measure_fanout()
        batch, self._pending = self._pending, Batch()
        self._last_flush = time.time()
        if batch.empty():
            return
        self.seq += 1
        batch.seq = self.seq
        self._remember(batch)
        if not self.clients:
            return
        texts: dict[bool, str] = {}
        for c in list(self.clients):
            partner = c.role is Role.PARTNER
            if partner not in texts:
                texts[partner] = _dumps(self.view(c.role, batch))
            c.offer(texts[partner])
        self.batches_sent += 1
        self._fanned = (self._last_flush, list(self.clients))

    # ------------------------------------------------------------------ catch-up
    def cursor(self, seq: int) -> str:
        return f"{self.epoch}-{seq}"

    def _remember(self, batch: Batch) -> None:
        self._history.append(batch)
        self._history_rows += len(batch.tracks) + len(batch.ended)
        while len(self._history) > HISTORY_BATCHES or (
            self._history_rows > HISTORY_TRACK_ROWS and len(self._history) > 1
        ):
            old = self._history.popleft()
            self._history_rows -= len(old.tracks) + len(old.ended)

    def missed(self, since: str) -> list[Batch] | str:
        """The batches after cursor ``since``, oldest first; or why they cannot be given."""
        m = CURSOR.fullmatch(since)
        if m is None:
            return "since: not a cursor of this feed (<epoch>-<batch>)"
        if m.group(1) != self.epoch:
            return "since: a cursor of an earlier run of the service (it restarted)"
        seq = int(m.group(2))
        if seq > self.seq:
            return f"since: batch {seq} is ahead of the feed (last {self.seq})"
        oldest = self._history[0].seq if self._history else self.seq + 1
        if seq < oldest - 1:
            return (
                f"since: batch {seq} is older than the catch-up window (batches {oldest}-"
                f"{self.seq} kept: at most {HISTORY_BATCHES} batches, {HISTORY_TRACK_ROWS} "
                "track rows)"
            )
        return [b for b in self._history if b.seq > seq]

    def opening(self, role: Role, since: str | None) -> list[str]:
        """What a new client gets first: a snapshot, or (``since``) the batches it missed.

        Synchronous, and the caller registers the client right after it, so no batch is
        flushed in between: the first live batch the client gets is ``self.seq + 1``.
        """
        missed = None if since is None else self.missed(since)
        if not isinstance(missed, list):
            self.flush()  # pending changes go out as a batch now: the snapshot is exact
            snap = self.view(role)
            if isinstance(missed, str):
                snap["gap"] = {"since": since, "reason": missed}
            return [_dumps(snap)]
        resume = {
            "type": "resume",
            "since": since,
            "batches": len(missed),
            "cursor": self.cursor(self.seq),
        }
        return [_dumps(resume)] + [_dumps({**self.view(role, b), "replay": True}) for b in missed]

    # ------------------------------------------------------------------ clients
    async def serve(self, ws: WebSocket, role: Role, since: str | None = None) -> None:
        """Run one accepted WebSocket until it closes: the opening (a snapshot, or the
        batches missed since cursor ``since``), then the live batches."""
        client = Client(ws, role)
        opening = self.opening(role, since)
        self.clients.add(client)  # at once: live batches queue behind the opening
        tasks: list[asyncio.Task[Any]] = []
        try:
            for text in opening:
                await ws.send_text(text)
            tasks = [
                asyncio.create_task(client.pump()),
                asyncio.create_task(self._drain(ws)),  # returns when the client goes away
                asyncio.create_task(client.closed.wait()),  # set when a send fails
            ]
            await asyncio.wait(tasks[1:], return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.clients.discard(client)
            for t in tasks:
                t.cancel()

    @staticmethod
    async def _drain(ws: WebSocket) -> None:
        with contextlib.suppress(Exception):
            while True:
                await ws.receive_text()


def _dumps(d: dict[str, Any]) -> str:
    return json.dumps(d, separators=(",", ":"))
