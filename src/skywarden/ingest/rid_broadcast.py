# size: F3411's broadcast message types, one record and codec each
"""Open Drone ID broadcast messages: ASTM F3411-22a / ASD-STAN EN 4709-002, 25 bytes each.

Decoder and encoder for every message type, field by field as the standard encodes it
(F3411-22a §5.4.5 "Message formats"; the byte layout is the one of the reference
implementation opendroneid-core-c). Each message starts with a header byte whose high
nibble is the message type and low nibble the protocol version (0: F3411-19, 1:
F3411-20, 2: F3411-22). Multi-byte integers are little-endian; bit fields are packed
from the least significant bit.

Field encodings (decoded values are SI; ``None`` stands for the standard's "unknown"):

* latitude/longitude: int32, degrees x 1e7; 0 with 0 means unknown;
* altitudes (pressure, geodetic, height, area floor/ceiling, operator): uint16,
  (metres + 1000) / 0.5, so 0.5 m steps from -1000 m; -1000 m (code 0) means unknown;
* horizontal speed: uint8 with a multiplier bit: x 0.25 m/s up to 63.75 m/s, then
  63.75 + x 0.75 m/s up to 254.25 m/s; 255 m/s means unknown;
* vertical speed: int8 x 0.5 m/s, +-62 m/s; 63 m/s means unknown;
* direction: 0-179 plus an east/west bit adding 180 (true track, degrees); 361 unknown;
* time stamp: uint16 tenths of seconds past the UTC hour (0-36000), 0xFFFF unknown;
  System and Authentication time stamps: uint32 seconds since 2019-01-01T00:00Z;
* accuracies: enumerations (tables below), 0 = unknown.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

from skywarden.ingest.rejection import Reason, RejectedMessage

MESSAGE_SIZE = 25
ODID_EPOCH = 1_546_300_800  # 2019-01-01T00:00:00Z, origin of the 32-bit time stamps


class MessageType(IntEnum):
    BASIC_ID = 0
    LOCATION = 1
    AUTH = 2
    SELF_ID = 3
    SYSTEM = 4
    OPERATOR_ID = 5
    PACK = 15


class IdType(IntEnum):
    NONE = 0
    SERIAL_NUMBER = 1  # ANSI/CTA-2063-A
    CAA_REGISTRATION = 2
    UTM_ASSIGNED_UUID = 3
    SPECIFIC_SESSION_ID = 4


class UaType(IntEnum):
    NONE = 0
    AEROPLANE = 1
    HELICOPTER_OR_MULTIROTOR = 2
    GYROPLANE = 3
    HYBRID_LIFT = 4
    ORNITHOPTER = 5
    GLIDER = 6
    KITE = 7
    FREE_BALLOON = 8
    CAPTIVE_BALLOON = 9
    AIRSHIP = 10
    FREE_FALL_PARACHUTE = 11
    ROCKET = 12
    TETHERED_POWERED_AIRCRAFT = 13
    GROUND_OBSTACLE = 14
    OTHER = 15


class Status(IntEnum):
    UNDECLARED = 0
    GROUND = 1
    AIRBORNE = 2
    EMERGENCY = 3
    REMOTE_ID_SYSTEM_FAILURE = 4


class HeightType(IntEnum):
    ABOVE_TAKEOFF = 0
    ABOVE_GROUND = 1


class AuthType(IntEnum):
    NONE = 0
    UAS_ID_SIGNATURE = 1
    OPERATOR_ID_SIGNATURE = 2
    MESSAGE_SET_SIGNATURE = 3
    NETWORK_REMOTE_ID = 4
    SPECIFIC_AUTHENTICATION = 5


class DescriptionType(IntEnum):
    TEXT = 0
    EMERGENCY = 1
    EXTENDED_STATUS = 2


class OperatorLocationType(IntEnum):
    TAKEOFF = 0
    LIVE_GNSS = 1
    FIXED = 2


class ClassificationType(IntEnum):
    UNDECLARED = 0
    EU = 1


# Accuracy enumerations (F3411-22a Table 8 and following), index -> bound in metres or
# m/s or seconds (95 %); index 0 is "unknown".
HORIZONTAL_ACCURACY_M = (
    None,
    18520.0,
    7408.0,
    3704.0,
    1852.0,
    926.0,
    555.6,
    185.2,
    92.6,
    30.0,
    10.0,
    3.0,
    1.0,
)
VERTICAL_ACCURACY_M = (None, 150.0, 45.0, 25.0, 10.0, 3.0, 1.0)
SPEED_ACCURACY_MS = (None, 10.0, 3.0, 1.0, 0.3)

# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class BasicId:
    id_type: IdType
    ua_type: UaType
    uas_id: str
    version: int = 2


@dataclass(frozen=True)
class Location:
    status: Status
    direction_deg: float | None
    speed_horizontal_ms: float | None
    speed_vertical_ms: float | None
    lat: float | None
    lon: float | None
    altitude_pressure_m: float | None
    altitude_geodetic_m: float | None
    height_type: HeightType
    height_m: float | None
    horizontal_accuracy: int = 0
    vertical_accuracy: int = 0
    baro_accuracy: int = 0
    speed_accuracy: int = 0
    timestamp_tenths: int | None = None  # tenths of seconds past the hour
    timestamp_accuracy_s: float | None = None
    version: int = 2


@dataclass(frozen=True)
class Authentication:
    auth_type: AuthType
    page: int
    data: bytes
    last_page_index: int = 0  # page 0 only
    length: int = 0  # page 0 only: total bytes of authentication data
    timestamp: int = 0  # page 0 only: UTC epoch seconds
    version: int = 2


@dataclass(frozen=True)
class SelfId:
    description_type: DescriptionType
    description: str
    version: int = 2


@dataclass(frozen=True)
class System:
    operator_location_type: OperatorLocationType
    classification_type: ClassificationType
    operator_lat: float | None
    operator_lon: float | None
    area_count: int
    area_radius_m: float
    area_ceiling_m: float | None
    area_floor_m: float | None
    category_eu: int
    class_eu: int
    operator_altitude_m: float | None
    timestamp: int  # UTC epoch seconds
    version: int = 2


@dataclass(frozen=True)
class OperatorId:
    operator_id_type: int
    operator_id: str
    version: int = 2


@dataclass(frozen=True)
class MessagePack:
    messages: tuple[Message, ...] = field(default_factory=tuple)
    version: int = 2


Message = BasicId | Location | Authentication | SelfId | System | OperatorId | MessagePack

# ----------------------------------------------------------------------------- scalars


def _enc_latlon(v: float | None) -> int:
    return 0 if v is None else round(v * 1e7)


def _dec_latlon(a: int, b: int, name: str) -> tuple[float | None, float | None]:
    if a == 0 and b == 0:
        return None, None
    lat, lon = a / 1e7, b / 1e7
    if not -90.0 <= lat <= 90.0:
        raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"latitude {lat:.7f}", f"{name}_lat")
    if not -180.0 <= lon <= 180.0:
        raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"longitude {lon:.7f}", f"{name}_lon")
    return lat, lon


def _enc_alt(v: float | None) -> int:
    if v is None:
        return 0
    return max(0, min(0xFFFF, round((v + 1000.0) / 0.5)))


def _dec_alt(code: int) -> float | None:
    return None if code == 0 else code * 0.5 - 1000.0


def _enc_speed(v: float | None) -> tuple[int, int]:
    """Horizontal speed to (multiplier bit, code)."""
    if v is None:
        return 1, 255
    if v <= 255 * 0.25:
        return 0, round(v / 0.25)
    return 1, min(254, round((v - 255 * 0.25) / 0.75))


def _dec_speed(mult: int, code: int) -> float | None:
    if mult == 0:
        return code * 0.25
    if code == 255:
        return None
    return code * 0.75 + 255 * 0.25


def _enc_vspeed(v: float | None) -> int:
    if v is None:
        return 126
    return max(-124, min(124, round(v / 0.5)))


def _dec_vspeed(code: int) -> float | None:
    return None if code == 126 else code * 0.5


def _enc_direction(v: float | None) -> tuple[int, int]:
    """Direction to (east/west bit, code)."""
    d = 361 if v is None else round(v) % 360
    return (0, d) if d < 180 else (1, d - 180)


def _dec_direction(ew: int, code: int) -> float | None:
    d = code + 180 * ew
    if d == 361:
        return None
    if d > 359:
        raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"direction {d}", "direction")
    return float(d)


def _text(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("ascii", errors="replace").rstrip()


def _pad(text: str, n: int, name: str) -> bytes:
    b = text.encode("ascii")
    if len(b) > n:
        raise ValueError(f"{name}: {len(b)} characters, at most {n}")
    return b.ljust(n, b"\x00")


# ----------------------------------------------------------------------------- decode


def decode_message(data: bytes) -> Message:
    """Decode one 25-byte message, or a Message Pack (3 + 25 n bytes)."""
    if len(data) < MESSAGE_SIZE:
        raise RejectedMessage(Reason.TRUNCATED, f"{len(data)} bytes, need 25", "message")
    header = data[0]
    kind, version = header >> 4, header & 0x0F
    if version > 2:
        raise RejectedMessage(Reason.UNSUPPORTED, f"protocol version {version}", "version")
    try:
        mtype = MessageType(kind)
    except ValueError:
        raise RejectedMessage(Reason.CORRUPT, f"message type {kind}", "message_type") from None
    if mtype is MessageType.PACK:
        return _decode_pack(data, version)
    if len(data) != MESSAGE_SIZE:
        raise RejectedMessage(Reason.CORRUPT, f"{len(data)} bytes, need 25", "message")
    return _DECODERS[mtype](data, version)


def _decode_basic_id(d: bytes, version: int) -> BasicId:
    id_type = d[1] >> 4
    if id_type > 4:
        raise RejectedMessage(Reason.CORRUPT, f"id type {id_type} is reserved", "id_type")
    return BasicId(IdType(id_type), UaType(d[1] & 0x0F), _text(d[2:22]), version)


def _decode_location(d: bytes, version: int) -> Location:
    flags = d[1]
    status_code = flags >> 4
    if status_code > 4:
        raise RejectedMessage(Reason.CORRUPT, f"status {status_code} is reserved", "status")
    direction, speed, vspeed = d[2], d[3], struct.unpack_from("<b", d, 4)[0]
    lat_i, lon_i, baro, geo, height = struct.unpack_from("<iiHHH", d, 5)
    lat, lon = _dec_latlon(lat_i, lon_i, "position")
    ts = struct.unpack_from("<H", d, 21)[0]
    if ts != 0xFFFF and ts > 36000:
        raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"time stamp {ts} tenths", "timestamp")
    ts_acc = d[23] & 0x0F
    return Location(
        status=Status(status_code),
        direction_deg=_dec_direction((flags >> 1) & 1, direction),
        speed_horizontal_ms=_dec_speed(flags & 1, speed),
        speed_vertical_ms=_dec_vspeed(vspeed),
        lat=lat,
        lon=lon,
        altitude_pressure_m=_dec_alt(baro),
        altitude_geodetic_m=_dec_alt(geo),
        height_type=HeightType((flags >> 2) & 1),
        height_m=_dec_alt(height),
        horizontal_accuracy=d[19] & 0x0F,
        vertical_accuracy=d[19] >> 4,
        baro_accuracy=d[20] >> 4,
        speed_accuracy=d[20] & 0x0F,
        timestamp_tenths=None if ts == 0xFFFF else ts,
        timestamp_accuracy_s=None if ts_acc == 0 else ts_acc / 10,
        version=version,
    )


def _decode_auth(d: bytes, version: int) -> Authentication:
    auth_type, page = d[1] >> 4, d[1] & 0x0F
    if auth_type > 5 and auth_type < 0xA:
        raise RejectedMessage(Reason.CORRUPT, f"auth type {auth_type} is reserved", "auth_type")
    atype = AuthType(auth_type) if auth_type <= 5 else AuthType.SPECIFIC_AUTHENTICATION
    if page == 0:
        last, length, ts = d[2], d[3], struct.unpack_from("<I", d, 4)[0]
        return Authentication(
            atype, 0, bytes(d[8:25]), last, length, ts + ODID_EPOCH if ts else 0, version
        )
    return Authentication(atype, page, bytes(d[2:25]), version=version)


def _decode_self_id(d: bytes, version: int) -> SelfId:
    code = d[1]
    dtype = DescriptionType(code) if code <= 2 else DescriptionType.TEXT
    return SelfId(dtype, _text(d[2:25]), version)


def _decode_system(d: bytes, version: int) -> System:
    flags = d[1]
    lat_i, lon_i, count, radius, ceiling, floor = struct.unpack_from("<iiHBHH", d, 2)
    lat, lon = _dec_latlon(lat_i, lon_i, "operator")
    op_alt, ts = struct.unpack_from("<HI", d, 18)
    loc_type = flags & 0x03
    if loc_type > 2:
        raise RejectedMessage(Reason.CORRUPT, "operator location type 3", "operator_location")
    return System(
        operator_location_type=OperatorLocationType(loc_type),
        classification_type=ClassificationType(1 if (flags >> 2) & 0x07 == 1 else 0),
        operator_lat=lat,
        operator_lon=lon,
        area_count=count,
        area_radius_m=radius * 10.0,
        area_ceiling_m=_dec_alt(ceiling),
        area_floor_m=_dec_alt(floor),
        category_eu=d[17] >> 4,
        class_eu=d[17] & 0x0F,
        operator_altitude_m=_dec_alt(op_alt),
        timestamp=ts + ODID_EPOCH if ts else 0,
        version=version,
    )


def _decode_operator_id(d: bytes, version: int) -> OperatorId:
    return OperatorId(d[1], _text(d[2:22]), version)


def _decode_pack(d: bytes, version: int) -> MessagePack:
    size, count = d[1], d[2]
    if size != MESSAGE_SIZE:
        raise RejectedMessage(Reason.CORRUPT, f"single message size {size}", "pack_size")
    if not 1 <= count <= 9:
        raise RejectedMessage(Reason.CORRUPT, f"{count} messages in a pack (1-9)", "pack_count")
    need = 3 + MESSAGE_SIZE * count
    if len(d) < need:
        raise RejectedMessage(Reason.TRUNCATED, f"pack of {len(d)} bytes, need {need}", "pack")
    if len(d) > need:
        raise RejectedMessage(Reason.CORRUPT, f"pack of {len(d)} bytes, need {need}", "pack")
    msgs = []
    for i in range(count):
        part = d[3 + i * MESSAGE_SIZE : 3 + (i + 1) * MESSAGE_SIZE]
        if part[0] >> 4 == MessageType.PACK:
            raise RejectedMessage(Reason.CORRUPT, "a pack inside a pack", "pack")
        msgs.append(decode_message(part))
    return MessagePack(tuple(msgs), version)


_DECODERS: dict[MessageType, Callable[[bytes, int], Message]] = {
    MessageType.BASIC_ID: _decode_basic_id,
    MessageType.LOCATION: _decode_location,
    MessageType.AUTH: _decode_auth,
    MessageType.SELF_ID: _decode_self_id,
    MessageType.SYSTEM: _decode_system,
    MessageType.OPERATOR_ID: _decode_operator_id,
}

# ----------------------------------------------------------------------------- encode


# size: a table of F3411 message types, one branch per type
def encode_message(m: Message) -> bytes:
    """Encode a record to its wire form (25 bytes; a pack 3 + 25 n)."""
    if isinstance(m, MessagePack):
        body = b"".join(encode_message(x) for x in m.messages)
        return bytes([(MessageType.PACK << 4) | m.version, MESSAGE_SIZE, len(m.messages)]) + body
    if isinstance(m, BasicId):
        out = bytes([int(m.id_type) << 4 | int(m.ua_type)]) + _pad(m.uas_id, 20, "uas_id")
        return _header(MessageType.BASIC_ID, m.version) + out + bytes(3)
    if isinstance(m, Location):
        ew, direction = _enc_direction(m.direction_deg)
        mult, speed = _enc_speed(m.speed_horizontal_ms)
        flags = (int(m.status) << 4) | (int(m.height_type) << 2) | (ew << 1) | mult
        ts = 0xFFFF if m.timestamp_tenths is None else m.timestamp_tenths
        ts_acc = 0 if m.timestamp_accuracy_s is None else round(m.timestamp_accuracy_s * 10)
        body = struct.pack(
            "<BBBbiiHHHBBHBx",
            flags,
            direction,
            speed,
            _enc_vspeed(m.speed_vertical_ms),
            _enc_latlon(m.lat),
            _enc_latlon(m.lon),
            _enc_alt(m.altitude_pressure_m),
            _enc_alt(m.altitude_geodetic_m),
            _enc_alt(m.height_m),
            (m.vertical_accuracy << 4) | m.horizontal_accuracy,
            (m.baro_accuracy << 4) | m.speed_accuracy,
            ts,
            ts_acc & 0x0F,
        )
        return _header(MessageType.LOCATION, m.version) + body
    if isinstance(m, Authentication):
        flags = (int(m.auth_type) << 4) | m.page
        if m.page == 0:
            ts = m.timestamp - ODID_EPOCH if m.timestamp else 0
            body = struct.pack("<BBBI", flags, m.last_page_index, m.length, ts)
            return _header(MessageType.AUTH, m.version) + body + m.data.ljust(17, b"\0")[:17]
        return _header(MessageType.AUTH, m.version) + bytes([flags]) + m.data.ljust(23, b"\0")[:23]
    if isinstance(m, SelfId):
        body = bytes([int(m.description_type)]) + _pad(m.description, 23, "description")
        return _header(MessageType.SELF_ID, m.version) + body
    if isinstance(m, System):
        flags = (int(m.classification_type) << 2) | int(m.operator_location_type)
        ts = m.timestamp - ODID_EPOCH if m.timestamp else 0
        body = struct.pack(
            "<BiiHBHHBHIx",
            flags,
            _enc_latlon(m.operator_lat),
            _enc_latlon(m.operator_lon),
            m.area_count,
            min(255, round(m.area_radius_m / 10.0)),
            _enc_alt(m.area_ceiling_m),
            _enc_alt(m.area_floor_m),
            (m.category_eu << 4) | m.class_eu,
            _enc_alt(m.operator_altitude_m),
            ts,
        )
        return _header(MessageType.SYSTEM, m.version) + body
    if isinstance(m, OperatorId):
        body = bytes([m.operator_id_type]) + _pad(m.operator_id, 20, "operator_id")
        return _header(MessageType.OPERATOR_ID, m.version) + body + bytes(3)
    raise TypeError(f"not an Open Drone ID message: {type(m).__name__}")


def _header(kind: MessageType, version: int) -> bytes:
    return bytes([(int(kind) << 4) | version])
