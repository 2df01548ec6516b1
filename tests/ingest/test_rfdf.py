"""RF direction-finder JSON Lines into bearing-only Detections."""

from __future__ import annotations

import json

from skywarden.ingest.base import Item
from skywarden.ingest.formats import detect_format
from skywarden.ingest.rfdf import RfDfParser
from skywarden.model import Detection, SensorKind

REPORT = {
    "t": 1770779400.2,
    "sensor": "df-1",
    "sensor_lat": 31.79,
    "sensor_lon": -106.42,
    "sensor_alt_m": 1190,
    "bearing_deg": 212.5,
    "sigma_deg": 3.0,
    "protocol": "DJI OcuSync 3",
    "frequency_mhz": 5785.0,
    "rssi_dbm": -71.5,
    "id": "1581F5FKD229400F6",
}


def feed(*rows: dict[str, object]) -> list[Item]:
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    return RfDfParser("df.jsonl").feed(data, 1.8e9)


def test_bearing_with_protocol_and_decoded_serial() -> None:
    assert detect_format(json.dumps(REPORT).encode()) == "rfdf"
    (det,) = feed(REPORT)
    assert isinstance(det, Detection) and det.kind is SensorKind.RF and det.bearing
    assert (det.bearing.bearing_deg, det.bearing.sigma_deg) == (212.5, 3.0)
    assert det.attrs["protocol"] == "DJI OcuSync 3" and det.attrs["frequency_mhz"] == 5785.0
    assert det.identity is not None and det.identity.rid_serial == "1581F5FKD229400F6"


def test_bad_reports_name_their_field() -> None:
    out = feed(
        REPORT | {"sigma_deg": 0},
        REPORT | {"bearing_deg": "north"},
        {k: v for k, v in REPORT.items() if k != "t"},
        REPORT | {"rssi_dbm": float("nan")},
    )
    got = [(o.reason, o.field) for o in out if not isinstance(o, Detection)]  # type: ignore[attr-defined]
    assert got == [
        ("impossible_value", "sigma_deg"),
        ("corrupt", "bearing_deg"),
        ("missing_field", "t"),
        ("impossible_value", "rssi_dbm"),
    ]
