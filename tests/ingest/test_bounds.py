"""Bounds per format: line length and JSON nesting end in a Rejection, never an exception."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.ingest import rid_network
from skywarden.ingest.base import MAX_JSON_DEPTH, MAX_LINE_BYTES, IngestOptions, json_depth
from skywarden.ingest.examples import EXAMPLES
from skywarden.ingest.formats import detect_format, make_parser
from skywarden.ingest.rejection import Reason, Rejection
from skywarden.model import Detection

T = 1_770_779_400.0
OPTS = IngestOptions(reference_time=T, clock=lambda: T)
runner = CliRunner(env={"COLUMNS": "200"})


def _deep(n: int) -> bytes:
    return b"[" * n + b"]" * n


def _split(items: Sequence[object]) -> tuple[list[Detection], list[Rejection]]:
    dets = [i for i in items if isinstance(i, Detection)]
    rejs = [i for i in items if isinstance(i, Rejection)]
    assert len(dets) + len(rejs) == len(items)
    return dets, rejs


def test_json_depth_ignores_brackets_inside_strings() -> None:
    assert json_depth(b'{"a": "[[[[{{{{", "b": [[1]]}') == 3
    assert json_depth(b'["\\"[[[", {"k": []}]') == 3
    assert json_depth(b"12") == 0
    assert json_depth(_deep(500)) == 500


def test_a_deeply_nested_line_is_one_rejection_among_good_lines() -> None:
    good = EXAMPLES["rid_network"].strip()
    assert b"\n" not in good
    stream = good + b"\n" + _deep(100_000) + b"\n" + good + b"\n"
    p = make_parser("rid_network", "deep", OPTS)
    dets, rejs = _split(p.feed(stream, T) + p.close())
    one, _ = _split(make_parser("rid_network", "x", OPTS).feed(good + b"\n", T))
    assert len(dets) == 2 * len(one) > 0
    assert [(r.reason, r.line) for r in rejs] == [(Reason.TOO_LARGE, 2)]
    assert f"allows {rid_network.MAX_JSON_DEPTH}" in rejs[0].detail


def test_a_deep_first_line_and_a_deep_document_do_not_raise() -> None:
    for stream in (_deep(100_000) + b"\n", b"[\n" + _deep(100_000) + b"\n]\n"):
        p = make_parser("rid_network", "deep", OPTS)
        _, rejs = _split(p.feed(stream, T) + p.close())
        assert [r.reason for r in rejs] == [Reason.TOO_LARGE]


def test_every_json_line_format_bounds_nesting() -> None:
    for fmt in ("modes_jsonl", "plots_json", "rfdf", "visual"):
        p = make_parser(fmt, "deep", OPTS)
        deep = b'{"t": ' + _deep(MAX_JSON_DEPTH + 1) + b"}\n"
        _, rejs = _split(p.feed(deep, T) + p.close())
        assert [r.reason for r in rejs] == [Reason.TOO_LARGE], fmt
        assert len(rejs[0].raw) < len(deep) + 10


def test_detection_of_deep_json_does_not_raise() -> None:
    assert detect_format(_deep(100_000) + b"\n") is None


def test_an_over_long_line_is_rejected_and_the_next_line_counts() -> None:
    first_good = EXAMPLES["visual"].split(b"\n", 1)[0] + b"\n"
    long = b"MSG," + b"x" * (MAX_LINE_BYTES + 10) + b"\n"
    p = make_parser("visual", "long", OPTS)
    dets, rejs = _split(p.feed(long + first_good, T) + p.close())
    assert [(r.reason, r.line) for r in rejs] == [(Reason.TOO_LARGE, 1)]
    assert len(rejs[0].raw) <= 256
    assert str(MAX_LINE_BYTES + 14) in rejs[0].detail
    assert len(dets) == 1


def test_an_endless_line_does_not_grow_the_buffer() -> None:
    p = make_parser("sbs", "endless", OPTS)
    chunk = b"y" * 50_000
    out = []
    for _ in range(40):  # 2 MB without a newline, in chunks as a socket delivers them
        out += p.feed(chunk, T)
        assert len(p._buf) <= MAX_LINE_BYTES  # type: ignore[attr-defined]
    out += p.feed(b"tail\n" + EXAMPLES["sbs"], T)
    dets, rejs = _split(out + p.close())
    assert [r.reason for r in rejs] == [Reason.TOO_LARGE]
    assert "2000004 bytes" in rejs[0].detail and rejs[0].line == 1
    fresh = make_parser("sbs", "fresh", OPTS)
    expected, _ = _split(fresh.feed(EXAMPLES["sbs"], T) + fresh.close())
    assert len(dets) == len(expected) > 0


def test_cli_on_a_deep_line_exits_0_with_the_rejection(tmp_path: Path) -> None:
    src = tmp_path / "poll.jsonl"
    src.write_bytes(EXAMPLES["rid_network"].strip() + b"\n" + _deep(200_000) + b"\n")
    out, q = tmp_path / "d.jsonl", tmp_path / "q.jsonl"
    args = ["ingest", str(src), "--format", "rid_network", "--out", str(out)]
    res = runner.invoke(app, [*args, "--quarantine", str(q)])
    assert res.exit_code == 0, res.output
    assert out.read_text().count("\n") >= 1
    rows = [json.loads(x) for x in q.read_text().splitlines()]
    assert [r["reason"] for r in rows] == ["too_large"]
