"""One sector a worker owns: detections from its stream through THE stage loop, out as steps.

The sector's stages (tracker, airspace analyzer, hold-fire if a laser plan is given) run
in ``stages.Runner`` in their own thread, exactly as ``serve`` runs them; this class is
the loop's *source* (scans assembled from the stream's batches) and its *hooks*:

- source: a durable pull consumer on ``sw.det.<sector>`` starting just after the
  snapshot's sequence; batches are de-duplicated by stream sequence and by the edge's
  ``(boot, seq)`` (a re-sent batch long after JetStream's duplicate window), assembled
  into one ``Scan`` per scan time (``DetBatch.last`` closes it) and queued to the thread;
- ``commit``: the scan's outputs become one ``SectorStep`` (after the hand-over hook has
  seen the track updates, see ``worker.OnUpdates``); every ``snapshot_every`` steps (or
  ``snapshot_s`` seconds) the stages' state is pickled with the last applied sequence;
- ``publish``: on the event loop, publish the step with ``Nats-Msg-Id = <sector>:<step>``
  (a recomputed step after a takeover has the same id, so JetStream drops it), and with
  a snapshot: store it, then acknowledge every batch it covers (``AckPolicy.ALL``).

Acknowledging at the snapshot, not at the step, is what makes a takeover exact: what is
acknowledged is in the stored state; what is not is read again by the next owner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from skywarden.cluster import codec
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

    def add(self, seq: int, b: DetBatch, msg: Any) -> None:
        self.lo = self.lo or seq
        self.hi = seq
        self.sent_min, self.sent_max = min(self.sent_min, b.sent), max(self.sent_max, b.sent)
        self.edges[b.edge] = (b.boot, b.seq)
        self.last_msg = msg
        self.detections.extend(b.detections)
        self.rejected += b.rejected


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
        log.info("cluster: %s restored at seq %d (step %d)", self.sector, snap.seq, snap.step)

    def _dump(self) -> bytes:
        tr = self.chain.tracker
        st: dict[str, Any] = {
            "tracker": tr.inner if isinstance(tr, HookedTracker) else tr,
            "analyzer": self.chain.analyzer,
            "hold_fire": self.chain.hold_fire,
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
        self.applied.seq, self.applied.step, self.applied.t = m.hi, step, result.t
        self.applied.edges.update(m.edges)
        snap = None
        due = step % self.snapshot_every == 0 or (
            time.monotonic() - self._last_snap >= self.snapshot_s
        )
        if due:
            self.applied.state = self._dump()
            snap = snapshots.SectorSnapshot(
                self.code, m.hi, step, result.t, dict(self.applied.edges), self.applied.state
            )
            self._last_snap = time.monotonic()
        self.counters.steps += 1
        self.counters.detections += len(m.detections)
        return out, snap, m.last_msg

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
        self.received = seq
        try:
            b = codec.decode_batch(msg.data, msg.subject)
        except codec.CodecError as e:
            self.counters.bad += 1
            log.warning("cluster: seq %d dropped: %s", seq, e)
            return
        self.counters.batches += 1
        if b.sector != self.sector:
            self.counters.bad += 1
            log.warning("cluster: seq %d is for sector %r, not %r", seq, b.sector, self.sector)
            return
        if (b.boot, b.seq) <= self.edges_seen.get(b.edge, (-1, -1)):
            self.counters.duplicates += 1
            return
        self.edges_seen[b.edge] = (b.boot, b.seq)
        m = self._meta_in
        if m is not None and b.t != m.t:
            await self._close()  # a new scan time closes an unfinished one (edge restarted)
        if self._meta_in is None:
            self._meta_in = ScanMeta(b.t)
        if b.t < self.applied.t:
            log.warning("cluster: %s batch at t=%s behind the state (t=%s)", self.sector, b.t,
                        self.applied.t)  # fmt: skip
        self._meta_in.add(seq, b, msg)
        if b.last:
            await self._close()

    _meta_in: ScanMeta | None = None

    async def _close(self) -> None:
        m, self._meta_in = self._meta_in, None
        if m is None:
            return
        item = (Scan(m.t, m.detections), m)
        while not self._stop.is_set():
            try:
                self._q.put_nowait(item)
                return
            except queue.Full:
                await asyncio.sleep(0.005)

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(queue.Full):  # the thread is busy; it checks the flag
            self._q.put_nowait(None)
