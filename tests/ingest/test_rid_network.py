"""F3411 display-provider JSON (v19 and v22a) into Detections."""

from __future__ import annotations

import json

import pytest

from skywarden.ingest.base import Item
from skywarden.ingest.formats import detect_format
from skywarden.ingest.rid_network import RidNetworkParser
from skywarden.model import Detection

V22A_FLIGHTS = {
    "timestamp": {"value": "2026-02-11T03:10:00Z", "format": "RFC3339"},
    "flights": [
        {
            "id": "uss1-flight-42",
            "aircraft_type": "Helicopter",
            "current_state": {
                "timestamp": {"value": "2026-02-11T03:09:59.5Z", "format": "RFC3339"},
                "timestamp_accuracy": 0.1,
                "operational_status": "Airborne",
                "position": {
                    "lat": 31.7712,
                    "lng": -106.4501,
                    "alt": 1290.0,
                    "accuracy_h": "HA10m",
                    "accuracy_v": "VA3m",
                    "extrapolated": False,
                    "pressure_altitude": 1301.0,
                    "height": {"distance": 95.0, "reference": "TakeoffLocation"},
                },
                "track": 180.0,
                "speed": 12.0,
                "speed_accuracy": "SA1mps",
                "vertical_speed": -1.5,
            },
            "simulated": False,
        },
        {"id": "uss1-flight-43", "aircraft_type": "Aeroplane"},  # no current state
    ],
}
V22A_DETAILS = {
    "details": {
        "id": "uss1-flight-42",
        "uas_id": {"serial_number": "1596A12345678901", "specific_session_id": "02-a1b2c3"},
        "operator_location": {"position": {"lat": 31.77, "lng": -106.45}},
        "operator_id": "USA-OP-77",
        "operation_description": "pipeline inspection",
    }
}
V19_FLIGHTS = {
    "timestamp": "2026-02-11T03:10:00Z",
    "flights": [
        {
            "id": "v19-7",
            "aircraft_type": "Helicopter",
            "current_state": {
                "timestamp": "2026-02-11T03:09:58Z",
                "timestamp_accuracy": 0.5,
                "position": {
                    "lat": 31.8,
                    "lng": -106.4,
                    "alt": 1400.0,
                    "accuracy_h": "HA30m",
                    "accuracy_v": "VA10m",
                },
                "track": 90.0,
                "speed": 5.0,
                "speed_accuracy": "SA3mps",
                "vertical_speed": 0.0,
            },
        }
    ],
}
V19_DETAILS = {
    "details": {
        "id": "v19-7",
        "serial_number": "SN-V19",
        "operator_location": {"lat": 31.79, "lng": -106.41},
    }
}


def run(*docs: object, pretty: bool = False) -> tuple[RidNetworkParser, list[Item]]:
    sep = "\n"
    text = sep.join(json.dumps(d, indent=2 if pretty else None) for d in docs) + sep
    parser = RidNetworkParser("dp")
    return parser, parser.feed(text.encode(), 1.8e9) + parser.close()


def test_v22a_flight_with_details_carries_serial_session_and_operator() -> None:
    parser, out = run(V22A_DETAILS, V22A_FLIGHTS)
    (det,) = out
    assert isinstance(det, Detection) and det.position is not None
    assert det.t == pytest.approx(1770779399.5)  # 2026-02-11T03:09:59.5Z
    assert (det.position.lat, det.position.lon, det.position.alt_m) == (31.7712, -106.4501, 1290)
    assert det.attrs["altitude_source"] == "geodetic_wgs84"
    assert det.attrs["height_m"] == 95.0 and det.attrs["status"] == "Airborne"
    assert det.position.cov is not None and det.position.cov[0][0] == 25.0
    assert det.velocity == pytest.approx((0.0, -12.0, -1.5))
    assert det.identity is not None
    assert det.identity.rid_serial == "1596A12345678901"
    assert det.identity.rid_session == "02-a1b2c3"
    assert (det.identity.operator_lat, det.identity.operator_lon) == (31.77, -106.45)
    assert parser.absorbed["flight_without_current_state"] == 1


def test_v19_flight_and_details() -> None:
    _, out = run(V19_DETAILS, V19_FLIGHTS)
    (det,) = out
    assert isinstance(det, Detection) and det.identity is not None
    assert det.identity.rid_serial == "SN-V19" and det.identity.operator_lat == 31.79
    assert det.attrs["rid_network"] == "v19"
    assert det.velocity == pytest.approx((5.0, 0.0, 0.0))


def test_pretty_printed_document_is_read_whole_and_detected() -> None:
    text = json.dumps(V22A_FLIGHTS, indent=2).encode()
    assert detect_format(text) == "rid_network"
    _, out = run(V22A_FLIGHTS, pretty=True)
    assert [type(o) for o in out] == [Detection]


def test_bad_flights_are_rejected_with_their_path_and_the_rest_kept() -> None:
    bad = json.loads(json.dumps(V22A_FLIGHTS))
    bad["flights"].append(
        {
            "id": "x",
            "aircraft_type": "Helicopter",
            "current_state": {
                "timestamp": {"value": "2026-02-11T03:09:59Z"},
                "position": {"lat": "north"},
            },
        }
    )
    bad["flights"].append({"id": "y"})
    _, out = run(bad)
    assert isinstance(out[0], Detection)
    reasons = [(o.reason, o.field) for o in out[1:] if not isinstance(o, Detection)]
    assert reasons == [("corrupt", "flights[2]"), ("missing_field", "flights[3]")]


def test_impossible_latitude_is_rejected() -> None:
    bad = json.loads(json.dumps(V19_FLIGHTS))
    bad["flights"][0]["current_state"]["position"]["lat"] = 91.0
    _, out = run(bad)
    (rej,) = out
    assert not isinstance(rej, Detection) and rej.reason == "impossible_value"
