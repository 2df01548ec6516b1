"""Send the live picture to TAK as Cursor-on-Target: ``skywarden serve --cot URL``.

``URL`` is ``udp://HOST:PORT`` (unicast or multicast, e.g. the TAK default
``udp://239.2.3.1:6969``) or ``tcp://HOST:PORT`` (a TAK Server's plain CoT input, 8087
by convention), with optional query settings:

- ``format=xml`` (default) or ``format=proto``: TAK Protocol Version 1 protobuf, mesh
  framing over UDP and stream framing over TCP, as TAK clients and servers expect;
- ``role=partner``: the redacted partner stream (see ``cot_feed``); default operator;
- ``birds=1``: send birds too (as unknown air tracks).

The socket is pytak's (``pytak.protocol_factory``; UDP write-only, multicast TTL 1) and
its ``TXWorker`` writes what the feed produces from a queue of bounded size, so a slow
TAK Server never stalls the pipeline: the oldest events are dropped first, the store
keeps the complete record. A TAK end that is down at start or goes away later is retried
with back-off (0.5 s doubling to 30 s); the service starts and runs meanwhile.

The publisher is one more subscriber of the service's bus, next to the WebSocket hub;
:func:`attach` starts it with the app and stops it with the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from configparser import ConfigParser
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from skywarden.bus import Bus
from skywarden.errors import SkywardenError
from skywarden.protocols import cot
from skywarden.protocols._pytak import pytak
from skywarden.protocols.cot_feed import CotFeed

log = logging.getLogger(__name__)

QUEUE_SIZE = 1000
BACKOFF_S = 0.5
BACKOFF_MAX_S = 30.0
TOPICS = ("tracks", "incidents", "recommendations")


class CotSpecError(SkywardenError, ValueError):
    """A ``--cot`` URL is malformed; says what and why."""


@dataclass(frozen=True, slots=True)
class CotTarget:
    scheme: str  # "udp" or "tcp"
    host: str
    port: int
    proto: bool = False
    partner: bool = False
    include_birds: bool = False

    @property
    def multicast(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_multicast
        except ValueError:
            return False

    def pytak_url(self) -> str:
        # UDP write-only: pytak would otherwise also bind a reader on the group's port
        return f"{'udp+wo' if self.scheme == 'udp' else 'tcp'}://{self.host}:{self.port}"

    def encode(self, event: Any) -> bytes:
        if self.proto:
            return cot.to_tak_proto(event, stream=self.scheme == "tcp")
        return cot.to_xml(event)


def parse_cot_url(spec: str) -> CotTarget:
    """``udp://H:P`` or ``tcp://H:P`` with ``?format=xml|proto&role=operator|partner``."""
    u = urlsplit(spec)
    if u.scheme not in ("udp", "tcp"):
        raise CotSpecError(f"{spec!r}: expected udp://HOST:PORT or tcp://HOST:PORT")
    try:
        port = u.port
    except ValueError:
        port = None
    if not u.hostname or port is None or not 0 < port < 65536:
        raise CotSpecError(f"{spec!r}: needs a host and a port in 1-65535")
    q = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
    unknown = set(q) - {"format", "role", "birds"}
    if unknown:
        raise CotSpecError(f"{spec!r}: unknown setting(s) {sorted(unknown)}")
    fmt = q.get("format", "xml")
    role = q.get("role", "operator")
    if fmt not in ("xml", "proto"):
        raise CotSpecError(f"{spec!r}: format must be xml or proto, not {fmt!r}")
    if role not in ("operator", "partner"):
        raise CotSpecError(f"{spec!r}: role must be operator or partner, not {role!r}")
    return CotTarget(
        u.scheme,
        u.hostname,
        port,
        proto=fmt == "proto",
        partner=role == "partner",
        include_birds=q.get("birds", "0") in ("1", "true", "yes"),
    )


class CotPublisher:
    """Bus -> CotFeed -> pytak TXWorker -> UDP or TCP."""

    def __init__(self, target: CotTarget, bus: Bus) -> None:
        self.target = target
        self.bus = bus
        self.feed = CotFeed(partner=target.partner, include_birds=target.include_birds)
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_SIZE)
        self.sent = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._writer: Any = None
        self.connected = asyncio.Event()

    async def start(self) -> None:
        cfg = ConfigParser(interpolation=None)
        cfg["skywarden"] = {"COT_URL": self.target.pytak_url(), "TAK_PROTO": "0"}
        self._section = cfg["skywarden"]
        self._sub = self.bus.subscribe(TOPICS)
        self._tasks = [
            asyncio.create_task(self._tx(), name="skywarden-cot-tx"),
            asyncio.create_task(self._run(), name="skywarden-cot-feed"),
        ]

    async def _tx(self) -> None:
        """Connect with pytak, write the queue through its TXWorker, and reconnect with
        back-off when the TAK end is down or goes away (a TAK Server restart must not
        silence the feed, nor keep the service from starting)."""
        delay = BACKOFF_S
        where = f"{self.target.scheme}://{self.target.host}:{self.target.port}"
        while True:
            try:
                _reader, self._writer = await pytak.protocol_factory(self._section)
            except OSError as e:
                log.warning("cot: cannot reach %s (%s); retrying in %.1f s", where, e, delay)
                await asyncio.sleep(delay)
                delay = min(2 * delay, BACKOFF_MAX_S)
                continue
            self.connected.set()
            delay = BACKOFF_S
            tx = pytak.TXWorker(self.queue, self._section, self._writer)
            try:
                while True:
                    await tx.send_data(await self.queue.get())
            except OSError as e:
                log.warning("cot: lost %s (%s); reconnecting", where, e)
            finally:
                self.connected.clear()
                self._close_writer()
            await asyncio.sleep(delay)

    def _close_writer(self) -> None:
        w, self._writer = self._writer, None
        if w is not None and hasattr(w, "close"):
            with contextlib.suppress(Exception):
                w.close()

    async def _run(self) -> None:
        while True:
            msg = await self._sub.get()
            try:
                events = self.feed.on_message(msg.topic, msg.data)
            except Exception:  # a bad message must not stop the feed
                log.exception("cot: cannot convert %s message", msg.topic)
                continue
            for ev in events:
                data = self.target.encode(ev)
                if self.queue.full():
                    self.queue.get_nowait()  # newest picture wins; the store has the rest
                self.queue.put_nowait(data)
                self.sent += 1

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        if self._tasks:
            self._sub.close()
        self._close_writer()
