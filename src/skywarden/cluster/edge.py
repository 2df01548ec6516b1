"""An edge gateway: a sensor site's scans published as detection batches on ``sw.det.<sector>``.

The edge runs the same sources as ``serve`` (a scenario, recorded files, live sockets)
and turns each scan into ``DetBatch`` messages (at most ``codec.MAX_PER_BATCH``
detections each, the last one closing the scan), each with ``Nats-Msg-Id =
<edge>:<boot>:<seq>`` so a publish retried after a lost acknowledgement is stored once.
It also writes the sector's definition to ``sw_sectors`` for the workers.

With a :class:`~skywarden.cluster.overlap.SectorLayout` (``skywarden edge --layout``) the
edge applies the hand-over membership rule (docs/handover.md): each scan's detections go
to *every* sector whose extended area holds them, one batch stream per target sector,
each batch a separate message with its own ``seq`` (``SW_DET`` de-duplicates ids across
all sectors' subjects, so an id is never reused on two subjects). The home sector
(``--sector``) gets every scan, empty or not (its clock moves); another sector gets the
scans that hold detections for it, and empty ones for ``LINGER_S`` of scan time after
its last detection, so its worker knows this edge has passed a time and need not wait
for it (``cluster.reorder``). After that the edge falls silent on that subject and the
worker stops waiting for it ``reorder.LAG_S`` later.

When NATS cannot take a message (unreachable, no acknowledgement in ``PUBLISH_TIMEOUT_S``)
the message goes to the :class:`Spool` instead, and so does every message after it
until the spool has drained, so the stream keeps the edge's order. A drain runs every
``DRAIN_S``: oldest first, each acknowledged in the spool once JetStream has stored it.
``Spool`` is the interface of ``cluster.spool.DiskSpool`` (bounded, on disk, crash-safe);
:class:`MemorySpool` is a bounded stand-in for tests and for ``--spool-bytes 0``... of
memory only (nothing survives the edge's own crash).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from skywarden.cluster import codec, sectors
from skywarden.cluster.codec import DetBatch
from skywarden.errors import SkywardenError
from skywarden.model import Detection
from skywarden.service.sources import SectorInfo
from skywarden.stages import Pacer, Scan, WallClock

if TYPE_CHECKING:
    from skywarden.cluster.overlap import SectorLayout

log = logging.getLogger("skywarden.cluster")

PUBLISH_TIMEOUT_S = 2.0
DRAIN_S = 1.0
LINGER_S = 10.0  # scan seconds a sector keeps getting (empty) scans after its last detection


class SpoolFullError(SkywardenError, RuntimeError):
    """The edge's spool is full: NATS has been away too long; the edge stops reading."""


class Spool(Protocol):
    """What the edge needs of a spool (``cluster.spool.DiskSpool`` implements it)."""

    def append(self, msg_id: str, payload: bytes) -> None: ...

    def pending(self) -> Iterator[tuple[str, bytes]]: ...

    def ack(self, msg_id: str) -> None: ...

    def __len__(self) -> int: ...


class MemorySpool:
    """A bounded in-memory spool (same interface; raises ``SpoolFullError`` at the limit)."""

    def __init__(self, max_bytes: int = 64 << 20) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def append(self, msg_id: str, payload: bytes) -> None:
        if self.bytes + len(payload) > self.max_bytes:
            raise SpoolFullError(f"spool full at {self.bytes} of {self.max_bytes} bytes")
        self._items[msg_id] = payload
        self.bytes += len(payload)

    def pending(self) -> Iterator[tuple[str, bytes]]:
        return iter(list(self._items.items()))

    def ack(self, msg_id: str) -> None:
        payload = self._items.pop(msg_id, None)
        if payload is not None:
            self.bytes -= len(payload)

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class EdgeCounters:
    scans: int = 0
    detections: int = 0
    published: int = 0
    spooled: int = 0
    drained: int = 0
    rejected: int = 0
    full_waits: int = 0


def _is_full(e: BaseException) -> bool:
    """``SpoolFullError`` here, ``SpoolFull`` of ``cluster.spool`` (matched by name, so
    the edge does not depend on which spool is installed)."""
    return isinstance(e, SpoolFullError) or type(e).__name__ == "SpoolFull"


class Edge:
    """Publish one sector's scans (see the module docstring)."""

    def __init__(
        self,
        js: Any,
        edge: str,
        sector: str,
        spool: Spool | None = None,
        *,
        boot: int | None = None,
        max_per_batch: int = codec.MAX_PER_BATCH,
        layout: SectorLayout | None = None,
        linger_s: float = LINGER_S,
    ) -> None:
        self.js, self.edge = js, edge
        self.sector = codec.check_sector(sector)
        self.subject = codec.det_subject(sector)
        if layout is not None and sector not in layout.areas:
            raise codec.CodecError(
                f"edge {edge}: home sector {sector!r} is not in the layout "
                f"(it has {sorted(layout.areas)})"
            )
        for s in layout.areas if layout is not None else ():
            codec.check_sector(s)
        self.layout, self.linger_s = layout, linger_s
        self._last_hit: dict[str, float] = {}  # sector -> scan time of its last detection
        self.spool: Spool = spool if spool is not None else MemorySpool()
        self.boot = boot if boot is not None else time.time_ns()
        self.seq = 0
        self.max_per_batch = max(1, max_per_batch)
        self.counters = EdgeCounters()

    async def announce(self, kv: Any, info: SectorInfo) -> None:
        """Write the sector's definition for the workers (``sw_sectors``)."""
        await kv.put(self.sector, sectors.to_json(info))

    def routed(self, scan: Scan) -> dict[str, list[Detection]]:
        """Per target sector, this scan's detections for it (see the module docstring):
        only the home sector without a layout."""
        if self.layout is None:
            return {self.sector: scan.detections}
        out: dict[str, list[Detection]] = {}
        for s, dets in self.layout.route(scan.detections).items():
            if dets:
                self._last_hit[s] = scan.t
            hit = self._last_hit.get(s)
            if s == self.sector or dets or (hit is not None and scan.t - hit <= self.linger_s):
                out[s] = dets
        return out

    def batches(self, scan: Scan) -> list[DetBatch]:
        """A scan as its batches, per target sector: at least one for the home sector
        (an empty scan still moves the clock); every batch has the next ``seq``."""
        out = []
        for s, dets in self.routed(scan).items():
            out.extend(self._parts(scan, s, dets))
        return out

    def _parts(self, scan: Scan, sector: str, dets: list[Detection]) -> list[DetBatch]:
        n = self.max_per_batch
        parts = [dets[i : i + n] for i in range(0, len(dets), n)] or [[]]
        out = []
        now = time.time()
        for k, part in enumerate(parts):
            self.seq += 1
            last = k == len(parts) - 1
            rej = len(scan.rejected) if last else 0
            out.append(
                DetBatch(self.edge, self.boot, self.seq, sector, scan.t, last, now, part, rej)
            )
        return out

    async def publish_scan(self, scan: Scan) -> None:
        """Publish (or spool) every batch of ``scan``, in order."""
        self.counters.scans += 1
        self.counters.detections += len(scan.detections)
        self.counters.rejected += len(scan.rejected)
        for b in self.batches(scan):
            await self._send(b.msg_id, codec.encode(b), codec.det_subject(b.sector))

    async def _send(self, msg_id: str, payload: bytes, subject: str) -> None:
        if len(self.spool) and not await self.drain():
            await self._spool(msg_id, payload)
            return
        if not await self._publish(msg_id, payload, subject):
            await self._spool(msg_id, payload)
            return
        self.counters.published += 1

    async def _spool(self, msg_id: str, payload: bytes) -> None:
        """Into the spool; a full spool blocks here (the edge stops reading its source:
        back-pressure to the sensor's own buffer) until a drain makes room."""
        while True:
            try:
                self.spool.append(msg_id, payload)
                break
            except Exception as e:
                if not _is_full(e):
                    raise
                self.counters.full_waits += 1
                log.warning("edge: spool full (%s); waiting for NATS", e)
                await asyncio.sleep(DRAIN_S)
                await self.drain()
        self.counters.spooled += 1

    async def _publish(self, msg_id: str, payload: bytes, subject: str | None = None) -> bool:
        """Publish on ``subject``: the home sector's unless given; a spooled message's
        subject is read back from its payload (the batch names its sector)."""
        if subject is None:
            subject = self.subject if self.layout is None else self._subject_of(payload)
        try:
            await self.js.publish(
                subject, payload, timeout=PUBLISH_TIMEOUT_S, headers={"Nats-Msg-Id": msg_id}
            )
        except Exception as e:  # not connected, timed out, no stream leader
            log.debug("edge: %s not stored: %s", msg_id, e)
            return False
        return True

    def _subject_of(self, payload: bytes) -> str:
        try:
            return codec.det_subject(codec.decode_batch(payload).sector)
        except codec.CodecError:
            return self.subject  # not ours to judge here: the worker counts it as bad

    async def drain(self) -> bool:
        """Send the spool's messages oldest first; True once it is empty."""
        for msg_id, payload in self.spool.pending():
            if not await self._publish(msg_id, payload):
                return False
            self.spool.ack(msg_id)
            self.counters.drained += 1
        return len(self.spool) == 0


def only_sensors(scans: Iterable[Scan], sensors: frozenset[str]) -> Iterator[Scan]:
    """The scans with only ``sensors``' detections (one site's share of a shared source)."""
    for scan in scans:
        keep = [d for d in scan.detections if d.sensor in sensors]
        yield Scan(scan.t, keep, rejected=scan.rejected)


async def run_edge(
    edge: Edge, scans: Iterable[Scan], speed: float | None, stop: threading.Event
) -> None:
    """Publish ``scans`` (read in a thread, paced at ``speed`` x real time, or as they
    come for None) until they end or ``stop`` is set; then drain the spool."""
    q: queue.Queue[Scan | None] = queue.Queue(8)
    pacer: Pacer = WallClock(speed, stop) if speed else Pacer()

    def read() -> None:
        try:
            for scan in scans:
                if stop.is_set():
                    break
                pacer.wait_for(scan.t)
                q.put(scan)
        finally:
            q.put(None)

    reader = threading.Thread(target=read, name="skywarden-edge-source", daemon=True)
    reader.start()
    while True:
        scan = await asyncio.to_thread(q.get)
        if scan is None:
            break
        await edge.publish_scan(scan)
    while len(edge.spool) and not stop.is_set():
        if not await edge.drain():
            await asyncio.sleep(DRAIN_S)
