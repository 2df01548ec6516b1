"""SAPIENT in: a simulated sensor node's stream through the fusion node's parser."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sapient_node import SensorNode

from skywarden.ingest.formats import detect_format
from skywarden.ingest.rejection import Reason, Rejection
from skywarden.ingest.sapient import (
    MAX_MESSAGE_BYTES,
    SapientParser,
    best_class,
    frame,
    report_class,
)
from skywarden.model import Detection, Position, SensorKind
from skywarden.tracking.classreport import RadarClassModel

T = 1_770_778_800.0


def node_for(radar: SimpleNamespace) -> SensorNode:
    return SensorNode(radar.sensor, radar.site.lat, radar.site.lon, radar.site.alt_m)


def stream(radar: SimpleNamespace, node: SensorNode) -> bytes:
    """Register, report status, half the plots, a malformed message, garbage, the rest."""
    half = len(radar.plots) // 2
    return b"".join(
        [
            node.registration(T),
            node.status(T),
            node.detections(radar.plots[:half]),
            node.missing_object_id(T + 1),
            node.garbage(),
            node.detections(radar.plots[half:]),
        ]
    )


def run(parser: SapientParser, data: bytes, chunk: int) -> list[Detection | Rejection]:
    out: list[Detection | Rejection] = []
    for i in range(0, len(data), chunk):
        out.extend(parser.feed(data[i : i + chunk]))
    return out + parser.close()


@pytest.mark.parametrize("chunk", [1 << 20, 7])
def test_el_paso_radar_plots_through_a_sapient_node(
    el_paso_radar: SimpleNamespace, chunk: int
) -> None:
    node = node_for(el_paso_radar)
    parser = SapientParser("sapient-test")
    items = run(parser, stream(el_paso_radar, node), chunk)
    dets = [i for i in items if isinstance(i, Detection)]
    rejs = [i for i in items if isinstance(i, Rejection)]
    assert len(dets) == len(el_paso_radar.plots) > 20  # every plot, the bad ones between
    for got, sent in zip(dets, el_paso_radar.plots, strict=True):
        assert got.sensor == el_paso_radar.sensor and got.kind is SensorKind.RADAR
        assert got.t == pytest.approx(sent.t, abs=1e-6)
        assert got.position is not None and sent.position is not None
        assert got.position.lat == sent.position.lat and got.position.lon == sent.position.lon
        assert got.position.alt_m == sent.position.alt_m
        assert got.attrs["class_report"] == sent.attrs["class_report"]
        # "Air Vehicle" (1.0) x sub-class confidence: the node's own confidence
        assert got.attrs["class_confidence"] == pytest.approx(
            sent.attrs["class_confidence"], abs=1e-6
        )
        assert got.attrs["behaviours"][0]["type"] in ("Loitering", "Transiting")
        # the tracker fuses it like any radar class report
        lik = RadarClassModel().likelihood(got.sensor, got.attrs)
        assert not any(math.isnan(x) for x in lik)
    assert [(r.reason, "object_id" in r.detail) for r in rejs] == [
        (Reason.MISSING_FIELD, True),
        (Reason.CORRUPT, False),
    ]
    assert parser.absorbed == {"registration": 1, "status_report": 1}


def test_replies_ack_the_registration_and_name_each_error(el_paso_radar: SimpleNamespace) -> None:
    from sapient_msg.bsi_flex_335_v2_0 import sapient_message_pb2

    node = node_for(el_paso_radar)
    parser = SapientParser("sapient-test")
    parser.feed(node.registration(T) + node.missing_object_id(T) + node.garbage())
    replies = []
    for raw in parser.outbox:
        m = sapient_message_pb2.SapientMessage()
        m.ParseFromString(raw[4:])
        assert int.from_bytes(raw[:4], "little") == len(raw) - 4
        replies.append(m)
    assert replies[0].WhichOneof("content") == "registration_ack"
    assert replies[0].registration_ack.acceptance and replies[0].destination_id == node.node_id
    assert [r.WhichOneof("content") for r in replies[1:]] == ["error", "error"]
    assert "object_id" in replies[1].error.error_message[0]
    assert replies[2].error.error_message[0].startswith("corrupt")


def test_a_node_must_register_before_it_reports(el_paso_radar: SimpleNamespace) -> None:
    node = node_for(el_paso_radar)
    (rej,) = SapientParser("s").feed(node.detections(el_paso_radar.plots[:1]))
    assert isinstance(rej, Rejection) and rej.reason is Reason.UNSUPPORTED
    assert "before its registration" in rej.detail


def test_range_bearing_needs_the_nodes_location() -> None:
    from sapient_msg.bsi_flex_335_v2_0 import range_bearing_pb2
    from ulid import ULID

    from skywarden.geo import distance_m
    from skywarden.ingest.sapient import encode

    node = SensorNode("rf-df", 31.77, -106.475, 1210.0)

    def rb_report(rng: float | None) -> bytes:
        from sapient_node import _message

        m = _message(node.node_id, T + 2)
        r = m.detection_report
        r.report_id, r.object_id = str(ULID()), str(ULID())
        r.range_bearing.azimuth = 90.0
        if rng is not None:
            r.range_bearing.range = rng
        r.range_bearing.coordinate_system = (
            range_bearing_pb2.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M
        )
        r.range_bearing.datum = range_bearing_pb2.RANGE_BEARING_DATUM_TRUE
        return encode(m)

    parser = SapientParser("s")
    (early,) = parser.feed(node.registration(T) + rb_report(2000.0))
    assert isinstance(early, Rejection) and early.reason is Reason.NO_POSITION
    placed, bearing = parser.feed(node.status(T + 1) + rb_report(2000.0) + rb_report(None))
    assert isinstance(placed, Detection) and placed.position is not None
    assert distance_m(31.77, -106.475, placed.position.lat, placed.position.lon) == (
        pytest.approx(2000.0, abs=0.01)
    )
    assert placed.position.lon > -106.475  # due east
    assert isinstance(bearing, Detection) and bearing.bearing is not None
    assert bearing.bearing.bearing_deg == 90.0


def test_framing_errors_are_named() -> None:
    p = SapientParser("s")
    (rej,) = p.feed((MAX_MESSAGE_BYTES + 1).to_bytes(4, "little") + b"x" * 10)
    assert isinstance(rej, Rejection) and rej.reason is Reason.CORRUPT
    assert "framing lost" in rej.detail
    assert p.feed(b"anything after it") == []
    p2 = SapientParser("s")
    assert p2.feed(frame(b"\x0a\x06abc")[:-2]) == []
    (cut,) = p2.close()
    assert isinstance(cut, Rejection) and cut.reason is Reason.TRUNCATED


def test_format_is_detected_from_the_first_bytes(el_paso_radar: SimpleNamespace) -> None:
    assert detect_format(node_for(el_paso_radar).registration(T)) == "sapient"
    assert detect_format(b"MSG,3,1,1,A1B2C3,1,2026/02/11,03:00:00.000") == "sbs"


def test_class_names_map_to_the_trackers_vocabulary() -> None:
    from sapient_msg.bsi_flex_335_v2_0 import detection_report_pb2

    assert report_class("UAV Rotary Wing") == "drone"
    assert report_class("Bird") == "bird"
    assert report_class("Manned Fixed Wing Aircraft") == "manned"
    assert report_class("Human") is None
    dr = detection_report_pb2.DetectionReport()
    top = dr.classification.add(type="Air Vehicle", confidence=0.9)
    top.sub_class.add(type="UAV Fixed Wing", confidence=0.5, level=1)
    dr.classification.add(type="Bird", confidence=0.4)
    assert best_class(dr.classification) == ("drone", pytest.approx(0.45), "UAV Fixed Wing")
    bad = dr.classification.add(type="Bird", confidence=1.5)
    with pytest.raises(ValueError, match=r"confidence 1\.5"):
        best_class([bad])


def test_skywarden_ingest_reads_a_recorded_stream(
    el_paso_radar: SimpleNamespace, tmp_path: Path
) -> None:
    import json

    from typer.testing import CliRunner

    from skywarden.cli import app

    rec = tmp_path / "node.sapient"
    rec.write_bytes(stream(el_paso_radar, node_for(el_paso_radar)))
    out, quarantine = tmp_path / "dets.jsonl", tmp_path / "q.jsonl"
    r = CliRunner().invoke(
        app, ["ingest", str(rec), "--out", str(out), "--quarantine", str(quarantine)]
    )
    assert r.exit_code == 0, r.output
    dets = [Detection.from_dict(json.loads(x)) for x in out.read_text().splitlines()]
    assert len(dets) == len(el_paso_radar.plots)
    assert all(isinstance(d.position, Position) for d in dets)
    reasons = [json.loads(x)["reason"] for x in quarantine.read_text().splitlines()]
    assert reasons == ["missing_field", "corrupt"]


@settings(max_examples=80, deadline=None)
@given(
    lat=st.floats(-89.9, 89.9),
    lon=st.floats(-179.9, 179.9),
    alt=st.floats(-400, 20_000),
    ve=st.floats(-300, 300),
    vn=st.floats(-300, 300),
    conf=st.floats(0.0, 1.0),
    label=st.sampled_from(["drone", "bird", "manned", "clutter"]),
)
def test_any_plot_survives_the_round_trip(
    lat: float, lon: float, alt: float, ve: float, vn: float, conf: float, label: str
) -> None:
    node = SensorNode("radar-x", 0.0, 0.0, 0.0)
    sent = Detection(
        T,
        "radar-x",
        SensorKind.RADAR,
        position=Position(lat, lon, alt),
        velocity=(ve, vn, 0.0),
        attrs={"class_report": label, "class_confidence": conf},
    )
    parser = SapientParser("s")
    (got,) = parser.feed(node.registration(T) + node.detections([sent]))
    assert isinstance(got, Detection) and got.position is not None
    assert (got.position.lat, got.position.lon, got.position.alt_m) == (lat, lon, alt)
    assert got.velocity == (ve, vn, 0.0)
    assert got.attrs["class_report"] == label
    assert got.attrs["class_confidence"] == pytest.approx(conf, abs=1e-6)  # float32 on the wire


def test_a_node_id_that_is_not_a_uuid_is_refused_by_the_icd() -> None:
    node = SensorNode("radar-x", 31.77, -106.475, 1210.0)
    node.node_id = "radar-x"  # the ICD wants a UUID
    (rej,) = SapientParser("s").feed(node.registration(T))
    assert isinstance(rej, Rejection) and rej.reason is Reason.IMPOSSIBLE_VALUE
    assert "node_id" in rej.detail and "UUID" in rej.detail
