"""SAPIENT (BSI Flex 335 v2.0) messages from sensor nodes: framing, ICD checks, Detections.

Binding: ``sapient-proto`` (Dstl's v2.0 ``.proto`` files compiled for protobuf >= 7, with
type stubs) and ``sapient-pydantic`` on top of it, whose models carry the ICD's own rules
read from the proto options (mandatory fields and oneofs, UUID and ULID formats). Chosen
over ``sapient-msg`` (pins protobuf < 7, which takproto's protobuf 7 excludes) and
``sapient-py`` (protobuf < 6, no ICD validation); all three install the same
``sapient_msg`` package, so only one can be used. See docs/protocols.md.

Framing (BSI Flex 335 v2.0, as Dstl's SAPIENT middleware and ``sapient-py`` implement it):
each message is a 4-byte little-endian unsigned length, then that many bytes of a
serialised ``SapientMessage``. A length above ``MAX_MESSAGE_BYTES`` cannot be trusted to
find the next message, so the rest of the stream is rejected ``corrupt``; every other
bad message is rejected alone, and the stream (the connection) goes on.

Per message (``SapientMessage.content``):

- ``registration``: the node's name and type are remembered; a RegistrationAck
  (acceptance true) is queued for the node in :attr:`SapientParser.outbox`;
- ``status_report``: its ``node_location`` places the node (for range/bearing reports);
- ``detection_report``: one :class:`Detection`. A ``location`` in WGS84 latitude and
  longitude (degrees or radians, metres; ``x`` is longitude and ``y`` latitude, as the
  ICD says) is a position with ``x_error``/``y_error``/``z_error`` as standard deviations;
  a ``range_bearing`` from a node whose location is known is a position when it has a
  range, else a bearing. ``enu_velocity`` in m/s is the velocity. The best
  classification is carried as ``attrs["class_report"]`` (drone, bird, manned or
  clutter, the radar class-report vocabulary the tracker fuses:
  ``tracking/classreport.py``) with ``attrs["class_confidence"]``; behaviours go in
  ``attrs["behaviours"]``;
- anything else (tasks, alerts, acks) is valid and counted as absorbed.

A node must register before it reports (ICD: the fusion node owns the registration);
a report from an unknown node is rejected ``unsupported``. Rejections also queue an
``Error`` message for the node naming the reason, as the ICD's error handling asks.
Altitudes are metres, taken as MSL (the WGS84 ellipsoid/geoid distinction is ignored, as
everywhere in skywarden: ``skywarden.geo``).
"""

from __future__ import annotations

import contextlib
import math
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from google.protobuf.message import DecodeError
from sapient_msg.bsi_flex_335_v2_0 import (
    location_pb2,
    range_bearing_pb2,
    registration_pb2,
    sapient_message_pb2,
)
from sapient_msg_pydantic._options import IcdValidationError
from sapient_msg_pydantic.bsi_flex_335_v2_0.sapient_message import SapientMessage as IcdMessage

from skywarden.geo import destination
from skywarden.ingest.base import Item, Parser
from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.model import Bearing, Detection, Position, SensorKind

HEADER_BYTES = 4
MAX_MESSAGE_BYTES = 1 << 20  # a detection report is ~100 bytes; a registration a few kB
FUSION_NODE_ID = "5f0e7c36-8f4b-4c35-9f0a-3c7f2b1d9a10"  # this fusion node's UUID

Loc = location_pb2.LocationCoordinateSystem
RB = range_bearing_pb2.RangeBearingCoordinateSystem
NodeType = registration_pb2.Registration.NodeType
DEGREES = (
    RB.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M,
    RB.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_KM,
)
RADIANS = (
    RB.RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_M,
    RB.RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_KM,
)
KILOMETRES = (
    RB.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_KM,
    RB.RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_KM,
)

NODE_KINDS = {
    NodeType.NODE_TYPE_RADAR: SensorKind.RADAR,
    NodeType.NODE_TYPE_PASSIVE_RF: SensorKind.RF,
    NodeType.NODE_TYPE_CAMERA: SensorKind.EO,
    NodeType.NODE_TYPE_LIDAR: SensorKind.EO,
    NodeType.NODE_TYPE_HUMAN: SensorKind.VISUAL,
}

# SAPIENT classification types (the BSI Flex 335 taxonomy and vendors' own words) to the
# class-report vocabulary of tracking/classreport.py, by keyword, most specific first.
CLASS_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("drone", ("uav", "uas", "drone", "rpas", "quadcopter", "multirotor", "multi-rotor")),
    ("bird", ("bird", "animal")),
    ("manned", ("manned", "aircraft", "airplane", "aeroplane", "helicopter", "fixed wing")),
    ("clutter", ("clutter", "false alarm", "vegetation", "weather")),
)


def frame(message: bytes) -> bytes:
    """One message with its 4-byte little-endian length prefix."""
    return len(message).to_bytes(HEADER_BYTES, "little") + message


def encode(msg: sapient_message_pb2.SapientMessage) -> bytes:
    return frame(msg.SerializeToString())


def report_class(type_name: str) -> str | None:
    """A SAPIENT class name in the tracker's class-report vocabulary, None if unknown."""
    t = type_name.lower()
    for label, words in CLASS_WORDS:
        if any(w in t for w in words):
            return label
    return None


def best_class(classes: Any, parent_conf: float = 1.0) -> tuple[str, float, str] | None:
    """(label, confidence, SAPIENT type) of the most confident class anywhere in the
    classification tree; a sub-class's confidence is conditional on its parent's."""
    best: tuple[str, float, str] | None = None
    for c in classes:
        conf = c.confidence if c.HasField("confidence") else 1.0
        if not 0.0 <= conf <= 1.0 or not math.isfinite(conf):
            raise RejectedMessage(
                Reason.IMPOSSIBLE_VALUE, f"class {c.type!r} confidence {conf}", "classification"
            )
        joint = parent_conf * conf
        label = report_class(c.type)
        if label is not None and (best is None or joint > best[1]):
            best = (label, joint, c.type)
        sub = best_class(c.sub_class, joint)
        if sub is not None and (best is None or sub[1] > best[1]):
            best = sub
    return best


@dataclass
class Node:
    node_id: str
    name: str
    kind: SensorKind
    location: tuple[float, float, float] | None = None


def _lat_lon_alt(loc: location_pb2.Location, where: str) -> tuple[float, float, float]:
    if loc.datum == location_pb2.LOCATION_DATUM_UNSPECIFIED:
        raise RejectedMessage(Reason.MISSING_FIELD, "location datum unspecified", where)
    if loc.coordinate_system == Loc.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M:
        lat, lon = loc.y, loc.x
    elif loc.coordinate_system == Loc.LOCATION_COORDINATE_SYSTEM_LAT_LNG_RAD_M:
        lat, lon = math.degrees(loc.y), math.degrees(loc.x)
    else:
        name = Loc.Name(loc.coordinate_system)
        raise RejectedMessage(Reason.UNSUPPORTED, f"coordinate system {name}", where)
    alt = loc.z if loc.HasField("z") else 0.0
    for name, v in (("lat", lat), ("lon", lon), ("z", alt)):
        if not math.isfinite(v):
            raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"{name} is {v}", where)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"lat {lat}, lon {lon}", where)
    return lat, lon, alt


def _cov(loc: location_pb2.Location) -> tuple[tuple[float, ...], ...] | None:
    """ENU covariance (m^2) from the location errors, taken as 1-sigma in the coordinates'
    own units (degrees or radians; ``z_error`` in metres)."""
    if not (loc.HasField("x_error") and loc.HasField("y_error")):
        return None
    coslat = math.cos(math.radians(_lat_lon_alt(loc, "location")[0]))
    if loc.coordinate_system == Loc.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M:
        sx = loc.x_error * 111_320.0 * coslat  # degrees of longitude -> metres east
        sy = loc.y_error * 110_574.0  # degrees of latitude -> metres north
    else:  # radians
        sx = loc.x_error * 6_371_000.0 * coslat
        sy = loc.y_error * 6_371_000.0
    sz = loc.z_error if loc.HasField("z_error") else max(sx, sy)
    return ((sx * sx, 0.0, 0.0), (0.0, sy * sy, 0.0), (0.0, 0.0, sz * sz))


@dataclass
class SapientDecoder:
    """The fusion node's view of its sensor nodes, and one message at a time decoded."""

    sensor_override: str | None = None
    nodes: dict[str, Node] = field(default_factory=dict)

    def validate(self, payload: bytes) -> sapient_message_pb2.SapientMessage:
        """Parse and check against the ICD; RejectedMessage naming the reason otherwise."""
        msg = sapient_message_pb2.SapientMessage()
        try:
            msg.ParseFromString(payload)
        except DecodeError as e:
            raise RejectedMessage(Reason.CORRUPT, f"not a SapientMessage: {e}") from None
        try:
            IcdMessage.from_pb2(msg).to_pb2()  # ICD: formats at build, mandatory at to_pb2
        except IcdValidationError as e:
            raise RejectedMessage(Reason.MISSING_FIELD, f"ICD: {e}") from None
        except ValueError as e:  # pydantic: a UUID/ULID field in the wrong format
            first = str(e).splitlines()
            detail = next((x.strip() for x in first if "not a valid" in x), first[0])
            raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"ICD: {detail}") from None
        return msg

    def decode(self, msg: sapient_message_pb2.SapientMessage) -> tuple[str, Detection | None]:
        """(content kind, Detection or None) for a validated message."""
        kind = msg.WhichOneof("content") or "none"
        node_id = msg.node_id
        if kind == "registration":
            reg = msg.registration
            types = [d.node_type for d in reg.node_definition]
            sensor_kind = next((NODE_KINDS[t] for t in types if t in NODE_KINDS), None)
            name = reg.short_name or reg.name or node_id
            self.nodes[node_id] = Node(node_id, name, sensor_kind or SensorKind.RADAR)
            return kind, None
        node = self.nodes.get(node_id)
        if node is None:
            raise RejectedMessage(
                Reason.UNSUPPORTED, f"{kind} from node {node_id} before its registration"
            )
        if kind == "status_report":
            sr = msg.status_report
            if sr.HasField("node_location"):
                node.location = _lat_lon_alt(sr.node_location, "status_report.node_location")
            return kind, None
        if kind == "detection_report":
            return kind, self._detection(msg, node)
        return kind, None

    # size: a decoder's field-by-field mapping of one SAPIENT detection report
    def _detection(self, msg: sapient_message_pb2.SapientMessage, node: Node) -> Detection:
        dr = msg.detection_report
        t = msg.timestamp.seconds + msg.timestamp.nanos * 1e-9
        sensor = self.sensor_override or node.name
        attrs: dict[str, Any] = {"node_id": node.node_id, "object_id": dr.object_id}
        best = best_class(dr.classification)
        if best is not None:
            label, conf, name = best
            attrs["class_report"], attrs["sapient_class"] = label, name
            attrs["class_confidence"] = round(conf, 6)  # protobuf floats are 32-bit
        if dr.behaviour:
            attrs["behaviours"] = [
                {"type": b.type, "confidence": b.confidence if b.HasField("confidence") else None}
                for b in dr.behaviour
            ]
        if dr.HasField("detection_confidence"):
            attrs["detection_confidence"] = dr.detection_confidence
        velocity = None
        if dr.HasField("enu_velocity"):
            v = dr.enu_velocity
            velocity = (v.east_rate, v.north_rate, v.up_rate if v.HasField("up_rate") else 0.0)
        where = dr.WhichOneof("location_oneof")
        if where == "location":
            lat, lon, alt = _lat_lon_alt(dr.location, "detection_report.location")
            pos = Position(lat, lon, alt, _cov(dr.location))
            return Detection(t, sensor, node.kind, position=pos, velocity=velocity, attrs=attrs)
        rb = dr.range_bearing
        if node.location is None:
            raise RejectedMessage(
                Reason.NO_POSITION,
                f"range/bearing from node {node.name} whose location is unknown (no status"
                " report with node_location yet)",
                "detection_report.range_bearing",
            )
        if rb.coordinate_system in DEGREES:
            az, el = rb.azimuth, rb.elevation if rb.HasField("elevation") else None
            az_err = rb.azimuth_error if rb.HasField("azimuth_error") else None
        elif rb.coordinate_system in RADIANS:
            az = math.degrees(rb.azimuth)
            el = math.degrees(rb.elevation) if rb.HasField("elevation") else None
            az_err = math.degrees(rb.azimuth_error) if rb.HasField("azimuth_error") else None
        else:
            raise RejectedMessage(
                Reason.UNSUPPORTED, "range/bearing coordinate system unspecified", "range_bearing"
            )
        if rb.datum != range_bearing_pb2.RANGE_BEARING_DATUM_TRUE:
            raise RejectedMessage(
                Reason.UNSUPPORTED,
                f"bearing datum {range_bearing_pb2.RangeBearingDatum.Name(rb.datum)}: only true"
                " north can be placed without the node's heading or the local declination",
                "range_bearing.datum",
            )
        lat0, lon0, alt0 = node.location
        if rb.HasField("range"):
            km = rb.coordinate_system in KILOMETRES
            rng = rb.range * (1000.0 if km else 1.0)
            e = math.radians(el or 0.0)
            lat, lon = destination(lat0, lon0, az % 360.0, rng * math.cos(e))
            pos = Position(lat, lon, alt0 + rng * math.sin(e))
            return Detection(t, sensor, node.kind, position=pos, velocity=velocity, attrs=attrs)
        bearing = Bearing(lat0, lon0, alt0, az % 360.0, az_err or 5.0, el)
        return Detection(t, sensor, node.kind, bearing=bearing, velocity=velocity, attrs=attrs)


def ack(node_id: str, accepted: bool = True, reasons: tuple[str, ...] = ()) -> bytes:
    """A framed RegistrationAck from this fusion node to ``node_id``."""
    m = sapient_message_pb2.SapientMessage(node_id=FUSION_NODE_ID, destination_id=node_id)
    m.timestamp.FromDatetime(datetime.now(UTC))
    m.registration_ack.acceptance = accepted
    m.registration_ack.ack_response_reason.extend(reasons)
    return encode(m)


def error(node_id: str | None, packet: bytes, reasons: list[str]) -> bytes:
    """A framed Error message naming why ``packet`` was refused."""
    m = sapient_message_pb2.SapientMessage(node_id=FUSION_NODE_ID)
    if node_id:
        with contextlib.suppress(ValueError):  # a node id that is no UUID is not echoed
            m.destination_id = str(uuid.UUID(node_id))
    m.timestamp.FromDatetime(datetime.now(UTC))
    m.error.packet = packet[:4096]
    m.error.error_message.extend(reasons)
    return encode(m)


@dataclass
class SapientParser(Parser):
    """Length-prefixed SAPIENT messages in, Detections out; replies queued in ``outbox``."""

    format: ClassVar[str] = "sapient"
    binary: ClassVar[bool] = True
    buffer: bytearray = field(default_factory=bytearray)
    offset: int = 0
    outbox: list[bytes] = field(default_factory=list)
    decoder: SapientDecoder = field(default_factory=SapientDecoder)
    broken: bool = False

    def __post_init__(self) -> None:
        self.decoder.sensor_override = self.options.sensor

    def feed(self, data: bytes, t_received: float | None = None) -> list[Item]:
        if self.broken:  # framing lost: nothing after it can be trusted to start a message
            self.offset += len(data)
            return []
        self.buffer.extend(data)
        out: list[Item] = []
        while len(self.buffer) >= HEADER_BYTES:
            n = int.from_bytes(self.buffer[:HEADER_BYTES], "little")
            if n > MAX_MESSAGE_BYTES:
                out.append(
                    self.reject(
                        Reason.CORRUPT,
                        f"length prefix {n} > {MAX_MESSAGE_BYTES}: framing lost, rest dropped",
                        bytes(self.buffer[:64]),
                        offset=self.offset,
                        t_received=t_received,
                    )
                )
                self.offset += len(self.buffer)
                self.buffer.clear()
                self.broken = True
                break
            if len(self.buffer) < HEADER_BYTES + n:
                break
            payload = bytes(self.buffer[HEADER_BYTES : HEADER_BYTES + n])
            del self.buffer[: HEADER_BYTES + n]
            item = self._one(payload, t_received)
            if item is not None:
                out.append(item)
            self.offset += HEADER_BYTES + n
        return out

    def _one(self, payload: bytes, t_received: float | None) -> Item | None:
        node_id: str | None = None
        try:
            msg = self.decoder.validate(payload)
            node_id = msg.node_id
            kind, det = self.decoder.decode(msg)
        except Exception as e:  # hostile input never stops the stream
            rej = self.as_rejection(e, payload, offset=self.offset, t_received=t_received)
            self.outbox.append(error(node_id, payload, [f"{rej.reason}: {rej.detail}"]))
            return rej
        if kind == "registration":
            self.outbox.append(ack(msg.node_id))
        if det is None:
            self.absorbed[kind] += 1
        return det

    def close(self) -> list[Item]:
        if not self.buffer:
            return []
        raw = bytes(self.buffer)
        self.buffer.clear()
        return [
            self.reject(
                Reason.TRUNCATED,
                f"stream ended inside a message ({len(raw)} bytes of it)",
                raw[:64],
                offset=self.offset,
            )
        ]

    def reset_framing(self) -> list[Item]:
        """A new connection starts a new framing (a lost one is not carried over)."""
        out = self.close()
        self.broken = False
        return out


__all__ = ["SapientDecoder", "SapientParser", "ack", "encode", "error", "frame"]
