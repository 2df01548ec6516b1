"""``raw.jsonl`` lines: any bytes round-trip, and the line is plain JSON of the record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywarden.evidence.chain import Chain, Kind
from skywarden.evidence.rawlog import EvidenceFileError, parse_record, read_records, record_line


@settings(deadline=None)
@given(st.binary(max_size=200), st.sampled_from(list(Kind)))
def test_any_record_round_trips_through_its_line(raw: bytes, kind: Kind) -> None:
    rec = Chain().append(1_770_778_800.125, kind, raw)
    line = record_line(rec)
    assert line.endswith("\n") and "\n" not in line[:-1]
    assert parse_record(line, "raw.jsonl", 1) == rec
    doc = json.loads(line)
    assert set(doc) == {"i", "t", "kind", "raw" if "raw" in doc else "raw_b64", "h"}


def test_a_malformed_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "raw.jsonl"
    good = record_line(Chain().append(1_770_778_800.0, Kind.DETECTION, b"{}"))
    path.write_text(good + '{"i": 1, "t": 2}\n')
    with pytest.raises(EvidenceFileError, match=r"raw.jsonl:2: not a chain record"):
        list(read_records(path))
