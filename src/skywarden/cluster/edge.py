"""An edge gateway: a sensor site's scans published as detection batches on ``sw.det.<sector>``.

The edge runs the same sources as ``serve`` (a scenario, recorded files, live sockets)
and turns each scan into ``DetBatch`` messages (at most ``codec.MAX_PER_BATCH``
detections each, the last one closing the scan), each with ``Nats-Msg-Id =
<edge>:<boot>:<seq>`` so a publish retried after a lost acknowledgement is stored once.
It also writes the sector's definition to ``sw_sectors`` for the workers.

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
from typing import Any, Protocol

from skywarden.cluster import codec, sectors
from skywarden.cluster.codec import DetBatch
from skywarden.errors import SkywardenError
from skywarden.service.sources import SectorInfo
from skywarden.stages import Pacer, Scan, WallClock

log = logging.getLogger("skywarden.cluster")

PUBLISH_TIMEOUT_S = 2.0
DRAIN_S = 1.0


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
    ) -> None:
        self.js, self.edge = js, edge
        self.sector = codec.check_sector(sector)
        self.subject = codec.det_subject(sector)
        self.spool: Spool = spool if spool is not None else MemorySpool()
        self.boot = boot if boot is not None else time.time_ns()
        self.seq = 0
        self.max_per_batch = max(1, max_per_batch)
        self.counters = EdgeCounters()

    async def announce(self, kv: Any, info: SectorInfo) -> None:
        """Write the sector's definition for the workers (``sw_sectors``)."""
        await kv.put(self.sector, sectors.to_json(info))

    def batches(self, scan: Scan) -> list[DetBatch]:
        """A scan as its batches: at least one (an empty scan still moves the clock)."""
        dets = scan.detections
        n = self.max_per_batch
        parts = [dets[i : i + n] for i in range(0, len(dets), n)] or [[]]
        out = []
        now = time.time()
        for k, part in enumerate(parts):
            self.seq += 1
            last = k == len(parts) - 1
            rej = len(scan.rejected) if last else 0
            out.append(
                DetBatch(self.edge, self.boot, self.seq, self.sector, scan.t, last, now, part, rej)
            )
        return out

    async def publish_scan(self, scan: Scan) -> None:
        """Publish (or spool) every batch of ``scan``, in order."""
        self.counters.scans += 1
        self.counters.detections += len(scan.detections)
        self.counters.rejected += len(scan.rejected)
        for b in self.batches(scan):
            await self._send(b.msg_id, codec.encode(b))

    async def _send(self, msg_id: str, payload: bytes) -> None:
        if len(self.spool) and not await self.drain():
            await self._spool(msg_id, payload)
            return
        if not await self._publish(msg_id, payload):
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

    async def _publish(self, msg_id: str, payload: bytes) -> bool:
        try:
            await self.js.publish(
                self.subject, payload, timeout=PUBLISH_TIMEOUT_S, headers={"Nats-Msg-Id": msg_id}
            )
        except Exception as e:  # not connected, timed out, no stream leader
            log.debug("edge: %s not stored: %s", msg_id, e)
            return False
        return True

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
