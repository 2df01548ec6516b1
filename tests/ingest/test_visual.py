"""Visual sighting JSON Lines into positioned Detections with honest uncertainty."""

from __future__ import annotations

import json

from skywarden.ingest.formats import detect_format
from skywarden.ingest.visual import VisualParser
from skywarden.model import Detection, SensorKind

SIGHTING = {
    "t": "2026-02-11T03:12:00Z",
    "reporter": "agent-117",
    "lat": 31.772,
    "lon": -106.47,
    "uncertainty_m": 300,
    "reporter_alt_m": 1140,
    "height_m": 80,
    "text": "two small quadcopters heading north",
    "count": 2,
}


def test_sighting_with_estimated_altitude_and_wide_covariance() -> None:
    data = (json.dumps(SIGHTING) + "\n").encode()
    assert detect_format(data) == "visual"
    (det,) = VisualParser("sightings.jsonl").feed(data, 1.8e9)
    assert isinstance(det, Detection) and det.kind is SensorKind.VISUAL and det.position
    assert det.t == 1770779520.0 and det.sensor == "visual:agent-117"
    assert det.position.alt_m == 1220.0 and det.attrs["altitude_source"] == "estimated"
    assert det.position.cov is not None and det.position.cov[0][0] == 150.0**2
    assert det.attrs["count"] == 2 and det.attrs["text"].startswith("two small")


def test_sighting_without_any_altitude_or_with_latitude_91_is_rejected() -> None:
    rows = [{k: v for k, v in SIGHTING.items() if k != "reporter_alt_m"}, SIGHTING | {"lat": 91}]
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    out = VisualParser("s").feed(data, 1.8e9)
    assert [(o.reason, o.field) for o in out] == [  # type: ignore[union-attr]
        ("missing_field", "alt_m"),
        ("impossible_value", "lat"),
    ]
