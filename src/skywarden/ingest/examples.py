"""One small valid example stream per format: fuzzing seeds, property tests, benchmarks.

Built from the published 1090 MHz Riddle frames, the Open Drone ID and ASTERIX writers,
and the documented JSON/CSV layouts, so each example exercises the format's main path.
"""

from __future__ import annotations

import json

from skywarden.ingest.asterix_writer import block, record, signed, time_of_day, unsigned
from skywarden.ingest.beast import encode_frame
from skywarden.ingest.rid_broadcast import (
    BasicId,
    ClassificationType,
    HeightType,
    IdType,
    Location,
    MessagePack,
    OperatorLocationType,
    Status,
    System,
    UaType,
    encode_message,
)

RIDDLE_FRAMES = (
    "8D4840D6202CC371C32CE0576098",  # identification KLM1023
    "8D40621D58C382D690C8AC2863A7",  # airborne position, even
    "8D40621D58C386435CC412692AD6",  # airborne position, odd
    "8D485020994409940838175B284F",  # velocity, ground speed
    "8DA05F219B06B6AF189400CBC33F",  # velocity, airspeed
    "8D40621D58C382D690C8AC2863A7",  # even and odd again: a second pair, sharing no
    "8D40621D58C386435CC412692AD6",  # frame with the first, confirms its fix
)
T = 1_770_779_400.0


def _sbs() -> bytes:
    return (
        b"MSG,1,1,1,4840D6,1,2026/02/11,03:10:00.000,2026/02/11,03:10:00.000,KLM1023,,,,,,,,0,0,0,0\n"
        b"MSG,4,1,1,4840D6,1,2026/02/11,03:10:00.100,2026/02/11,03:10:00.100,,,450,90.0,,,-64,,0,0,0,0\n"
        b"MSG,3,1,1,4840D6,1,2026/02/11,03:10:00.200,2026/02/11,03:10:00.200,,36000,,,52.2572,3.9194,,,0,0,0,0\n"
        b"MSG,5,1,1,4840D6,1,2026/02/11,03:10:00.300,2026/02/11,03:10:00.300,,36000,,,,,,,0,0,0,0\n"
    )


def _rid() -> bytes:
    loc = Location(
        Status.AIRBORNE,
        45.0,
        8.5,
        0.5,
        31.77,
        -106.45,
        1300.0,
        1290.0,
        HeightType.ABOVE_TAKEOFF,
        90.0,
        10,
        4,
        3,
        3,
        1234,
        0.1,
    )
    basic = BasicId(IdType.SERIAL_NUMBER, UaType.HELICOPTER_OR_MULTIROTOR, "1596A12345678901")
    system = System(
        OperatorLocationType.LIVE_GNSS,
        ClassificationType.UNDECLARED,
        31.76,
        -106.46,
        1,
        0.0,
        None,
        None,
        0,
        0,
        1150.0,
        1_770_779_000,
    )
    return encode_message(MessagePack((basic, loc, system))) + encode_message(loc)


def _asterix() -> bytes:
    rec = record(
        15,
        {
            "010": bytes([1, 2]),
            "000": bytes([0x10]),
            "020": bytes([0x20]),
            "145": time_of_day(11400.5),
            "161": (7).to_bytes(2, "big"),
            "170": bytes([0]),
            "625": bytes([0x80]) + signed(1500.0, 0.1, 3),
            "627": bytes([0x80]) + unsigned(45.0, 360 / 2**16, 2),
            "628": bytes([0x80]) + signed(5.0, 180 / 2**16, 2),
        },
    )
    return block(15, [rec])


def _sapient() -> bytes:
    """A SAPIENT radar node: Registration, StatusReport, one DetectionReport (drone)."""
    from sapient_msg.bsi_flex_335_v2_0 import location_pb2 as lo
    from sapient_msg.bsi_flex_335_v2_0 import registration_pb2 as rg
    from sapient_msg.bsi_flex_335_v2_0 import sapient_message_pb2 as sm
    from sapient_msg.bsi_flex_335_v2_0 import status_report_pb2 as sr

    from skywarden.ingest.sapient import encode

    node, r_ = "0d7f3b9e-4a52-4c1e-9b7d-2f6a8c1e5d40", rg.Registration
    deg = lo.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M

    def msg(t: float) -> sm.SapientMessage:
        m = sm.SapientMessage(node_id=node)
        m.timestamp.seconds = int(t)
        return m

    def loc(lat: float, lon: float, alt: float) -> lo.Location:
        return lo.Location(
            x=lon, y=lat, z=alt, coordinate_system=deg, datum=lo.LOCATION_DATUM_WGS84_E
        )

    reg = msg(T)
    r = reg.registration
    r.icd_version, r.name, r.short_name = "BSI Flex 335 v2.0", "radar 1/2", "radar-1-2"
    r.node_definition.add(node_type=r_.NodeType.NODE_TYPE_RADAR)
    r.capabilities.add(category="Radar", type="Maximum range")
    r.status_definition.status_interval.units = r_.TimeUnits.TIME_UNITS_SECONDS
    r.status_definition.status_interval.value = 5.0
    mode = r.mode_definition.add(mode_name="default", mode_type=r_.ModeType.MODE_TYPE_PERMANENT)
    mode.settle_time.units, mode.settle_time.value = r_.TimeUnits.TIME_UNITS_SECONDS, 1.0
    lt = mode.detection_definition.add().location_type
    lt.location_units, lt.location_datum = deg, lo.LOCATION_DATUM_WGS84_E
    mode.task.region_definition.region_type.append(r_.RegionType.REGION_TYPE_AREA_OF_INTEREST)
    mode.task.region_definition.region_area.add().CopyFrom(lt)
    r.config_data.add(manufacturer="skywarden", model="example")
    st = msg(T)
    s = st.status_report
    s.report_id, s.mode = "01KGE3H900W5C4HN6STVMJ62KD", "default"
    s.system, s.info = sr.StatusReport.System.SYSTEM_OK, sr.StatusReport.Info.INFO_NEW
    s.node_location.CopyFrom(loc(31.8, -106.4, 1200.0))
    det = msg(T + 1)
    d = det.detection_report
    d.report_id, d.object_id = "01KGE3H9Z0W5C4HN6STVMJ62KE", "01KGE3H9Z0W5C4HN6STVMJ62KF"
    d.location.CopyFrom(loc(31.81, -106.41, 1290.0))
    d.classification.add(type="UAV Rotary Wing", confidence=0.8)
    d.behaviour.add(type="Loitering", confidence=0.6)
    return b"".join(encode(m) for m in (reg, st, det))


def _jsonl(*rows: dict[str, object]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


EXAMPLES: dict[str, bytes] = {
    "sbs": _sbs(),
    "avr": "".join(f"*{f};\n" for f in RIDDLE_FRAMES).encode()
    + "".join(f"@{i * 6_000_000:012X}{f};\n" for i, f in enumerate(RIDDLE_FRAMES)).encode(),
    "beast": b"".join(
        encode_frame(bytes.fromhex(f), i * 6_000_000 + 0x1A1A) for i, f in enumerate(RIDDLE_FRAMES)
    ),
    "modes_jsonl": _jsonl(*({"timestamp": T + i, "frame": f} for i, f in enumerate(RIDDLE_FRAMES))),
    "rid": _rid(),
    "rid_network": _jsonl(
        {
            "flights": [
                {
                    "id": "f1",
                    "aircraft_type": "Helicopter",
                    "current_state": {
                        "timestamp": {"value": "2026-02-11T03:10:00Z", "format": "RFC3339"},
                        "timestamp_accuracy": 0.1,
                        "position": {
                            "lat": 31.77,
                            "lng": -106.45,
                            "alt": 1290.0,
                            "accuracy_h": "HA10m",
                            "accuracy_v": "VA3m",
                        },
                        "track": 90.0,
                        "speed": 5.0,
                        "speed_accuracy": "SA1mps",
                        "vertical_speed": 0.0,
                    },
                }
            ]
        }
    ),
    "asterix": _asterix(),
    "plots_csv": b"t,sensor,range_m,azimuth_deg,elevation_deg,radial_velocity_ms,rcs_dbsm\n"
    b"1770779400.0,1/2,1523.5,47.25,3.1,-6.2,-18.5\n",
    "plots_json": _jsonl(
        {"t": T, "sensor": "1/2", "range_m": 1500.0, "azimuth_deg": 45.0, "elevation_deg": 2.0}
    ),
    "rfdf": _jsonl(
        {
            "t": T,
            "sensor": "df-1",
            "sensor_lat": 31.79,
            "sensor_lon": -106.42,
            "bearing_deg": 212.5,
            "sigma_deg": 3.0,
            "protocol": "DJI OcuSync 3",
        }
    ),
    "sapient": _sapient(),
    "visual": _jsonl(
        {
            "t": "2026-02-11T03:12:00Z",
            "reporter": "a-117",
            "lat": 31.772,
            "lon": -106.47,
            "uncertainty_m": 300,
            "alt_m": 1290,
        }
    ),
}
