"""Open Drone ID codec: every message type round-trips field for field; encodings by hand."""

from __future__ import annotations

import struct

import pytest

from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.ingest.rid_broadcast import (
    Authentication,
    AuthType,
    BasicId,
    ClassificationType,
    DescriptionType,
    HeightType,
    IdType,
    Location,
    MessagePack,
    OperatorId,
    OperatorLocationType,
    SelfId,
    Status,
    System,
    UaType,
    decode_message,
    encode_message,
)

BASIC = BasicId(IdType.SERIAL_NUMBER, UaType.HELICOPTER_OR_MULTIROTOR, "1596A12345678901")
SESSION = BasicId(IdType.SPECIFIC_SESSION_ID, UaType.HELICOPTER_OR_MULTIROTOR, "S3SS10N", 1)
LOCATION = Location(
    status=Status.AIRBORNE,
    direction_deg=271.0,
    speed_horizontal_ms=87.75,  # above 63.75 m/s: the 0.75 m/s multiplier range
    speed_vertical_ms=-3.5,
    lat=31.7601234,
    lon=-106.4851234,
    altitude_pressure_m=1300.5,
    altitude_geodetic_m=1280.0,
    height_type=HeightType.ABOVE_GROUND,
    height_m=120.0,
    horizontal_accuracy=10,
    vertical_accuracy=4,
    baro_accuracy=3,
    speed_accuracy=2,
    timestamp_tenths=12345,
    timestamp_accuracy_s=0.2,
)
AUTH_PAGE0 = Authentication(AuthType.UAS_ID_SIGNATURE, 0, bytes(range(17)), 2, 57, 1_700_000_000)
AUTH_PAGE1 = Authentication(AuthType.UAS_ID_SIGNATURE, 1, bytes(range(100, 123)))
SELF_ID = SelfId(DescriptionType.TEXT, "powerline survey")
SYSTEM = System(
    operator_location_type=OperatorLocationType.LIVE_GNSS,
    classification_type=ClassificationType.EU,
    operator_lat=31.75,
    operator_lon=-106.48,
    area_count=3,
    area_radius_m=50.0,
    area_ceiling_m=200.0,
    area_floor_m=-20.5,
    category_eu=1,
    class_eu=2,
    operator_altitude_m=1150.0,
    timestamp=1_700_000_000,
)
OPERATOR = OperatorId(0, "FIN87astrdge12k8")


@pytest.mark.parametrize(
    "message",
    [BASIC, SESSION, LOCATION, AUTH_PAGE0, AUTH_PAGE1, SELF_ID, SYSTEM, OPERATOR],
    ids=lambda m: type(m).__name__,
)
def test_every_message_type_round_trips_every_field(message: object) -> None:
    wire = encode_message(message)  # type: ignore[arg-type]
    assert len(wire) == 25
    assert decode_message(wire) == message


def test_message_pack_round_trips_and_is_3_plus_25n_bytes() -> None:
    pack = MessagePack((BASIC, LOCATION, SELF_ID, SYSTEM, OPERATOR))
    wire = encode_message(pack)
    assert len(wire) == 3 + 5 * 25 and wire[0] == 0xF2 and wire[1:3] == bytes([25, 5])
    assert decode_message(wire) == pack


def test_location_field_encodings_match_the_standard() -> None:
    w = encode_message(LOCATION)
    assert w[0] == 0x12  # type 1, protocol version 2 (F3411-22)
    # status 2 in the high nibble, height type bit 2, east/west bit 1, multiplier bit 0
    assert w[1] == (2 << 4) | (1 << 2) | (1 << 1) | 1
    assert w[2] == 271 - 180
    assert w[3] == round((87.75 - 63.75) / 0.75)
    assert struct.unpack_from("<b", w, 4)[0] == -7  # 0.5 m/s steps
    assert struct.unpack_from("<ii", w, 5) == (317601234, -1064851234)  # degrees x 1e7
    assert struct.unpack_from("<HHH", w, 13) == (4601, 4560, 2240)  # (m + 1000) / 0.5
    assert w[19] == (4 << 4) | 10 and w[20] == (3 << 4) | 2
    assert struct.unpack_from("<H", w, 21)[0] == 12345 and w[23] == 2


def test_unknown_values_use_the_standards_sentinels() -> None:
    unknown = Location(
        Status.UNDECLARED, None, None, None, None, None, None, None, HeightType.ABOVE_TAKEOFF, None
    )
    w = encode_message(unknown)
    assert w[2] + 180 * ((w[1] >> 1) & 1) == 361  # direction unknown
    assert w[3] == 255 and w[1] & 1 == 1  # speed unknown: 255 with multiplier
    assert struct.unpack_from("<b", w, 4)[0] == 126  # 63 m/s: unknown
    assert struct.unpack_from("<iiHHH", w, 5) == (0, 0, 0, 0, 0)
    assert struct.unpack_from("<H", w, 21)[0] == 0xFFFF
    assert decode_message(w) == unknown


def test_slow_speeds_use_quarter_metre_steps() -> None:
    w = encode_message(
        Location(
            Status.AIRBORNE, 10.0, 12.25, 0.0, 1.0, 1.0, None, None, HeightType.ABOVE_TAKEOFF, None
        )
    )
    assert w[1] & 1 == 0 and w[3] == 49


@pytest.mark.parametrize(
    ("wire", "reason", "field"),
    [
        (bytes([0x12]) + bytes(10), Reason.TRUNCATED, "message"),
        (bytes([0x72]) + bytes(24), Reason.CORRUPT, "message_type"),
        (bytes([0x13]) + bytes(24), Reason.UNSUPPORTED, "version"),
        (
            bytes([0x12, 0x20, 0, 0])
            + struct.pack("<b", 0)
            + struct.pack("<ii", 910000000, 0)
            + bytes(12),
            Reason.IMPOSSIBLE_VALUE,
            "position_lat",
        ),
        (bytes([0xF2, 25, 2]) + encode_message(BASIC), Reason.TRUNCATED, "pack"),
        (bytes([0xF2, 24, 1]) + encode_message(BASIC), Reason.CORRUPT, "pack_size"),
        (bytes([0x02, 0x70]) + bytes(23), Reason.CORRUPT, "id_type"),
    ],
    ids=["short", "type7", "version3", "lat91", "pack-cut", "pack-size", "id-type"],
)
def test_malformed_messages_are_rejected_with_reason_and_field(
    wire: bytes, reason: Reason, field: str
) -> None:
    with pytest.raises(RejectedMessage) as e:
        decode_message(wire)
    assert (e.value.reason, e.value.field) == (reason, field)
