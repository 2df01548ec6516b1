"""skywarden against independent decoders on real recordings shipped in registry packages.

``full_flight_short.jsonl`` (traffic 2.13) holds 57,793 raw frames of one flight out of
Paris-CDG to Toulouse (330 NM), merged from several receivers, each with the fields
decoded by rs1090, a Rust decoder independent of pyModeS and of skywarden. The flight
is fed in every raw form skywarden reads (:mod:`skywarden.ingest.agreement`), with and
without the receiver's position, and each position is compared with rs1090's: at
least 99.9% within 500 m, none more than 5 km off, at least 75% of rs1090's positions
given (issue 11). Without a receiver the 1,349 surface positions at Paris cannot be
placed (no reference within 45 NM); after landing, the aircraft's own fix places them.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from skywarden.ingest.agreement import FORMS, measure, read_rows
from skywarden.ingest.base import IngestOptions
from skywarden.ingest.beast import BeastParser
from skywarden.ingest.modes import decode_frame
from skywarden.ingest.sbs import SbsParser
from skywarden.model import Detection

LFPG = (49.0097, 2.5479)  # the airport the flight leaves: a receiver there


@functools.cache
def _rows(path: Path) -> list[dict[str, Any]]:
    return read_rows(path)


@pytest.fixture
def rs1090_rows(rs1090_jsonl: Path) -> list[dict[str, Any]]:
    return _rows(rs1090_jsonl)  # parsed once per session, read only


@pytest.mark.parametrize("receiver", [None, LFPG], ids=["no_receiver", "receiver_LFPG"])
@pytest.mark.parametrize("form", FORMS)
def test_positions_agree_with_rs1090_in_every_form(
    rs1090_rows: list[dict[str, Any]], form: str, receiver: tuple[float, float] | None
) -> None:
    a = measure(rs1090_rows, form, receiver)
    assert a.reference_positions == 8324
    assert a.extra == 0  # no position where rs1090 found none
    assert a.share_within(500.0) >= 0.999
    assert a.worst_m <= 5000.0
    assert a.coverage >= 0.75
    # In fact every position given is rs1090's to the bit, and all but the frames
    # waiting for confirmation (and, without a receiver, the surface at Paris) are given.
    assert a.worst_m < 0.01  # rs1090 keeps float32-rounded degrees
    missing = a.reference_positions - a.matched
    assert missing <= (10 if receiver else 1349 + 10)
    assert "impossible_value" not in a.rejected  # the receiver range is not too tight


def test_plain_avr_read_in_one_second_batches_agrees_too(
    rs1090_rows: list[dict[str, Any]],
) -> None:
    # A live port-30002 feed without counter: every frame of a read takes its time.
    a = measure(rs1090_rows, "avr", None, batch_s=1.0)
    assert a.extra == 0 and a.worst_m < 0.01 and a.coverage >= 0.75


def test_altitudes_and_velocities_agree_with_rs1090(rs1090_rows: list[dict[str, Any]]) -> None:
    n: Counter[str] = Counter()
    disagree: list[tuple[str, dict[str, object]]] = []
    for row in rs1090_rows:
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
    assert n["altitudes"] == 6457 and n["velocities"] == 6384
    assert disagree == []


def test_beast_capture_decodes_and_frames_identically_in_any_chunking(dump1090_bin: Path) -> None:
    data = dump1090_bin.read_bytes()
    whole = BeastParser("rx", IngestOptions(reference_time=1.7e9))
    out = whole.feed(data, 1.7e9) + whole.close()
    # No bad frame in the capture. Of its 3 positions (even, odd, even) the first two
    # pairs share the odd frame, so only the third confirms the first: one Detection.
    assert [type(o) for o in out] == [Detection]
    assert sum(whole.absorbed.values()) == 238  # every other frame fed aircraft state
    assert whole.absorbed["cpr_unconfirmed"] == 2
    assert {d.identity.icao24 for d in out if isinstance(d, Detection) and d.identity} == {"48520a"}
    # Near Toulouse, FL380 (the capture's aircraft).
    first = out[0]
    assert isinstance(first, Detection) and first.position is not None
    assert first.position.lat == pytest.approx(43.65, abs=0.02)
    assert first.position.lon == pytest.approx(1.23, abs=0.02)
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
