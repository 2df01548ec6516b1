"""The core's consumer -> store stage: acks only after the commit, holds through outages.

Why: in the cluster the workers' outputs (track points, events, incidents,
recommendations) travel on a JetStream stream, and the core writes them to PostgreSQL.
The stream is the buffer: when PostgreSQL is down the core stops acknowledging, the
messages stay stored in JetStream (bounded by the stream's own limits), and the core
catches up in stream order once PostgreSQL answers again.

How (one :class:`Persister` per durable consumer):

- a durable *pull* consumer fetches up to ``batch`` messages; its ack policy is
  ``all``: one ack of a batch's last message acknowledges the batch;
- ``write(session, batch)`` (the caller's decoder and store calls) runs in **one**
  transaction together with the consumer's cursor, the last stream sequence committed
  (``pipeline_cursor`` row ``persister:<durable>``, the sequence in its ``t`` column);
  only after the commit is each message acked;
- a message at or below the cursor was committed already (its ack was lost, or the core
  died between commit and ack): it is acked without being written again, so no message
  is applied twice;
- when the commit fails because the store is unreachable (SQLAlchemy's
  ``OperationalError``, ``InterfaceError``, ``DisconnectionError``) the batch is kept
  and retried with exponential back-off from ``BACKOFF_S[0]`` to ``BACKOFF_S[1]``
  seconds, telling JetStream the batch is still in progress (``+WPI``) so it is not
  redelivered meanwhile; nothing new is fetched, so the order is kept;
- any other error (a bad message, a bug) is retried the same way and reported in
  :meth:`Persister.status` (``last_error``): it blocks the stream visibly rather than
  dropping evidence.

The live map does not wait on this: the hub follows the stream through its own ordered
consumer (``bus.jetstream``), so it keeps moving while PostgreSQL is down, and API writes
answer 503 with ``Retry-After`` (``service.app``) until the store is back.

    persister = Persister(db, js, stream="SW_OUT", durable="core-store",
                          subject="sw.out.>", write=my_writer)
    task = asyncio.create_task(persister.run())
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from skywarden.store import cursor as store_cursor
from skywarden.store.db import Database

log = logging.getLogger(__name__)

__all__ = ["BACKOFF_S", "Delivered", "Persister", "store_unreachable"]

BACKOFF_S = (0.2, 10.0)  # first wait after a failed commit, cap (doubled per failure)
FETCH_WAIT_S = 1.0  # how long one fetch waits for messages when the stream is idle
ACK_WAIT_S = 30.0  # JetStream redelivers a message not acked (or +WPI'd) in this time
OUTAGE_ERRORS = (OperationalError, InterfaceError, DisconnectionError)


@dataclass(frozen=True, slots=True)
class Delivered:
    """One message of the stream as ``write`` gets it."""

    subject: str
    data: bytes
    seq: int  # the stream sequence: the order, and the cursor
    msg_id: str | None  # the publisher's Nats-Msg-Id, if any
    t_published: float | None  # when JetStream stored it (epoch seconds)


Writer = Callable[[Session, Sequence[Delivered]], None]


def store_unreachable(e: BaseException) -> bool:
    """True for the errors that mean "the database is not answering", not "bad data"."""
    return isinstance(e, OUTAGE_ERRORS)


class Persister:
    """Durable consumer -> ``write`` -> commit (with the cursor) -> ack, in stream order."""

    def __init__(
        self,
        db: Database,
        js: Any,
        *,
        stream: str,
        durable: str,
        subject: str,
        write: Writer,
        batch: int = 500,
        backoff_s: tuple[float, float] = BACKOFF_S,
    ) -> None:
        if batch <= 0:
            raise ValueError(f"persister {durable}: batch must be positive, not {batch}")
        self.db, self.js = db, js
        self.stream, self.durable, self.subject = stream, durable, subject
        self.write = write
        self.batch = batch
        self.backoff_s = backoff_s
        self.ack_wait_s = ACK_WAIT_S
        self.cursor_name = f"persister:{durable}"
        self.committed = 0  # messages written
        self.duplicates = 0  # messages at or below the cursor, acked without writing
        self.failures = 0  # failed commits
        self.store_down_since: float | None = None
        self.last_error: str | None = None
        self._sub: Any = None
        self._stop = asyncio.Event()

    # ------------------------------------------------------------------ state
    def status(self) -> dict[str, Any]:
        """For a health endpoint: is the store taking writes, and what has been done."""
        return {
            "consumer": self.durable,
            "store": "up" if self.store_down_since is None else "down",
            "store_down_since": self.store_down_since,
            "committed": self.committed,
            "duplicates_skipped": self.duplicates,
            "failed_commits": self.failures,
            "last_error": self.last_error,
        }

    async def backlog(self) -> int:
        """Messages of the stream this consumer has not had acked yet (the catch-up left)."""
        info = await self.js.consumer_info(self.stream, self.durable)
        return int(info.num_pending) + int(info.num_ack_pending)

    # ------------------------------------------------------------------ running
    async def subscribe(self) -> None:
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        if self._sub is None:
            self._sub = await self.js.pull_subscribe(
                self.subject,
                durable=self.durable,
                stream=self.stream,
                config=ConsumerConfig(
                    ack_policy=AckPolicy.ALL,
                    deliver_policy=DeliverPolicy.ALL,
                    ack_wait=self.ack_wait_s,
                    max_ack_pending=max(self.batch * 4, 1000),
                ),
            )

    async def run(self) -> None:
        """Fetch, commit, ack until :meth:`stop`; never gives up on the store."""
        import nats.errors

        wait = self.backoff_s[0]
        while self._sub is None and not self._stop.is_set():
            try:
                await self.subscribe()
            except Exception as e:  # NATS not up yet, or the stream not created yet
                self.last_error = f"subscribe: {e!r}"
                await self._sleep(wait)
                wait = min(wait * 2, self.backoff_s[1])
        while not self._stop.is_set():
            try:
                msgs = await self._sub.fetch(self.batch, timeout=FETCH_WAIT_S)
            except (TimeoutError, nats.errors.TimeoutError):
                continue
            except Exception as e:  # NATS itself away: its client reconnects
                self.last_error = f"fetch: {e!r}"
                await self._sleep(self.backoff_s[0])
                continue
            await self._commit_until_done(msgs)

    async def stop(self) -> None:
        self._stop.set()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _commit_until_done(self, msgs: list[Any]) -> None:
        msgs = sorted(msgs, key=lambda m: int(m.metadata.sequence.stream))
        batch = [_delivered(m) for m in msgs]
        wait = self.backoff_s[0]
        while True:
            try:
                written = await asyncio.to_thread(self._commit, batch)
                break
            except Exception as e:
                self.failures += 1
                self.last_error = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
                if self.store_down_since is None:
                    self.store_down_since = time.time()
                    if store_unreachable(e):
                        log.warning(
                            "persister %s: store unreachable, holding: %s",
                            self.durable,
                            self.last_error,
                        )
                    else:
                        log.exception(
                            "persister %s: cannot write seq %d-%d",
                            self.durable,
                            batch[0].seq,
                            batch[-1].seq,
                        )
                if self._stop.is_set():
                    return  # unacked: JetStream redelivers them to the next run
                for m in msgs:  # still ours: not redelivered while we retry
                    with contextlib.suppress(Exception):
                        await m.in_progress()
                await self._sleep(wait)
                wait = min(wait * 2, self.backoff_s[1])
        if self.store_down_since is not None:
            log.warning(
                "persister %s: store back after %.1f s",
                self.durable,
                time.time() - self.store_down_since,
            )
            self.store_down_since = None
            self.last_error = None
        self.committed += written
        self.duplicates += len(batch) - written
        with contextlib.suppress(Exception):  # a lost ack: the cursor catches the redelivery
            await msgs[-1].ack()  # AckPolicy.ALL: acks the whole batch up to it

    def _commit(self, batch: Sequence[Delivered]) -> int:
        with self.db.session() as s:
            got = store_cursor.get(s, self.cursor_name)
            last = int(got[0]) if got is not None else 0
            fresh = [m for m in batch if m.seq > last]
            if fresh:
                self.write(s, fresh)
                # the sequence goes in the cursor's float column: exact to 2**53, where
                # the integer column (32 bits on PostgreSQL) would overflow within a day
                # at 50,000 messages/s
                store_cursor.put(s, self.cursor_name, float(fresh[-1].seq), len(fresh))
        return len(fresh)


def _delivered(m: Any) -> Delivered:
    md = m.metadata
    headers = m.headers or {}
    ts = getattr(md, "timestamp", None)
    return Delivered(
        subject=m.subject,
        data=bytes(m.data),
        seq=int(md.sequence.stream),
        msg_id=headers.get("Nats-Msg-Id"),
        t_published=ts.timestamp() if ts is not None else None,
    )
