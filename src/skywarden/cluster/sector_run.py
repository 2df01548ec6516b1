"""One sector a worker owns: detections from its stream through THE stage loop, out as steps.

The sector's stages (tracker, airspace analyzer, hold-fire if a laser plan is given) run
in ``stages.Runner`` in their own thread, exactly as ``serve`` runs them; this class is
the loop's *source* (scans assembled from the stream's batches) and its *hooks*:

- source: a durable pull consumer on ``sw.det.<sector>`` starting just after the
  snapshot's sequence; batches are de-duplicated by stream sequence and by the edge's
  ``(boot, seq)`` (a re-sent batch long after JetStream's duplicate window), assembled
  into one ``Scan`` per edge and scan time (``DetBatch.last`` closes it), put in time
  order across edges by ``cluster.reorder`` (one edge: as they close; several, with
  ``skywarden edge --layout``: by a watermark, equal times merged into one scan) and
  queued to the thread;
- ``commit``: the scan's outputs become one ``SectorStep`` (after the hand-over hook has
  seen the track updates, see ``worker.OnUpdates``); every ``snapshot_every`` steps (or
  ``snapshot_s`` seconds) the stages' state is pickled with the last applied sequence;
- ``publish``: on the event loop, publish the step with ``Nats-Msg-Id = <sector>:<step>``
  (a recomputed step after a takeover has the same id, so JetStream drops it), and with
  a snapshot: store it, then acknowledge every batch it covers (``AckPolicy.ALL``).

Acknowledging at the snapshot, not at the step, is what makes a takeover exact: what is
acknowledged is in the stored state; what is not is read again by the next owner. With
several edges the applied batches are no longer a prefix of the stream (a held scan of
one edge is applied after a later one of another), so the snapshot's ``seq`` is the low
watermark: every batch at or before it is applied (the acknowledgement goes up to it
and a new owner reads from just after it), and the batches after it that are applied
already are dropped by the snapshot's per-edge ``(boot, seq)`` (each edge's scans are
applied in its own order, so what an edge has had applied is a prefix of what it sent).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from skywarden.cluster import codec, reorder
from skywarden.cluster import snapshot as snapshots
from skywarden.cluster.codec import DetBatch, SectorStep
from skywarden.model import Detection, TrackUpdate
from skywarden.pipeline.operators import OperatorFeed
from skywarden.stages import Hooks, ResumePoint, Runner, Scan, StageChain, StepResult
from skywarden.store import snapshots as store_snapshots

log = logging.getLogger("skywarden.cluster")

OnUpdates = Callable[[str, list[TrackUpdate]], list[TrackUpdate]]
SNAPSHOT_EVERY = 30  # steps between snapshots
SNAPSHOT_S = 5.0  # ... or wall seconds, whichever comes first
ACK_WAIT_S = 120.0  # must exceed the snapshot interval: unacked batches wait for it
FETCH = 256  # batches per pull
QUEUE_SCANS = 64  # assembled scans waiting for the stage thread (back-pressure)
PUBLISH_RETRY_S = 0.5
PUBLISH_TIMEOUT_S = 2.0  # a publish to a node that died is retried (same id) after this


@dataclass
class ScanMeta:
    """Where an assembled scan came from: stream sequences, edges, edge clocks."""

    t: float
    lo: int = 0
    hi: int = 0
    sent_min: float = float("inf")
    sent_max: float = float("-inf")
    edges: dict[str, tuple[int, int]] = field(default_factory=dict)
    last_msg: Any = None
    detections: list[Detection] = field(default_factory=list)
    rejected: int = 0
    seqs: list[int] = field(default_factory=list)

    def add(self, seq: int, b: DetBatch, msg: Any) -> None:
        self.lo = self.lo or seq
        self.hi = seq
        self.seqs.append(seq)
        self.sent_min, self.sent_max = min(self.sent_min, b.sent), max(self.sent_max, b.sent)
        self.edges[b.edge] = (b.boot, b.seq)
        self.last_msg = msg
        self.detections.extend(b.detections)
        self.rejected += b.rejected

    @classmethod
    def merged(cls, t: float, parts: list[ScanMeta]) -> ScanMeta:
        """Scans of several edges applied as one scan at ``t`` (in stream order of their
        closing). ``lo``/``hi`` then bound the stream sequences, not a range of them."""
        if len(parts) == 1:
            parts[0].t = t
            return parts[0]
        out = cls(t, min(m.lo for m in parts), max(m.hi for m in parts))
        for m in parts:
            out.sent_min = min(out.sent_min, m.sent_min)
            out.sent_max = max(out.sent_max, m.sent_max)
            out.edges.update(m.edges)
            out.detections.extend(m.detections)
            out.rejected += m.rejected
            out.seqs.extend(m.seqs)
        out.last_msg = max(parts, key=lambda m: m.hi).last_msg
        return out


class HookedTracker:
    """The tracker with the hand-over hook on its output, so the analyzer, hold-fire and
    the published step all see the ids the hook chose. Pickled without the hook."""

    def __init__(self, inner: Any, sector: str, hook: OnUpdates | None) -> None:
        self.inner, self.sector, self.hook = inner, sector, hook
        attach = getattr(hook, "attach_tracker", None)  # hand-over: class evidence
        if callable(attach):
            attach(lambda: self.inner)  # ``inner`` is replaced when a snapshot loads

    def step(self, t: float, detections: list[Detection]) -> list[TrackUpdate]:
        ups: list[TrackUpdate] = self.inner.step(t, detections)
        return self.hook(self.sector, ups) if self.hook is not None else ups


@dataclass
class Built:
    """A sector's stages as built for it, the fingerprint of that build, the big objects
    every build makes identically (left out of snapshots), and what feeds the stages
    from outside: the hand-over hook and the operators' actions."""

    chain: StageChain
    code: str
    static: dict[str, object] = field(default_factory=dict)
    hook: OnUpdates | None = None  # the hand-over hook the tracker's output goes through
    operators: OperatorFeed | None = None  # operators' actions from the core's store


@dataclass
class Counters:
    batches: int = 0
    duplicates: int = 0  # batches dropped as already applied or already queued
    bad: int = 0  # batches that did not decode (counted, acknowledged with the next ack)
    steps: int = 0
    detections: int = 0
    snapshots: int = 0
    publish_retries: int = 0
    late: int = 0  # scans of an edge that came after a later scan was applied (reorder)
    flushes: int = 0  # held scans released by a quiet stream, not by the watermark


class SectorRun(Hooks):
    """Run one owned sector until :meth:`stop` (see the module docstring)."""

    def __init__(
        self,
        js: Any,
        snapshot_store: Any,
        sector: str,
        worker: str,
        built: Built,
        *,
        snapshot_every: int = SNAPSHOT_EVERY,
        snapshot_s: float = SNAPSHOT_S,
        reorder_s: float = reorder.LAG_S,
    ) -> None:
        self.js, self.store, self.sector, self.worker = js, snapshot_store, sector, worker
        self.chain, self.code, self.static = built.chain, built.code, built.static
        self.hook, self.operators = built.hook, built.operators
        self.snapshot_every, self.snapshot_s = snapshot_every, snapshot_s
        self.runner = Runner(self.chain, self)
        self.counters = Counters()
        self.applied = snapshots.SectorSnapshot(self.code)  # what the stage state covers
        self.received = 0  # the newest stream sequence queued to the thread
        self.edges_seen: dict[str, tuple[int, int]] = {}
        self._q: queue.Queue[tuple[Scan, ScanMeta] | None] = queue.Queue(QUEUE_SCANS)
        self._meta: ScanMeta | None = None
        self._meta_in: dict[str, ScanMeta] = {}  # per edge: the scan being assembled
        self.reorder: reorder.Reorder[ScanMeta] = reorder.Reorder(reorder_s)
        # Shared by the loop (receiving) and the stage thread (applying, snapshotting):
        self._lock = threading.Lock()
        self._unapplied: set[int] = set()  # stream seqs received, not yet applied
        self._msgs: collections.deque[tuple[int, Any]] = collections.deque()  # to ack
        self._closes: list[tuple[int, str, float]] = []  # (last part's seq, edge, t)
        self._passed_w: dict[str, float] = {}  # reorder.passed as of the snapshot's seq
        self._last_batch = time.monotonic()
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last_snap = time.monotonic()
        self._psub: Any = None
        self.error: BaseException | None = None
        self.ready = asyncio.Event()  # set once the state is restored and reading began

    # ------------------------------------------------------------------ state
    def restore(self, snap: snapshots.SectorSnapshot | None) -> None:
        """Load the snapshot's stages into the chain (the fresh ones stay otherwise)."""
        if snap is None:
            return
        st = store_snapshots.loads(snap.state, self.static)
        tr = self.chain.tracker
        if isinstance(tr, HookedTracker):
            tr.inner = st["tracker"]
        else:
            self.chain.tracker = st["tracker"]
        self.chain.analyzer, self.chain.hold_fire = st["analyzer"], st.get("hold_fire")
        restore_hook = getattr(self.hook, "restore_state", None)
        if callable(restore_hook) and "hook" in st:
            restore_hook(st["hook"])
        self.applied = snap
        self.received = snap.seq
        self.edges_seen = dict(snap.edges)
        self._passed_w = dict(st.get("reorder", {}))
        self.reorder.passed = dict(self._passed_w)
        self.reorder.released_t = snap.t
        log.info("cluster: %s restored at seq %d (step %d)", self.sector, snap.seq, snap.step)

    def _dump(self) -> bytes:
        tr = self.chain.tracker
        st: dict[str, Any] = {
            "tracker": tr.inner if isinstance(tr, HookedTracker) else tr,
            "analyzer": self.chain.analyzer,
            "hold_fire": self.chain.hold_fire,
            "reorder": dict(self._passed_w),
        }
        hook_state = getattr(self.hook, "snapshot_state", None)
        if callable(hook_state):
            st["hook"] = hook_state()
        return store_snapshots.dumps(st, self.static)

    # ------------------------------------------------------------------ source (thread)
    def scans(self) -> Iterator[tuple[Scan, bool]]:
        while not self._stop.is_set():
            item = self._q.get()
            if item is None:
                return
            scan, self._meta = item
            yield scan, True  # durable already: it is in the stream

    # ------------------------------------------------------------------ hooks (thread)
    def before(self, scan: Scan) -> None:
        """Operators' actions stored since the last scan reach the analyzer (with
        ``--db``; ``pipeline.operators``: after a takeover they are heard again, and one
        the restored analyzer already reflects is refused by the lifecycle and skipped)."""
        if self.operators is not None and self.chain.analyzer is not None:
            self.operators.apply(self.chain.analyzer, scan.t)

    def commit(self, result: StepResult) -> object:
        m = self._meta
        if m is None or result.final:
            return None
        step = self.runner.steps_done + 1
        d = result.decision.to_dict() if result.decision is not None else None
        ups, events, incidents = list(result.updates), list(result.events), result.incidents
        recs = list(result.recommendations)
        narrow = getattr(self.hook, "filter_step", None)  # hand-over: what this sector
        if callable(narrow):  # reports of what its analyzer saw (cluster.handover_hook)
            ups, events, incidents, recs = narrow(ups, events, list(incidents), recs)
        out = SectorStep(
            self.sector,
            step,
            result.t,
            self.worker,
            m.lo,
            m.hi,
            len(m.detections),
            m.sent_min,
            m.sent_max,
            ups,
            events,
            list(incidents),
            recs,
            d,
            time.time(),
        )
        self.applied.step, self.applied.t = step, result.t
        self.applied.edges.update(m.edges)
        snap, ack = None, None
        due = step % self.snapshot_every == 0 or (
            time.monotonic() - self._last_snap >= self.snapshot_s
        )
        with self._lock:
            self._unapplied.difference_update(m.seqs)
            low = min(self._unapplied) - 1 if self._unapplied else self.received
            self.applied.seq = low  # every batch at or before it is applied
            if due:
                ack = self._settle(low)
        if due:
            self.applied.state = self._dump()
            snap = snapshots.SectorSnapshot(
                self.code, low, step, result.t, dict(self.applied.edges), self.applied.state
            )
            self._last_snap = time.monotonic()
        self.counters.steps += 1
        self.counters.detections += len(m.detections)
        return out, snap, ack

    def _settle(self, low: int) -> Any:
        """At a snapshot (lock held): the message to acknowledge (the newest at or before
        ``low``; ``AckPolicy.ALL`` covers the rest), and the edges' progress as of ``low``
        for the snapshot (a new owner reading from ``low + 1`` sees the rest again)."""
        ack = None
        while self._msgs and self._msgs[0][0] <= low:
            ack = self._msgs.popleft()[1]
        keep = []
        for seq, edge, t in self._closes:
            if seq <= low:
                self._passed_w[edge] = max(self._passed_w.get(edge, t), t)
            else:
                keep.append((seq, edge, t))
        self._closes = keep
        return ack

    def publish(self, result: StepResult, committed: object) -> None:  # noqa: ARG002
        if not isinstance(committed, tuple) or self._loop is None:
            return
        fut = asyncio.run_coroutine_threadsafe(self._publish(*committed), self._loop)
        while not self._stop.is_set():
            try:
                fut.result(0.25)
                return
            except TimeoutError:
                continue
        fut.cancel()

    def stopped(self) -> bool:
        return self._stop.is_set()

    # ------------------------------------------------------------------ the loop side
    async def _publish(
        self, out: SectorStep, snap: snapshots.SectorSnapshot | None, last_msg: Any
    ) -> None:
        """The step (retried until stored), then the snapshot and the acknowledgement."""
        data = codec.encode(out)
        hdr = {"Nats-Msg-Id": out.msg_id}
        while not self._stop.is_set():
            try:
                await self.js.publish(
                    codec.out_subject(self.sector), data, timeout=PUBLISH_TIMEOUT_S, headers=hdr
                )
                break
            except Exception as e:  # timeouts, no responders during a leader election
                self.counters.publish_retries += 1
                log.warning("cluster: %s step %d not stored yet: %s", self.sector, out.step, e)
                await asyncio.sleep(PUBLISH_RETRY_S)
        if snap is None or self._stop.is_set():
            return
        try:
            await snapshots.save(self.store, self.sector, snap)
            self.counters.snapshots += 1
            if last_msg is not None:
                await last_msg.ack()  # AckPolicy.ALL: every batch up to it
        except Exception as e:  # the next snapshot tries again; nothing is acked meanwhile
            log.warning("cluster: %s snapshot at step %d not stored: %s", self.sector, snap.step, e)

    async def _consumer(self) -> Any:
        """The sector's durable consumer, re-created to start after the snapshot."""
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
        from nats.js.errors import NotFoundError

        from skywarden.cluster.topology import DET_STREAM

        durable = f"w-{self.sector}"
        with contextlib.suppress(NotFoundError):
            await self.js.delete_consumer(DET_STREAM, durable)
        start = self.applied.seq + 1
        cfg = ConsumerConfig(
            durable_name=durable,
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=start,
            ack_policy=AckPolicy.ALL,
            ack_wait=ACK_WAIT_S,
            max_ack_pending=-1,
            filter_subject=codec.det_subject(self.sector),
        )
        await self.js.add_consumer(DET_STREAM, cfg)
        return await self.js.pull_subscribe_bind(durable, DET_STREAM)

    async def run(self) -> None:
        """Read, assemble and queue scans until stopped; the stages run in a thread."""
        import nats.errors

        self._loop = asyncio.get_running_loop()
        self._psub = await self._consumer()
        thread = asyncio.create_task(asyncio.to_thread(self._drive))
        self.ready.set()
        try:
            while not self._stop.is_set() and not thread.done():
                try:
                    msgs = await self._psub.fetch(FETCH, timeout=0.5)
                except (nats.errors.TimeoutError, TimeoutError):
                    await self._quiet()
                    continue
                for msg in msgs:
                    await self._take(msg)
        finally:
            self.stop()
            await thread
            with contextlib.suppress(Exception):  # the connection may be gone: nothing to undo
                await self._psub.unsubscribe()

    def _drive(self) -> None:
        try:
            self.runner.run(self.scans(), ResumePoint(steps=self.applied.step))
        except BaseException as e:
            self.error = e
            log.exception("cluster: sector %s stopped", self.sector)
            self._stop.set()

    async def _take(self, msg: Any) -> None:
        seq = int(msg.metadata.sequence.stream)
        if seq <= self.received:
            self.counters.duplicates += 1
            return
        with self._lock:  # received and unapplied move together (the thread reads both)
            self.received = seq
            self._unapplied.add(seq)
            self._msgs.append((seq, msg))
        self._last_batch = time.monotonic()
        b = self._decode(seq, msg)
        if b is not None and (b.boot, b.seq) <= self.edges_seen.get(b.edge, (-1, -1)):
            self.counters.duplicates += 1
            if b.last:  # applied before a takeover: it still moves its edge on
                with self._lock:
                    self._closes.append((seq, b.edge, b.t))
                await self._enqueue(self.reorder.seen(b.edge, b.t))
            b = None
        if b is None:
            with self._lock:
                self._unapplied.discard(seq)
            return
        self.edges_seen[b.edge] = (b.boot, b.seq)
        m = self._meta_in.get(b.edge)
        if m is not None and b.t != m.t:
            await self._close(b.edge)  # a new scan time closes an unfinished one (restart)
        self._meta_in.setdefault(b.edge, ScanMeta(b.t)).add(seq, b, msg)
        if b.last:
            await self._close(b.edge)

    def _decode(self, seq: int, msg: Any) -> DetBatch | None:
        """The batch, or None (counted, logged) if it is not one for this sector."""
        try:
            b = codec.decode_batch(msg.data, msg.subject)
        except codec.CodecError as e:
            self.counters.bad += 1
            log.warning("cluster: seq %d dropped: %s", seq, e)
            return None
        self.counters.batches += 1
        if b.sector != self.sector:
            self.counters.bad += 1
            log.warning("cluster: seq %d is for sector %r, not %r", seq, b.sector, self.sector)
            return None
        return b

    async def _close(self, edge: str) -> None:
        """An edge's scan is complete: to the reorder, and what it releases to the thread."""
        m = self._meta_in.pop(edge, None)
        if m is None:
            return
        with self._lock:
            self._closes.append((m.hi, edge, m.t))
        await self._enqueue(self.reorder.push(edge, m.t, m))

    async def _quiet(self) -> None:
        """No batch for a fetch: after ``reorder.FLUSH_S`` release what is held."""
        if len(self.reorder) and time.monotonic() - self._last_batch >= reorder.FLUSH_S:
            self.counters.flushes += 1
            await self._enqueue(self.reorder.flush())

    async def _enqueue(self, releases: list[reorder.Release[ScanMeta]]) -> None:
        for r in releases:
            m = ScanMeta.merged(r.t, r.items)
            if r.late:
                self.counters.late += 1
                log.warning("cluster: %s late scan applied at t=%s", self.sector, r.t)
            item = (Scan(m.t, m.detections), m)
            while not self._stop.is_set():
                try:
                    self._q.put_nowait(item)
                    break
                except queue.Full:
                    await asyncio.sleep(0.005)

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(queue.Full):  # the thread is busy; it checks the flag
            self._q.put_nowait(None)
