"""Remote ID broadcast streams into Detections: identity, operator, time, duplicates."""

from __future__ import annotations

import dataclasses

import pytest

from skywarden.ingest.base import IngestOptions
from skywarden.ingest.rejection import Rejection
from skywarden.ingest.rid_broadcast import (
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
    encode_message,
)
from skywarden.ingest.rid_stream import RidBroadcastParser, absolute_time
from skywarden.ingest.validate import Deduplicator
from skywarden.model import Detection, SensorKind

HOUR = 1_700_002_800.0  # 2023-11-14T23:00:00Z, a whole hour
SERIAL = BasicId(IdType.SERIAL_NUMBER, UaType.HELICOPTER_OR_MULTIROTOR, "1596A12345678901")
SYSTEM = System(
    OperatorLocationType.TAKEOFF,
    ClassificationType.UNDECLARED,
    31.75,
    -106.48,
    1,
    0.0,
    None,
    None,
    0,
    0,
    1150.0,
    1_700_000_000,
)


def location(tenths: int, lat: float = 31.76) -> Location:
    return Location(
        Status.AIRBORNE,
        90.0,
        10.0,
        1.5,
        lat,
        -106.48,
        1300.0,
        1290.0,
        HeightType.ABOVE_TAKEOFF,
        110.0,
        horizontal_accuracy=10,
        vertical_accuracy=4,
        speed_accuracy=3,
        timestamp_tenths=tenths,
    )


def test_absolute_time_picks_the_nearest_hour() -> None:
    assert absolute_time(600, HOUR + 61.0) == HOUR + 60.0
    assert absolute_time(35999, HOUR + 0.3) == HOUR - 0.1  # stamped 59:59.9, heard at :00
    assert absolute_time(2, HOUR + 3599.9) == HOUR + 3600.2
    assert absolute_time(None, HOUR + 5.0) == HOUR + 5.0


def test_pack_gives_detection_with_serial_and_operator_position() -> None:
    pack = MessagePack(
        (
            location(1234),
            SERIAL,
            SYSTEM,
            SelfId(DescriptionType.TEXT, "survey"),
            OperatorId(0, "OP123"),
        )
    )
    parser = RidBroadcastParser("rx1")
    (det,) = parser.feed(encode_message(pack), HOUR + 124.0)
    assert isinstance(det, Detection) and det.kind is SensorKind.REMOTE_ID
    assert det.t == HOUR + 123.4
    assert det.identity is not None
    assert det.identity.rid_serial == "1596A12345678901"
    assert (det.identity.operator_lat, det.identity.operator_lon) == (31.75, -106.48)
    assert det.position is not None and det.position.alt_m == 1290.0
    assert det.attrs["altitude_source"] == "geodetic_wgs84"
    assert det.attrs["self_id"] == "survey" and det.attrs["operator_id"] == "OP123"
    assert det.velocity == pytest.approx((10.0, 0.0, 1.5))  # 90 deg: due east
    assert det.position.cov is not None and det.position.cov[0][0] == 25.0  # (10 m / 2)^2
    assert det.velocity_sigma == 0.5  # speed accuracy 1 m/s at 95 %


def test_reference_time_replaces_receive_time_for_replay() -> None:
    parser = RidBroadcastParser("file", IngestOptions(reference_time=HOUR + 100.0))
    (det,) = parser.feed(encode_message(location(1000)), 1_800_000_000.0)
    assert isinstance(det, Detection) and det.t == HOUR + 100.0


def test_single_messages_split_across_chunks_and_a_cut_message() -> None:
    data = encode_message(SERIAL) + encode_message(location(50))
    parser = RidBroadcastParser("rx")
    out = [o for i in range(0, len(data), 7) for o in parser.feed(data[i : i + 7], HOUR + 5)]
    assert len(out) == 1 and isinstance(out[0], Detection)
    parser.feed(encode_message(location(60))[:10], HOUR + 6)
    (cut,) = parser.close()
    assert isinstance(cut, Rejection)
    assert cut.reason == "truncated" and cut.offset == 50


def test_same_location_from_two_receivers_is_a_duplicate() -> None:
    shared = Deduplicator(1.0)
    wire = encode_message(MessagePack((SERIAL, location(70))))
    a = RidBroadcastParser("rx-a", dedup=shared).feed(wire, HOUR + 7)
    b = RidBroadcastParser("rx-b", dedup=shared).feed(wire, HOUR + 7.05)
    assert isinstance(a[0], Detection)
    assert b[0].reason == "duplicate"  # type: ignore[union-attr]


def test_location_without_altitude_is_rejected_and_without_position_absorbed() -> None:
    parser = RidBroadcastParser("rx")
    no_alt = dataclasses.replace(location(80), altitude_geodetic_m=None, altitude_pressure_m=None)
    (rej,) = parser.feed(encode_message(no_alt), HOUR + 8)
    assert not isinstance(rej, Detection)
    assert (rej.reason, rej.field, rej.offset) == ("missing_field", "altitude", 0)
    assert rej.raw == encode_message(no_alt).hex() and rej.raw_encoding == "hex"
    nowhere = dataclasses.replace(location(90), lat=None, lon=None)
    assert parser.feed(encode_message(nowhere), HOUR + 9) == []
    assert parser.absorbed["location_unknown"] == 1


def test_pressure_altitude_is_used_and_labelled_when_geodetic_is_unknown() -> None:
    baro = dataclasses.replace(location(100), altitude_geodetic_m=None)
    (det,) = RidBroadcastParser("rx").feed(encode_message(baro), HOUR + 10)
    assert isinstance(det, Detection) and det.position is not None
    assert det.position.alt_m == 1300.0 and det.attrs["altitude_source"] == "pressure"
