"""The quarantine is capped per row and in total; every rejection is still counted."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.ingest.formats import make_parser
from skywarden.ingest.rejection import Reason, Rejection
from skywarden.ingest.sink import Sink

runner = CliRunner(env={"COLUMNS": "200"})


def _rej(i: int, raw: str = "x", enc: str = "text") -> Rejection:
    return Rejection("src", "sbs", Reason.CORRUPT, f"bad {i}", raw, enc, line=i)


def test_raw_is_cut_per_row_with_its_length_kept(tmp_path: Path) -> None:
    q = tmp_path / "q.jsonl"
    with Sink(None, q, quarantine_raw_chars=100) as sink:
        sink.reject(_rej(1, "a" * 5000))
        sink.reject(_rej(2, "ab" * 51, "hex"))
        sink.reject(_rej(3, "short"))
    rows = [json.loads(x) for x in q.read_text().splitlines()]
    assert [len(r["raw"]) for r in rows] == [100, 100, 5]
    assert [r.get("raw_chars") for r in rows] == [5000, 102, None]
    assert all(Rejection.from_dict(r).reason == Reason.CORRUPT for r in rows)


def test_rows_past_the_total_cap_are_counted_and_summarised(tmp_path: Path) -> None:
    q = tmp_path / "q.jsonl"
    with Sink(None, q, quarantine_max_bytes=2000) as sink:
        for i in range(100):
            sink.reject(_rej(i, "y" * 50))
    lines = q.read_text().splitlines()
    assert sum(len(x) + 1 for x in lines[:-1]) <= 2000
    written = len(lines) - 1
    assert 0 < written < 100
    assert sink.summary.rejected[("sbs", "corrupt")] == 100
    assert sink.summary.not_quarantined[("sbs", "corrupt")] == 100 - written
    last = json.loads(lines[-1])
    assert last["format"] == "quarantine" and last["reason"] == "too_large"
    assert last["not_written"] == {"sbs/corrupt": 100 - written}
    assert Rejection.from_dict(last).format == "quarantine"


def test_a_10_mb_file_forced_to_the_wrong_format(tmp_path: Path) -> None:
    """Issue 12: 10 MB of binary read as SBS once wrote 107 MB of quarantine."""
    src = tmp_path / "noise.bin"
    src.write_bytes(np.random.default_rng(7).integers(0, 256, 10_000_000, np.uint8).tobytes())
    out, q = tmp_path / "d.jsonl", tmp_path / "q.jsonl"
    args = ["ingest", str(src), "--format", "sbs", "--out", str(out), "--quarantine", str(q)]
    res = runner.invoke(app, [*args, "--quarantine-max-mb", "2"])
    assert res.exit_code == 2, res.output  # issue 14: a run that accepts nothing fails
    assert q.stat().st_size < 2 * 1024 * 1024 + 4096
    assert "nothing accepted" in res.output and "--format" in res.output
    assert "not written" in res.output
    last = json.loads(q.read_text().splitlines()[-1])
    assert sum(last["not_written"].values()) > 0


def test_a_run_that_accepts_something_does_not_warn(tmp_path: Path) -> None:
    from skywarden.ingest.examples import EXAMPLES

    src = tmp_path / "ok.sbs"
    src.write_bytes(EXAMPLES["sbs"])
    res = runner.invoke(app, ["ingest", str(src), "--out", str(tmp_path / "d.jsonl")])
    assert res.exit_code == 0, res.output
    assert "nothing accepted" not in res.output


def test_parsers_still_return_the_whole_raw(tmp_path: Path) -> None:
    """The cap is the quarantine file's: a parser's Rejection keeps all of its raw."""
    p = make_parser("visual", "v")
    long = b'{"t": "' + b"z" * 10_000 + b'"}\n'
    (rej,) = p.feed(long, 0.0)
    assert isinstance(rej, Rejection) and len(rej.raw) > 10_000
