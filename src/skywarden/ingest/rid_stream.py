"""Remote ID broadcast streams: framing, per-aircraft identity, and Detections.

A receiver (Bluetooth 4/5 or Wi-Fi NaN/beacon sniffer) forwards the Open Drone ID
messages it hears, decoded by :mod:`skywarden.ingest.rid_broadcast`. This module cuts
them out of a byte stream (a file, or one UDP datagram per broadcast), keeps what the
other message types say about the aircraft (serial number / session ID from Basic ID,
operator position from System, Self-ID text, Operator ID) and turns each Location/Vector
message into a Detection that carries all of it.

Grouping: a Message Pack is one aircraft's complete set. Single messages on one stream
are taken to come from the aircraft of the most recent Basic ID on that stream, so a
multi-aircraft receiver should forward each aircraft's broadcast as one datagram (a pack,
or Basic ID first). A Basic ID naming a new aircraft resets the operator position.

Time: the Location time stamp counts tenths of seconds past the UTC hour. The hour comes
from the receive time, or from ``IngestOptions.reference_time`` (plus the time elapsed
since the stream started) when replaying: the hour is the one that puts the message
closest to that time, so a message stamped 59:59.9 received at 00:00:00.3 belongs to
the previous hour. A Location without a time stamp takes the receive/reference time.

Altitude: the geodetic (WGS84) altitude, labelled ``geodetic_wgs84`` (the geoid offset
is not applied; see geo.py on why that is harmless within a sector); if unknown, the
pressure altitude, labelled ``pressure``. Accuracy enumerations become the position
covariance (a 95 % bound taken as 2 sigma) and ``velocity_sigma``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from skywarden.ingest.base import Item, Parser
from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.ingest.rid_broadcast import (
    HORIZONTAL_ACCURACY_M,
    MESSAGE_SIZE,
    SPEED_ACCURACY_MS,
    VERTICAL_ACCURACY_M,
    Authentication,
    BasicId,
    IdType,
    Location,
    Message,
    MessagePack,
    MessageType,
    OperatorId,
    SelfId,
    System,
    decode_message,
)
from skywarden.ingest.validate import Deduplicator
from skywarden.model import Detection, Identity, Position, SensorKind

RID_DUPLICATE_WINDOW_S = 1.0


@dataclass
class UaState:
    """What the non-Location messages have told about the aircraft on a stream."""

    serial: str | None = None
    session: str | None = None
    caa_registration: str | None = None
    ua_type: str | None = None
    operator_lat: float | None = None
    operator_lon: float | None = None
    operator_alt_m: float | None = None
    operator_id: str | None = None
    self_id: str | None = None
    attrs: dict[str, object] = field(default_factory=dict)


def absolute_time(tenths: int | None, around: float) -> float:
    """UTC epoch seconds of a time stamp in tenths past the hour, nearest ``around``."""
    if tenths is None:
        return around
    hour = math.floor(around / 3600.0) * 3600.0
    t = hour + tenths / 10.0
    if t - around > 1800.0:
        t -= 3600.0
    elif around - t > 1800.0:
        t += 3600.0
    return t


@dataclass
class RidBroadcastParser(Parser):
    """Streaming parser of Open Drone ID messages and packs (binary)."""

    format = "rid"
    binary = True
    dedup: Deduplicator | None = None
    state: UaState = field(default_factory=UaState)

    def __post_init__(self) -> None:
        if self.dedup is None:
            self.dedup = Deduplicator(self.options.duplicate_window_s or RID_DUPLICATE_WINDOW_S)
        self._buf = b""
        self._base = 0
        self._t0_rx: float | None = None

    def _around(self, t_received: float) -> float:
        ref = self.options.reference_time
        if ref is None:
            return t_received
        if self._t0_rx is None:
            self._t0_rx = t_received
        return ref + (t_received - self._t0_rx)

    def feed(self, data: bytes, t_received: float | None = None) -> list[Item]:
        t_rx = self.options.clock() if t_received is None else t_received
        buf = self._buf + data if self._buf else bytes(data)
        out: list[Item] = []
        pos, n = 0, len(buf)
        while pos < n:
            size = _message_size(buf, pos)
            if size is None:
                break  # need more bytes to know the size
            if size < 0:
                cut = min(n, pos + MESSAGE_SIZE)
                out.append(
                    self.reject(
                        Reason.CORRUPT,
                        f"header byte 0x{buf[pos]:02x}",
                        buf[pos:cut],
                        offset=self._base + pos,
                        t_received=t_rx,
                    )
                )
                pos = cut
                continue
            if pos + size > n:
                break
            raw = buf[pos : pos + size]
            offset = self._base + pos
            pos += size
            out.extend(self._message(raw, offset, t_rx))
        self._buf = buf[pos:]
        self._base += pos
        return out

    def _message(self, raw: bytes, offset: int, t_rx: float) -> list[Item]:
        around = self._around(t_rx)
        result: list[Item] = []

        def run() -> Detection | None:
            msg = decode_message(raw)
            if isinstance(msg, MessagePack):
                self.absorbed["message_pack"] += 1
                # Identity first, so the pack's Location carries its own Basic ID/System.
                ordered = sorted(msg.messages, key=lambda m: isinstance(m, Location))
                for m in ordered:
                    det = self._apply(m, raw, around)
                    if det is not None:
                        result.append(det)
                return None
            return self._apply(msg, raw, around)

        item = self.guarded(run, raw, offset=offset, t_received=t_rx)
        if item is not None:
            result.append(item)
        return result

    def _apply(self, m: Message, raw: bytes, around: float) -> Detection | None:
        s = self.state
        if isinstance(m, BasicId):
            self._basic_id(m)
            self.absorbed["basic_id"] += 1
        elif isinstance(m, System):
            s.operator_lat, s.operator_lon = m.operator_lat, m.operator_lon
            s.operator_alt_m = m.operator_altitude_m
            s.attrs["operator_location_type"] = m.operator_location_type.name.lower()
            if m.area_count > 1:
                s.attrs["area"] = {
                    "count": m.area_count,
                    "radius_m": m.area_radius_m,
                    "floor_m": m.area_floor_m,
                    "ceiling_m": m.area_ceiling_m,
                }
            if m.classification_type == 1:
                s.attrs["eu_category"], s.attrs["eu_class"] = m.category_eu, m.class_eu
            self.absorbed["system"] += 1
        elif isinstance(m, SelfId):
            s.self_id = m.description or None
            self.absorbed["self_id"] += 1
        elif isinstance(m, OperatorId):
            s.operator_id = m.operator_id or None
            self.absorbed["operator_id"] += 1
        elif isinstance(m, Authentication):
            self.absorbed["authentication"] += 1
        elif isinstance(m, Location):
            t = absolute_time(m.timestamp_tenths, around)
            key = (MessageType.LOCATION, m)
            if self.dedup is not None and self.dedup.is_duplicate(key, t, self.source):
                raise RejectedMessage(Reason.DUPLICATE, "same Location within window")
            return self._location(m, t)
        return None

    def _basic_id(self, m: BasicId) -> None:
        s = self.state
        ident = m.uas_id or None
        if m.id_type == IdType.SERIAL_NUMBER:
            if s.serial is not None and ident != s.serial:
                self.state = s = UaState()
            s.serial = ident
        elif m.id_type in (IdType.SPECIFIC_SESSION_ID, IdType.UTM_ASSIGNED_UUID):
            if s.session is not None and ident != s.session:
                self.state = s = UaState()
            s.session = ident
        elif m.id_type == IdType.CAA_REGISTRATION:
            s.caa_registration = ident
        s.ua_type = m.ua_type.name.lower()

    def _location(self, m: Location, t: float) -> Detection | None:
        if m.lat is None or m.lon is None:
            self.absorbed["location_unknown"] += 1
            return None
        s = self.state
        attrs: dict[str, object] = {"status": m.status.name.lower(), "rid_version": m.version}
        if m.altitude_geodetic_m is not None:
            alt, attrs["altitude_source"] = m.altitude_geodetic_m, "geodetic_wgs84"
        elif m.altitude_pressure_m is not None:
            alt, attrs["altitude_source"] = m.altitude_pressure_m, "pressure"
        else:
            raise RejectedMessage(
                Reason.MISSING_FIELD, "no geodetic nor pressure altitude", "altitude"
            )
        if m.altitude_pressure_m is not None:
            attrs["altitude_pressure_m"] = m.altitude_pressure_m
        if m.height_m is not None:
            attrs["height_m"] = m.height_m
            attrs["height_reference"] = m.height_type.name.lower()
        cov = None
        h = HORIZONTAL_ACCURACY_M[m.horizontal_accuracy] if m.horizontal_accuracy < 13 else None
        if h is not None:
            v = VERTICAL_ACCURACY_M[m.vertical_accuracy] if m.vertical_accuracy < 7 else None
            sv = (v if v is not None else 150.0) / 2.0
            sh = h / 2.0
            cov = ((sh * sh, 0.0, 0.0), (0.0, sh * sh, 0.0), (0.0, 0.0, sv * sv))
            attrs["horizontal_accuracy_m"] = h
        velocity = None
        if m.speed_horizontal_ms is not None and m.direction_deg is not None:
            a = math.radians(m.direction_deg)
            sp = m.speed_horizontal_ms
            velocity = (sp * math.sin(a), sp * math.cos(a), m.speed_vertical_ms or 0.0)
        sa = SPEED_ACCURACY_MS[m.speed_accuracy] if m.speed_accuracy < 5 else None
        for key, value in (
            ("ua_type", s.ua_type),
            ("caa_registration", s.caa_registration),
            ("operator_id", s.operator_id),
            ("self_id", s.self_id),
            ("operator_alt_m", s.operator_alt_m),
        ):
            if value is not None:
                attrs[key] = value
        attrs.update(s.attrs)
        return Detection(
            t=t,
            sensor=self.sensor,
            kind=SensorKind.REMOTE_ID,
            position=Position(m.lat, m.lon, alt, cov),
            velocity=velocity,
            velocity_sigma=None if velocity is None or sa is None else sa / 2.0,
            identity=Identity(
                rid_serial=s.serial,
                rid_session=s.session,
                operator_lat=s.operator_lat,
                operator_lon=s.operator_lon,
            ),
            attrs=attrs,
        )

    def reset_framing(self) -> list[Item]:
        """End of a datagram or connection: a partial message is truncated."""
        if not self._buf:
            return []
        raw, self._buf = self._buf, b""
        rej = self.reject(Reason.TRUNCATED, "stream ended inside a message", raw, offset=self._base)
        self._base += len(raw)
        return [rej]

    def close(self) -> list[Item]:
        return self.reset_framing()


def _message_size(buf: bytes, pos: int) -> int | None:
    """Size of the message at ``pos``; None if unknown yet; -1 if the header is invalid."""
    header = buf[pos]
    kind, version = header >> 4, header & 0x0F
    if version > 2 or kind not in (0, 1, 2, 3, 4, 5, 15):
        return -1
    if kind != MessageType.PACK:
        return MESSAGE_SIZE
    if pos + 3 > len(buf):
        return None
    if buf[pos + 1] != MESSAGE_SIZE or not 1 <= buf[pos + 2] <= 9:
        return -1
    return 3 + MESSAGE_SIZE * buf[pos + 2]
