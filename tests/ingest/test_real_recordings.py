"""skywarden against independent decoders on real recordings shipped in registry packages.

``full_flight_short.jsonl`` (traffic 2.13) holds 57,793 raw frames of one flight out of
Paris-CDG, each with the fields decoded by rs1090, a Rust decoder independent of
pyModeS and of skywarden. Every position, airborne altitude and ground velocity that
rs1090 decoded is compared with skywarden's. The only frames where the two differ in
*output* are the duplicates (the same frame from two receivers, < 1 ms apart):
rs1090 decodes both copies, skywarden quarantines the second as ``duplicate``; its
position is the first copy's, so the comparison uses that.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from skywarden.ingest.base import IngestOptions
from skywarden.ingest.beast import BeastParser
from skywarden.ingest.frames_jsonl import FramesJsonlParser
from skywarden.ingest.modes import decode_frame
from skywarden.ingest.rejection import Rejection
from skywarden.ingest.sbs import SbsParser
from skywarden.model import Detection

LFPG = (49.0097, 2.5479)  # the receiver's airport: surface positions need a reference


def test_positions_altitudes_velocities_agree_with_rs1090(rs1090_jsonl: Path) -> None:
    path = rs1090_jsonl
    # The feed merges receivers across France (the flight lands at Toulouse, 320 NM
    # from Paris), so no single receiver range applies; LFPG only seeds surface decoding.
    parser = FramesJsonlParser("rs1090", IngestOptions(receiver=LFPG, receiver_max_range_m=None))
    first_copy: dict[str, Detection] = {}
    n = Counter()
    disagree: list[tuple[str, dict[str, object]]] = []
    for raw in path.read_bytes().splitlines(keepends=True):
        row = json.loads(raw)
        out = parser.feed(raw, 1.8e9)
        dets = [o for o in out if isinstance(o, Detection)]
        if dets:
            first_copy[row["frame"]] = dets[0]
        elif out and isinstance(out[0], Rejection) and out[0].reason == "duplicate":
            n["duplicate"] += 1
            dets = [first_copy[row["frame"]]] if row["frame"] in first_copy else []
        if "latitude" in row:
            n["positions"] += 1
            p = dets[0].position if dets else None
            if (
                p is None
                or abs(p.lat - row["latitude"]) > 1e-6
                or abs(p.lon - row["longitude"]) > 1e-6
            ):
                disagree.append(("position", row))
        if row.get("bds") == "05" and "altitude" in row:
            n["altitudes"] += 1
            if decode_frame(bytes.fromhex(row["frame"])).altitude_ft != row["altitude"]:
                disagree.append(("altitude", row))
        if row.get("bds") == "09" and row.get("groundspeed") is not None:
            n["velocities"] += 1
            f = decode_frame(bytes.fromhex(row["frame"]))
            if (
                f.groundspeed_kt is None
                or f.track_deg is None
                or abs(f.groundspeed_kt - row["groundspeed"]) > 1e-6
                or abs(f.track_deg - row["track"]) > 1e-6
                or f.vertical_rate_fpm != row.get("vertical_rate")
            ):
                disagree.append(("velocity", row))
    total = n["positions"] + n["altitudes"] + n["velocities"]
    assert n["positions"] == 8324 and n["altitudes"] == 6457 and n["velocities"] == 6384
    assert n["duplicate"] > 0  # the feed merges receivers: some frames arrive twice
    assert len(disagree) <= total * 0.001, disagree[:5]
    assert disagree == []  # in fact none: every field agrees


def test_beast_capture_decodes_and_frames_identically_in_any_chunking(dump1090_bin: Path) -> None:
    data = dump1090_bin.read_bytes()
    whole = BeastParser("rx", IngestOptions(reference_time=1.7e9))
    out = whole.feed(data, 1.7e9) + whole.close()
    assert [type(o) for o in out] == [Detection] * 3  # no bad frame in the capture
    assert sum(whole.absorbed.values()) == 236  # every other frame fed aircraft state
    assert {d.identity.icao24 for d in out if isinstance(d, Detection) and d.identity} == {"48520a"}
    # Near Toulouse, FL380 (the capture's aircraft), 1 s apart by the 12 MHz counter.
    first = out[0]
    assert isinstance(first, Detection) and first.position is not None
    assert first.position.lat == pytest.approx(43.644, abs=0.01)
    assert first.position.lon == pytest.approx(1.2315, abs=0.01)
    for size in (1, 7, 100):
        chunked = BeastParser("rx", IngestOptions(reference_time=1.7e9))
        got = []
        for i in range(0, len(data), size):
            got += chunked.feed(data[i : i + size], 1.7e9)
        assert got + chunked.close() == out


def test_sbs1_sample_positions_and_state(sbs1_msgs: Path) -> None:
    data = sbs1_msgs.read_bytes()
    parser = SbsParser("sbs1", IngestOptions(reference_time=1.7e9))
    out = parser.feed(data, 1.7e9) + parser.close()
    dets = [o for o in out if isinstance(o, Detection)]
    assert len(dets) == 74 and len(out) == 74  # 74 MSG,3 positions, nothing rejected
    assert sum(parser.absorbed.values()) == 4184 - 74
    first = dets[0]
    assert first.identity is not None and first.identity.icao24 == "4b1908"
    assert first.position is not None
    assert (first.position.lat, first.position.lon) == (33.96693, -118.25598)
    assert first.position.alt_m == pytest.approx(2525 * 0.3048)
    assert first.attrs["altitude_source"] == "barometric"
