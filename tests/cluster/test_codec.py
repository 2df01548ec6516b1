"""The wire format: the pipeline's records through msgpack and back, refusals named."""

from __future__ import annotations

import msgspec
import pytest

from skywarden.cluster import codec
from skywarden.model import Detection, Position, SensorKind, TrackStatus, TrackUpdate

T0 = 1_770_778_800.0  # 2026-02-11T03:00Z


def _det(t: float, lat: float = 31.76) -> Detection:
    cov = ((100.0, 0.0, 0.0), (0.0, 100.0, 0.0), (0.0, 0.0, 400.0))
    return Detection(t, "radar-1", SensorKind.RADAR, Position(lat, -106.43, 1300.0, cov))


def test_a_batch_round_trips_and_keeps_its_id() -> None:
    b = codec.DetBatch("e1", 7, 3, "west", T0, True, 1.5, [_det(T0 - 0.8), _det(T0 - 0.2)], 1)
    back = codec.decode_batch(codec.encode(b))
    assert back == b
    assert back.detections[0] == _det(T0 - 0.8)
    assert back.msg_id == "e1:7:3"


def test_a_step_round_trips() -> None:
    u = TrackUpdate(
        T0, "Twest-000001", TrackStatus.CONFIRMED, 31.7, -106.4, 1300.0,
        (1.0, 2.0, 0.0), (0.0,) * 6, None, {"drone": 0.9, "bird": 0.1},
    )  # fmt: skip
    st = codec.SectorStep("west", 4, T0, "w1", 10, 12, 2, 1.0, 2.0, [u], [], [], [], None)
    back = codec.decode_step(codec.encode(st))
    assert back == st and back.msg_id == "west:4"


def test_an_invalid_detection_inside_a_batch_is_refused_with_the_field() -> None:
    raw = msgspec.msgpack.encode(
        {"edge": "e", "boot": 1, "seq": 1, "sector": "s", "t": T0, "last": True, "sent": 0.0,
         "detections": [{"t": T0, "sensor": "r", "kind": "radar",
                         "position": {"lat": 123.0, "lon": 0.0, "alt_m": 0.0}}]}
    )  # fmt: skip
    with pytest.raises(codec.CodecError, match=r"sw\.det\.s: .*lat"):
        codec.decode_batch(raw, "sw.det.s")
    with pytest.raises(codec.CodecError, match="not a sector step"):
        codec.decode_step(b"\x93junk", "sw.trk.s")


@pytest.mark.parametrize("bad", ["", "a.b", "a b", "*", ">", "é"])
def test_sector_ids_are_one_subject_token(bad: str) -> None:
    with pytest.raises(codec.CodecError, match="sector"):
        codec.det_subject(bad)
    assert codec.det_subject("el-paso_1") == "sw.det.el-paso_1"
