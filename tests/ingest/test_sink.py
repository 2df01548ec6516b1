"""The sink: time order per sensor, counts, and the files it writes."""

from __future__ import annotations

import json
from pathlib import Path

from skywarden.ingest.sbs import SbsParser
from skywarden.ingest.sink import Sink


def line(hexid: str, clock: str) -> str:
    when = f"2026/02/11,{clock},2026/02/11,{clock}"
    return f"MSG,3,1,1,{hexid},1,{when},,8000,,,31.8,-106.3,,,0,0,0,0\n"


def test_detection_more_than_tolerance_back_in_time_is_out_of_order(tmp_path: Path) -> None:
    parser = SbsParser("rx")
    data = (
        line("A1B2C3", "03:10:10.000")
        + line("A1B2C4", "03:10:09.000")
        + line("A1B2C5", "03:10:05.000")
    ).encode()
    out, rej = tmp_path / "d.jsonl", tmp_path / "r.jsonl"
    with Sink(out, rej, max_time_regression_s=2.0) as sink:
        sink.put(parser, parser.feed(data, 1.8e9))
        sink.absorb(parser)
    assert sink.summary.accepted["sbs"] == 2  # 1 s back is jitter, within tolerance
    assert sink.summary.rejected[("sbs", "out_of_order")] == 1
    (q,) = [json.loads(x) for x in rej.read_text().splitlines()]
    assert q["reason"] == "out_of_order" and q["field"] == "t"
    assert json.loads(q["raw"])["identity"]["icao24"] == "a1b2c5"
    assert len(out.read_text().splitlines()) == 2
