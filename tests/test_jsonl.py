"""The one JSON Lines reader: records or rejections, each naming its line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from skywarden import jsonl
from skywarden.jsonl import InputLineError, Line, Reason, Rejection
from skywarden.model import Detection

GOOD = (
    '{"t": 1770778800.0, "sensor": "r1", "kind": "radar", '
    '"position": {"lat": 31.8, "lon": -106.4, "alt_m": 1200.0}}'
)


def _write(tmp_path: Path, *lines: str | bytes) -> Path:
    p = tmp_path / "in.jsonl"
    p.write_bytes(b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines) + b"\n")
    return p


@pytest.mark.parametrize(
    ("line", "reason", "field", "words"),
    [
        ("{not json", Reason.CORRUPT, None, "not JSON"),
        ("[1, 2]", Reason.CORRUPT, None, "expected a JSON object, got list"),
        ('{"t": 1770778800.0, "kind": "radar"}', Reason.MISSING_FIELD, "sensor", "missing"),
        (GOOD.replace("31.8", "91.5"), Reason.IMPOSSIBLE_VALUE, "lat", "lat"),
        (GOOD.replace('"radar"', '"sonar"'), Reason.IMPOSSIBLE_VALUE, None, "sonar"),
    ],
)
def test_a_bad_line_is_a_rejection_naming_line_reason_and_field(
    tmp_path: Path, line: str, reason: Reason, field: str | None, words: str
) -> None:
    p = _write(tmp_path, GOOD, "", line, GOOD)
    items = list(jsonl.read_jsonl(p, Detection.from_dict, fmt="detections"))
    assert [type(i) for i in items] == [Line, Rejection, Line]
    good1, bad, good2 = items
    assert isinstance(good1, Line) and isinstance(good2, Line) and isinstance(bad, Rejection)
    assert (good1.n, good2.n) == (1, 4)  # blank lines count for numbering
    assert isinstance(good1.record, Detection) and good1.record.sensor == "r1"
    assert (bad.source, bad.format, bad.line, bad.reason) == (str(p), "detections", 3, reason)
    assert bad.field == field
    assert words in bad.detail and bad.raw == line


def test_bad_utf8_and_an_overlong_line_are_rejected_not_raised(tmp_path: Path) -> None:
    p = _write(tmp_path, b'{"a": "\xff\xfe"}', b'{"a": "' + b"x" * 100 + b'"}', b'{"a": 1}')
    items = list(jsonl.read_jsonl(p, jsonl.as_object, max_line_bytes=64))
    reasons = [i.reason if isinstance(i, Rejection) else None for i in items]
    assert reasons == [Reason.CORRUPT, Reason.TOO_LARGE, None]
    last = items[2]
    assert isinstance(last, Line) and last.record == {"a": 1}


def test_strict_raises_at_the_first_rejection_with_file_and_line(tmp_path: Path) -> None:
    p = _write(tmp_path, '{"a": 1}', "nope", '{"a": 2}')
    lines = jsonl.strict(jsonl.read_jsonl(p, jsonl.as_object))
    assert next(lines).record == {"a": 1}  # good lines come before the bad one raises
    with pytest.raises(InputLineError, match=r"in\.jsonl:2: not JSON") as e:
        next(lines)
    assert e.value.line == 2


def test_accepted_hands_rejections_to_the_caller_and_goes_on(tmp_path: Path) -> None:
    p = _write(tmp_path, '{"a": 1}', "nope", "[]", '{"a": 2}')
    quarantine: list[Rejection] = []
    got = [
        x.record["a"]
        for x in jsonl.accepted(jsonl.read_jsonl(p, jsonl.as_object), quarantine.append)
    ]
    assert got == [1, 2]
    assert [r.line for r in quarantine] == [2, 3]
    assert all(r.to_dict()["reason"] == "corrupt" for r in quarantine)


def test_a_missing_file_is_one_error_at_line_0(tmp_path: Path) -> None:
    with pytest.raises(InputLineError, match="cannot read") as e:
        list(jsonl.read_jsonl(tmp_path / "absent.jsonl", jsonl.as_object))
    assert e.value.line == 0
