"""The edge's path to JetStream: publish in order, spool to disk when NATS is down, drain.

Why: an edge gateway ingests whether or not the bus is up. :class:`Forwarder` publishes
each message with its id in the ``Nats-Msg-Id`` header and waits for JetStream's ack. A
publish that fails (after ``retries`` quick retries) goes to the :class:`DiskSpool`, and
so does every later message while anything is spooled, so the stream receives messages
in the order they were given. A background task reconnects with capped exponential
back-off (``BACKOFF_S``) and drains the spool oldest first in pipelined batches, acking
each message only after JetStream stored it. A publish that succeeded but whose ack was
lost is sent again from the spool and de-duplicated by JetStream by its message id
(within the stream's duplicate window, two minutes by default: the stream's owner sets
it longer than the longest outage it must bridge without duplicates).

Back-pressure: :meth:`Forwarder.publish` returns once the message is stored by JetStream
or fsynced in the spool; when the spool is full it raises :class:`SpoolFull` and the
caller stops reading its source. The forwarder never creates streams: the subjects it
publishes to must belong to a stream (the cluster's edge sets it up).

    spool = DiskSpool(Path("/var/spool/skywarden/edge1"), 2 * 1024**3)
    fwd = Forwarder("nats://127.0.0.1:4222", spool)
    await fwd.start()
    await fwd.publish("sw.det.s1", "edge1-000001", payload)
    await fwd.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from skywarden.cluster.spool import DiskSpool, SpoolError

log = logging.getLogger(__name__)

__all__ = ["BACKOFF_S", "Forwarder", "ForwarderStats"]

MSG_ID_HEADER = "Nats-Msg-Id"
BACKOFF_S = (0.1, 5.0)  # first wait after a failure, cap (doubled per failure)
DRAIN_BATCH = 512  # messages in flight at once (pipelined; below nats-py's limit of 4,000)
RECONNECT_WAIT_S = 1  # between connection attempts while NATS is down (whole seconds: nats-py)
SUBJECT_LEN = struct.Struct("<H")


@dataclass(slots=True)
class ForwarderStats:
    published: int = 0  # stored by JetStream on the first try
    spooled: int = 0  # written to the spool
    replayed: int = 0  # published from the spool and acked
    failures: int = 0  # failed publish attempts and reconnects


def _frame(subject: str, payload: bytes) -> bytes:
    raw = subject.encode("utf-8")
    return SUBJECT_LEN.pack(len(raw)) + raw + payload


def _unframe(data: bytes) -> tuple[str, bytes]:
    (n,) = SUBJECT_LEN.unpack_from(data)
    end = SUBJECT_LEN.size + n
    return data[SUBJECT_LEN.size : end].decode("utf-8"), data[end:]


class Forwarder:
    """Publish ``(subject, msg_id, payload)`` to JetStream in order, through ``spool``."""

    def __init__(
        self,
        url: str,
        spool: DiskSpool,
        *,
        publish_timeout_s: float = 2.0,
        retries: int = 1,
        backoff_s: tuple[float, float] = BACKOFF_S,
        drain_batch: int = DRAIN_BATCH,
    ) -> None:
        self.url = url
        self.spool = spool
        self.publish_timeout_s = publish_timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        if not 0 < drain_batch <= 4000:
            raise ValueError(f"forwarder: drain_batch must be 1-4000, not {drain_batch}")
        self.drain_batch = drain_batch
        self.stats = ForwarderStats()
        self.nc: Any = None
        self.js: Any = None
        self._lock = asyncio.Lock()  # one publisher at a time: the order is the call order
        self._wake = asyncio.Event()
        self._empty = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._connector: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle
    async def start(self, connect_wait_s: float = 2.0) -> None:
        """Start connecting (NATS need not be up: the client retries for ever, and until
        it is connected messages go to the spool) and the drain task; waits up to
        ``connect_wait_s`` for a first connection."""
        self._connector = asyncio.create_task(self._connect(), name="skywarden-forwarder-connect")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._connector), connect_wait_s)
        if len(self.spool):  # left from before a restart
            self._wake.set()
        else:
            self._empty.set()
        self._task = asyncio.create_task(self._drain_forever(), name="skywarden-forwarder")

    async def close(self) -> None:
        """Stop draining (what is spooled stays spooled) and close the connection."""
        self._closing = True
        for task in (self._task, self._connector):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        if self.nc is not None:
            with contextlib.suppress(Exception):
                await self.nc.close()
        self.spool.sync()

    async def drained(self, timeout_s: float) -> bool:
        """Wait until the spool is empty; False if it is not after ``timeout_s``."""
        try:
            await asyncio.wait_for(self._empty.wait(), timeout_s)
        except TimeoutError:
            return False
        return True

    @property
    def connected(self) -> bool:
        return self.js is not None and bool(self.nc.is_connected)

    async def _connect(self) -> None:
        from nats.aio.client import Client

        # pending_size=0: no hidden client-side buffer while disconnected; a publish
        # then fails at once and the message goes to the spool, which is on disk.
        # max_reconnect_attempts=-1: the first connection, and every reconnection after
        # an outage, is retried for ever (every RECONNECT_WAIT_S).
        self.nc = nc = Client()
        await nc.connect(
            self.url,
            connect_timeout=2,
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=RECONNECT_WAIT_S,
            pending_size=0,
            error_cb=_quiet,
            disconnected_cb=_quiet_event,
            reconnected_cb=_quiet_event,
        )
        self.js = nc.jetstream()

    # ------------------------------------------------------------------ publishing
    async def publish(self, subject: str, msg_id: str, payload: bytes) -> None:
        """Stored by JetStream or fsynced in the spool when this returns (SpoolFull: neither)."""
        await self.publish_many(((subject, msg_id, payload),))

    async def publish_many(self, items: Sequence[tuple[str, str, bytes]]) -> None:
        """A batch, in order: pipelined to JetStream, or from the first failure on, spooled."""
        if not items:
            return
        for subject, msg_id, _ in items:
            if not subject or not isinstance(subject, str):
                raise SpoolError(f"forwarder {self.url}: message {msg_id!r} has no subject")
        async with self._lock:
            done = 0
            if self._empty.is_set() and self.connected:
                for attempt in range(self.retries + 1):
                    done += await self._send(items[done:])
                    if done == len(items):
                        self.stats.published += done
                        return
                    self.stats.failures += 1
                    if attempt < self.retries:
                        await asyncio.sleep(self.backoff_s[0])
                self.stats.published += done
            rest = [(m, _frame(s, p)) for s, m, p in items[done:]]
            await asyncio.to_thread(self.spool.append_many, rest)  # SpoolFull goes to the caller
            self.stats.spooled += len(rest)
            self._empty.clear()
            self._wake.set()

    async def _send(self, items: Sequence[tuple[str, str, bytes]]) -> int:
        """Publish pipelined, ``drain_batch`` at a time; the number of leading messages
        JetStream acked (it stops at the first chunk with a failure)."""
        done = 0
        for at in range(0, len(items), self.drain_batch):
            chunk = items[at : at + self.drain_batch]
            ok = await self._send_chunk(chunk)
            done += ok
            if ok < len(chunk):
                break
        return done

    async def _send_chunk(self, items: Sequence[tuple[str, str, bytes]]) -> int:
        futures = []
        try:
            for subject, msg_id, payload in items:
                # wait_stall None: the chunk is smaller than nats-py's in-flight limit, so
                # this never waits, and the whole chunk leaves in one socket write
                futures.append(
                    await self.js.publish_async(
                        subject, payload, headers={MSG_ID_HEADER: msg_id}, wait_stall=None
                    )
                )
        except Exception as e:  # disconnected: what was sent may still be acked
            log.debug("forwarder: publish stopped after %d: %r", len(futures), e)
        if not futures:
            return 0
        await asyncio.wait(futures, timeout=self.publish_timeout_s)
        ok = 0
        for f in futures:
            if not f.done() or f.cancelled() or f.exception() is not None:
                break
            ok += 1
        for f in futures[ok:]:
            if f.done() and not f.cancelled():
                f.exception()  # retrieved: no "exception never retrieved" noise
            else:
                f.cancel()  # releases its slot of nats-py's in-flight limit
        return ok

    # ------------------------------------------------------------------ draining
    async def _drain_forever(self) -> None:
        wait = self.backoff_s[0]
        while not self._closing:
            await self._wake.wait()
            try:
                progressed = await self._drain_round()
            except Exception as e:
                log.debug("forwarder: drain round failed: %r", e)
                progressed = False
            if progressed:
                wait = self.backoff_s[0]
                continue
            self.stats.failures += 1
            await asyncio.sleep(wait)
            wait = min(wait * 2, self.backoff_s[1])

    async def _drain_round(self) -> bool:
        """Publish the oldest batch of the spool; True if it made progress or emptied it."""
        async with self._lock:
            if not len(self.spool):
                self._wake.clear()
                self._empty.set()
                return True
            if not self.connected:
                return False
            batch: list[tuple[str, str, bytes]] = []
            for msg_id, data in self.spool.pending():
                subject, payload = _unframe(data)
                batch.append((subject, msg_id, payload))
                if len(batch) >= self.drain_batch:
                    break
            ok = await self._send(batch)
            for _, msg_id, _ in batch[:ok]:
                self.spool.ack(msg_id)
            self.stats.replayed += ok
            return ok > 0


async def _quiet(e: Exception) -> None:
    log.debug("forwarder: nats: %r", e)


async def _quiet_event() -> None:
    return None
