"""CoT events from tracks and incidents, decoded by takproto (the TAK community's codec)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
import takproto
from hypothesis import example, given, settings
from hypothesis import strategies as st

from skywarden.protocols import cot

T0 = 1_780_000_000.0


def track(**kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "t": T0 + 0.5,
        "track": "T7",
        "status": "confirmed",
        "lat": 31.7612345,
        "lon": -106.4854321,
        "alt_m": 1250.0,
        "velocity": [3.0, -4.0, 0.0],
        "cls": "drone",
        "class_probs": {"drone": 0.91, "bird": 0.09},
        "identities": ["rid:1581F5FHD228P00A0001"],
    }
    d.update(kw)
    return d


INCIDENT = {
    "id": "I3",
    "t_open": T0 - 30,
    "t_updated": T0,
    "severity": 3,
    "state": "open",
    "kind": "incursion",
    "summary": "incursion: border_crossing (T7)",
    "tracks": ["T7"],
    "lat": 31.76,
    "lon": -106.48,
}
REC = {"incident": "I3", "action": "verify", "t_expires": T0 + 600, "reasons": ["one sensor"]}


@pytest.mark.parametrize(
    ("kw", "in_incident", "want"),
    [
        ({}, False, "a-u-A-M-F-Q"),
        ({}, True, "a-s-A-M-F-Q"),
        ({"cls": "manned", "identities": ["icao:a1b2c3"]}, False, "a-n-A-C"),
        ({"cls": "manned", "identities": [], "callsign": "SWA123"}, False, "a-n-A-C"),
        ({"cls": "manned", "identities": []}, False, "a-u-A-C"),
        ({"cls": "unknown"}, False, "a-u-A"),
        ({"cls": "bird"}, False, None),
    ],
)
def test_cot_type_follows_the_class_and_identity(
    kw: dict[str, Any], in_incident: bool, want: str | None
) -> None:
    assert cot.cot_type(track(**kw), in_incident=in_incident) == want


def test_birds_only_when_asked_and_never_as_a_drone() -> None:
    assert cot.track_event(track(cls="bird")) is None
    ev = cot.track_event(track(cls="bird"), include_birds=True)
    assert ev is not None and ev.get("type") == "a-u-A"


def test_stale_is_three_update_intervals_within_bounds() -> None:
    assert cot.stale_after_s(2.0) == 6.0
    assert cot.stale_after_s(0.1) == cot.STALE_MIN_S
    assert cot.stale_after_s(600.0) == cot.STALE_MAX_S
    assert cot.stale_after_s(None) == cot.STALE_MIN_S  # first update: 1 s assumed


def test_takproto_reads_back_the_track_event() -> None:
    ev = cot.track_event(track(), incident=INCIDENT, recommendation=REC, interval_s=4.0)
    assert ev is not None
    for data in (cot.to_tak_proto(ev), cot.to_tak_proto(ev, stream=True), cot.to_xml(ev)):
        msg = takproto.parse_proto(bytearray(data))
        e = msg.cotEvent
        assert e.type == "a-s-A-M-F-Q"
        assert e.uid == "skywarden-track-T7"
        assert e.how == "m-f"
        assert e.sendTime == e.startTime == int((T0 + 0.5) * 1000)
        assert e.staleTime - e.startTime == 12_000  # 3 x 4 s
        assert e.lat == pytest.approx(31.7612345, abs=1e-7)
        assert e.lon == pytest.approx(-106.4854321, abs=1e-7)
        assert e.hae == 1250.0
        assert e.detail.track.speed == pytest.approx(5.0)
        assert e.detail.track.course == pytest.approx(143.1, abs=0.1)  # east 3, south 4
        assert e.detail.contact.callsign == "SW-T7"
        remarks = ET.fromstring(e.detail.xmlDetail).text or ""
        assert "drone p=0.91" in remarks
        assert "incursion: border_crossing (T7)" in remarks
        assert "recommend verify" in remarks and "one sensor" in remarks


def test_an_ended_track_is_stale_at_once() -> None:
    ev = cot.track_event(track(status="ended"), interval_s=1.0)
    assert ev is not None
    e = takproto.parse_proto(bytearray(cot.to_tak_proto(ev))).cotEvent
    assert e.staleTime == e.startTime


def test_incident_marker_lives_until_its_recommendation_expires() -> None:
    ev = cot.incident_event(INCIDENT, REC)
    assert ev is not None
    e = takproto.parse_proto(bytearray(cot.to_tak_proto(ev))).cotEvent
    assert e.type == cot.INCIDENT_TYPE
    assert e.uid == "skywarden-incident-I3"
    assert e.staleTime == int((T0 + 600) * 1000)
    assert "severity 3" in (ET.fromstring(e.detail.xmlDetail).text or "")
    assert cot.incident_event({**INCIDENT, "lat": None}) is None


@settings(max_examples=80, deadline=None)
@given(
    lat=st.floats(-89.9, 89.9),
    lon=st.floats(-179.9, 179.9),
    alt=st.floats(-400, 20_000),
    t=st.floats(946_684_800, 4_102_444_000),
    interval=st.floats(0.01, 1000),
    cls=st.sampled_from(["drone", "manned", "unknown"]),
)
# CI drew it: the time string cut 0.75 ms off and takproto's float truncation 1 ms more
@example(lat=0.0, lon=0.0, alt=0.0, t=1073741824.21875, interval=1.0, cls="drone")
def test_any_track_reads_back_from_tak_protobuf(
    lat: float, lon: float, alt: float, t: float, interval: float, cls: str
) -> None:
    ev = cot.track_event(track(lat=lat, lon=lon, alt_m=alt, t=t, cls=cls), interval_s=interval)
    assert ev is not None
    e = takproto.parse_proto(bytearray(cot.to_tak_proto(ev))).cotEvent
    assert e.lat == pytest.approx(lat, abs=1e-7) and e.lon == pytest.approx(lon, abs=1e-7)
    assert e.hae == pytest.approx(alt)
    assert abs(e.startTime - t * 1000) <= 1.0  # milliseconds, as TAK keeps them
    stale_ms = e.staleTime - e.startTime
    assert abs(stale_ms - 1000 * cot.stale_after_s(interval)) <= 1.0
