"""skywarden as a SAPIENT node towards a higher-level fusion node (BSI Flex 335 v2.0).

It registers as a (child) fusion node (``NODE_TYPE_FUSION_NODE``), waits for the parent's
RegistrationAck, then sends:

- a **DetectionReport** per update of a *confirmed* track (tentative ones are the
  tracker's business; an ended track is sent once with ``state = "lost"``): WGS84
  location in degrees and metres, ENU velocity, the class probabilities as
  classifications (``UAV``, ``Manned Aircraft``, ``Bird``, ``Unknown`` with their
  probabilities) and, for a confirmed drone in an incident, the behaviour ``Incursion``.
  ``object_id`` is one ULID per track for its whole life, ``report_id`` a fresh ULID;
- an **Alert** per incident change: ``ALERT_TYPE_WARNING`` (``CRITICAL`` from severity 4),
  ``ACTIVE`` while open, ``ACKNOWLEDGE`` when acknowledged, ``CLEAR`` when resolved, at the
  incident's last position, the summary and latest recommendation as description, and its
  tracks as associated detections (this node's id, the tracks' object ids).

A StatusReport heartbeat goes every 10 s, the interval the registration declares.
Every message is built with the binding (sapient-proto) and checked against the ICD with
sapient-pydantic before it is sent, exactly as the fusion node checks what it receives:
skywarden never sends what it would itself reject. Framing: 4-byte little-endian length.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sapient_msg.bsi_flex_335_v2_0 import (
    alert_pb2,
    location_pb2,
    registration_pb2,
    sapient_message_pb2,
    status_report_pb2,
)
from ulid import ULID

from skywarden.bus import Bus
from skywarden.errors import SkywardenError
from skywarden.ingest.sapient import HEADER_BYTES, SapientDecoder, encode

log = logging.getLogger(__name__)
R = registration_pb2.Registration
A = alert_pb2.Alert
CLASS_NAMES = {"drone": "UAV", "manned": "Manned Aircraft", "bird": "Bird", "unknown": "Unknown"}
DEG = location_pb2.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M
WGS84 = location_pb2.LOCATION_DATUM_WGS84_E
STATUS_INTERVAL_S = 10.0  # the heartbeat the registration promises
SR = status_report_pb2.StatusReport


class SapientOutError(SkywardenError, ValueError):
    """A ``--sapient-out`` URL is malformed, or the parent refused the registration."""


def _stamp(m: sapient_message_pb2.SapientMessage, t: float) -> None:
    m.timestamp.seconds = int(t // 1)
    m.timestamp.nanos = min(999_999_999, round((t % 1) * 1e9))


def _location(lat: float, lon: float, alt: float | None) -> location_pb2.Location:
    loc = location_pb2.Location(x=lon, y=lat, coordinate_system=DEG, datum=WGS84)
    if alt is not None:
        loc.z = alt
    return loc


@dataclass
class SapientEncoder:
    """Track points and incidents (store/bus forms) to ICD-valid framed messages."""

    node_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    name: str = "skywarden"
    objects: dict[str, str] = field(default_factory=dict)  # track id -> object ULID
    alerts: dict[str, str] = field(default_factory=dict)  # incident id -> alert ULID
    checker: SapientDecoder = field(default_factory=SapientDecoder)

    def _msg(self, t: float) -> sapient_message_pb2.SapientMessage:
        m = sapient_message_pb2.SapientMessage(node_id=self.node_id)
        _stamp(m, t)
        return m

    def _out(self, m: sapient_message_pb2.SapientMessage) -> bytes:
        data = encode(m)
        self.checker.validate(data[HEADER_BYTES:])  # RejectedMessage: our own bug, loud
        return data

    def object_id(self, track: str, t: float) -> str:
        if track not in self.objects:
            self.objects[track] = str(ULID.from_timestamp(t))
        return self.objects[track]

    def registration(self, t: float) -> bytes:
        m = self._msg(t)
        r = m.registration
        r.icd_version, r.name, r.short_name = "BSI Flex 335 v2.0", f"{self.name} fusion", self.name
        r.node_definition.add(node_type=R.NodeType.NODE_TYPE_FUSION_NODE)
        r.capabilities.add(category="Fusion", type="Air tracks: drone, manned, bird")
        r.status_definition.status_interval.units = R.TimeUnits.TIME_UNITS_SECONDS
        r.status_definition.status_interval.value = STATUS_INTERVAL_S
        mode = r.mode_definition.add(mode_name="default", mode_type=R.ModeType.MODE_TYPE_PERMANENT)
        mode.settle_time.units, mode.settle_time.value = R.TimeUnits.TIME_UNITS_SECONDS, 0.0
        lt = mode.detection_definition.add().location_type
        lt.location_units, lt.location_datum = DEG, WGS84
        mode.task.region_definition.region_type.append(R.RegionType.REGION_TYPE_AREA_OF_INTEREST)
        mode.task.region_definition.region_area.add().CopyFrom(lt)
        r.config_data.add(manufacturer="skywarden", model="skywarden")
        return self._out(m)

    def status(self, t: float, first: bool = False) -> bytes:
        """The heartbeat StatusReport (system OK, mode default) the registration promises."""
        m = self._msg(t)
        sr = m.status_report
        sr.report_id = str(ULID.from_timestamp(t))
        sr.system = SR.System.SYSTEM_OK
        sr.info = SR.Info.INFO_NEW if first else SR.Info.INFO_UNCHANGED
        sr.mode = "default"
        return self._out(m)

    def detection(self, p: Mapping[str, Any], in_incident: bool = False) -> bytes | None:
        """A DetectionReport for a confirmed (or just ended) track, else None."""
        status = p.get("status")
        if status not in ("confirmed", "coasting", "ended"):
            return None
        t = float(p["t"])
        tid = str(p["track"])
        if status == "ended" and tid not in self.objects:
            return None  # never reported: nothing to close
        m = self._msg(t)
        d = m.detection_report
        d.report_id = str(ULID.from_timestamp(t))
        d.object_id = self.object_id(tid, t)
        d.state = "lost" if status == "ended" else "tracked"
        d.location.CopyFrom(_location(float(p["lat"]), float(p["lon"]), p.get("alt_m")))
        v = p.get("velocity")
        if v and v[0] is not None and v[1] is not None:
            d.enu_velocity.east_rate, d.enu_velocity.north_rate = float(v[0]), float(v[1])
            if len(v) > 2 and v[2] is not None:
                d.enu_velocity.up_rate = float(v[2])
        probs = p.get("class_probs") or {str(p.get("cls") or "unknown"): 1.0}
        for cls, prob in sorted(probs.items(), key=lambda kv: -float(kv[1])):
            if cls in CLASS_NAMES and float(prob) > 0.0:
                d.classification.add(type=CLASS_NAMES[cls], confidence=float(prob))
        if in_incident and p.get("cls") == "drone":
            d.behaviour.add(type="Incursion", confidence=1.0)
        if status == "ended":
            self.objects.pop(tid, None)
        return self._out(m)

    def alert(self, inc: Mapping[str, Any], rec: Mapping[str, Any] | None = None) -> bytes | None:
        """An Alert for an incident change (None without a position to put it at)."""
        if inc.get("lat") is None or inc.get("lon") is None:
            return None
        t = float(inc.get("t_updated") or inc["t_open"])
        m = self._msg(t)
        a = m.alert
        iid = str(inc["id"])
        a.alert_id = self.alerts.setdefault(iid, str(ULID.from_timestamp(float(inc["t_open"]))))
        sev = int(inc.get("severity") or 1)
        a.alert_type = (
            A.AlertType.ALERT_TYPE_CRITICAL if sev >= 4 else A.AlertType.ALERT_TYPE_WARNING
        )
        a.status = {
            "acknowledged": A.AlertStatus.ALERT_STATUS_ACKNOWLEDGE,
            "resolved": A.AlertStatus.ALERT_STATUS_CLEAR,
        }.get(str(inc.get("state")), A.AlertStatus.ALERT_STATUS_ACTIVE)
        a.priority = (
            A.DiscretePriority.DISCRETE_PRIORITY_HIGH
            if sev >= 4
            else A.DiscretePriority.DISCRETE_PRIORITY_MEDIUM
            if sev >= 2
            else A.DiscretePriority.DISCRETE_PRIORITY_LOW
        )
        text = f"skywarden incident {iid} (severity {sev}): {inc.get('summary') or inc.get('kind')}"
        if rec:
            text += f"; recommend {rec.get('action')}: {'; '.join(rec.get('reasons') or ())}"
        a.description = text[:1000]
        a.location.CopyFrom(_location(float(inc["lat"]), float(inc["lon"]), None))
        for tr in inc.get("tracks") or ():
            if str(tr) in self.objects:
                ad = a.associated_detection.add(
                    node_id=self.node_id, object_id=self.objects[str(tr)]
                )
                _stamp_assoc(ad, t)
        return self._out(m)


def _stamp_assoc(ad: Any, t: float) -> None:
    ad.timestamp.seconds = int(t // 1)
    ad.timestamp.nanos = min(999_999_999, round((t % 1) * 1e9))


def parse_url(spec: str) -> tuple[str, int]:
    u = urlsplit(spec)
    try:
        port = u.port
    except ValueError:
        port = None
    if u.scheme != "tcp" or not u.hostname or port is None or not 0 < port < 65536:
        raise SapientOutError(f"{spec!r}: expected tcp://HOST:PORT of the parent fusion node")
    return u.hostname, port


@dataclass
class SapientUpstream:
    """Bus -> SapientEncoder -> the parent fusion node over TCP, reconnecting with back-off.

    Registers on every connection and sends nothing before the RegistrationAck; a refusal
    is logged with the parent's reasons and retried after the back-off. While
    disconnected, messages are dropped (the store keeps the record; the parent gets the
    picture again with the next updates).
    """

    host: str
    port: int
    bus: Bus
    encoder: SapientEncoder = field(default_factory=SapientEncoder)
    backoff_s: float = 0.5
    backoff_max_s: float = 30.0
    sent: int = 0
    incidents: dict[str, dict[str, Any]] = field(default_factory=dict)
    recs: dict[str, dict[str, Any]] = field(default_factory=dict)
    registered: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._sub = self.bus.subscribe(("tracks", "incidents", "recommendations"))
        self._task = asyncio.create_task(self._run(), name="skywarden-sapient-out")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._sub.close()

    def messages(self, topic: str, data: Mapping[str, Any]) -> list[bytes]:
        out: list[bytes | None] = []
        if topic == "tracks":
            for p in data.get("tracks") or ():
                live = any(
                    p["track"] in (i.get("tracks") or ()) and i.get("state") != "resolved"
                    for i in self.incidents.values()
                )
                out.append(self.encoder.detection(p, live))
        elif topic == "incidents":
            for inc in data.get("incidents") or ():
                self.incidents[str(inc["id"])] = inc
                out.append(self.encoder.alert(inc, self.recs.get(str(inc["id"]))))
        elif topic == "recommendations":
            for r in data.get("recommendations") or ():
                if r.get("incident"):
                    self.recs[str(r["incident"])] = r
        return [x for x in out if x is not None]

    async def _register(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        import time

        w.write(self.encoder.registration(time.time()))
        await w.drain()
        while True:
            n = int.from_bytes(await r.readexactly(HEADER_BYTES), "little")
            m = sapient_message_pb2.SapientMessage()
            m.ParseFromString(await r.readexactly(n))
            if m.WhichOneof("content") == "registration_ack":
                if not m.registration_ack.acceptance:
                    why = "; ".join(m.registration_ack.ack_response_reason) or "no reason given"
                    raise SapientOutError(f"parent fusion node refused registration: {why}")
                return

    async def _run(self) -> None:
        delay = self.backoff_s
        while True:
            try:
                r, w = await asyncio.open_connection(self.host, self.port)
            except OSError:
                await self._drain_for(delay)
                delay = min(2 * delay, self.backoff_max_s)
                continue
            beat: asyncio.Task[None] | None = None
            try:
                await asyncio.wait_for(self._register(r, w), 10)
                self.registered.set()
                delay = self.backoff_s
                beat = asyncio.create_task(self._heartbeat(w))
                while True:
                    msg = await self._sub.get()
                    try:
                        frames = self.messages(msg.topic, msg.data)
                    except Exception:  # a bad message must not stop the feed
                        log.exception("sapient-out: cannot encode %s message", msg.topic)
                        continue
                    for f in frames:
                        w.write(f)
                        self.sent += 1
                    await w.drain()
            except (OSError, asyncio.IncompleteReadError, TimeoutError, SapientOutError) as e:
                log.warning("sapient-out %s:%d: %s", self.host, self.port, e)
            finally:
                if beat is not None:
                    beat.cancel()
                self.registered.clear()
                w.close()
            await self._drain_for(delay)
            delay = min(2 * delay, self.backoff_max_s)

    async def _heartbeat(self, w: asyncio.StreamWriter) -> None:
        import time

        first = True
        while True:
            w.write(self.encoder.status(time.time(), first))
            first = False
            await asyncio.sleep(STATUS_INTERVAL_S)

    async def _drain_for(self, seconds: float) -> None:
        """Wait, keeping track of incidents but dropping updates (nobody to send them to)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while (left := end - loop.time()) > 0:
            try:
                msg = await asyncio.wait_for(self._sub.get(), left)
            except TimeoutError:
                return
            if msg.topic in ("incidents", "recommendations"):
                with contextlib.suppress(Exception):
                    self.messages(msg.topic, msg.data)
