"""Live ASTERIX CAT062 system tracks over UDP: ``skywarden serve --asterix-out URL``.

``URL`` is ``udp://HOST:PORT`` (unicast, or a multicast group as ANSP surveillance
networks use, TTL 1), optionally ``?sac=S&sic=I`` (the data source identifier the
receiving system knows us by; default 0/1) and ``?role=partner``. Each scan's track
updates become CAT062 records (``protocols.cat062``), 100 to a data block, one block per
datagram; the sector origin (the service's ``meta["center"]``) is the system reference
point of I062/100. Ended tracks are sent once with TSE set, so the receiver drops them.

With ``role=partner`` the tracks are redacted first by ``service/redact.py`` (tracks of
shared incidents only, ~1 km positions, no identity or velocity), as for CoT and exports.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from skywarden.bus import Bus
from skywarden.errors import SkywardenError
from skywarden.geo import LocalFrame
from skywarden.protocols.cat062 import Cat062Encoder
from skywarden.service import redact

log = logging.getLogger(__name__)


class AsterixSpecError(SkywardenError, ValueError):
    """An ``--asterix-out`` URL is malformed; says what and why."""


@dataclass(frozen=True, slots=True)
class AsterixTarget:
    host: str
    port: int
    sac: int = 0
    sic: int = 1
    partner: bool = False


def parse_asterix_url(spec: str) -> AsterixTarget:
    u = urlsplit(spec)
    try:
        port = u.port
    except ValueError:
        port = None
    if u.scheme != "udp" or not u.hostname or port is None or not 0 < port < 65536:
        raise AsterixSpecError(f"{spec!r}: expected udp://HOST:PORT[?sac=S&sic=I&role=partner]")
    q = {k: v[-1] for k, v in parse_qs(u.query).items()}
    unknown = set(q) - {"sac", "sic", "role"}
    if unknown:
        raise AsterixSpecError(f"{spec!r}: unknown setting(s) {sorted(unknown)}")
    try:
        sac, sic = int(q.get("sac", 0)), int(q.get("sic", 1))
    except ValueError:
        raise AsterixSpecError(f"{spec!r}: sac and sic are numbers 0-255") from None
    if not (0 <= sac <= 255 and 0 <= sic <= 255):
        raise AsterixSpecError(f"{spec!r}: sac and sic are numbers 0-255")
    role = q.get("role", "operator")
    if role not in ("operator", "partner"):
        raise AsterixSpecError(f"{spec!r}: role must be operator or partner, not {role!r}")
    return AsterixTarget(u.hostname, port, sac, sic, role == "partner")


def _blocks(data: bytes) -> list[bytes]:
    """Split a concatenation of data blocks at their LEN fields."""
    out, at = [], 0
    while at + 3 <= len(data):
        n = int.from_bytes(data[at + 1 : at + 3], "big")
        out.append(data[at : at + n])
        at += n
    return out


class AsterixPublisher:
    """Bus ``tracks`` (and ``incidents``, for the partner's view) -> CAT062 datagrams."""

    def __init__(
        self, target: AsterixTarget, bus: Bus, origin: tuple[float, float] | None = None
    ) -> None:
        self.target = target
        self.bus = bus
        frame = LocalFrame(origin[0], origin[1], 0.0) if origin else None
        self.encoder = Cat062Encoder(sac=target.sac, sic=target.sic, frame=frame)
        self.incidents: dict[str, Mapping[str, Any]] = {}
        self.sent = 0
        self._task: asyncio.Task[None] | None = None
        self._sock: socket.socket | None = None

    def records(self, topic: str, data: Mapping[str, Any]) -> list[bytes]:
        """The datagrams for one bus message."""
        if topic == "incidents":
            for i in data.get("incidents") or ():
                self.incidents[str(i["id"])] = i
            return []
        if topic != "tracks":
            return []
        tracks = list(data.get("tracks") or ())
        if self.target.partner:
            visible = redact.shared_tracks(self.incidents.values())
            tracks = [redact.track(t) for t in tracks if t["track"] in visible]
        return _blocks(self.encoder.encode(tracks)) if tracks else []

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with contextlib.suppress(ValueError):
            if ipaddress.ip_address(self.target.host).is_multicast:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        sock.setblocking(False)
        self._sock = sock
        self._sub = self.bus.subscribe(("tracks", "incidents"))
        self._task = asyncio.create_task(self._run(), name="skywarden-asterix-out")

    async def _run(self) -> None:
        assert self._sock is not None
        dest = (self.target.host, self.target.port)
        while True:
            msg = await self._sub.get()
            try:
                grams = self.records(msg.topic, msg.data)
            except Exception:  # a bad message must not stop the feed
                log.exception("asterix-out: cannot encode %s message", msg.topic)
                continue
            for g in grams:
                try:
                    self._sock.sendto(g, dest)
                    self.sent += 1
                except OSError as e:  # no route, buffer full: the next scan tries again
                    log.warning("asterix-out %s:%d: %s", *dest, e)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._sub.close()
        if self._sock is not None:
            self._sock.close()
