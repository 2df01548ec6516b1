"""``skywarden ingest``: the command-line contract, end to end on real files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.ingest.examples import EXAMPLES

runner = CliRunner(env={"COLUMNS": "200"})  # rich wraps tables at 80 columns


def test_ingest_detects_formats_and_counts_by_reason(
    tmp_path: Path, dump1090_bin: Path, sbs1_msgs: Path
) -> None:
    bad = tmp_path / "bad.sbs"
    bad.write_bytes(
        b"MSG,3,1,1,4840D6,1,2026/02/11,03:10:00.200,2026/02/11,03:10:00.200,,"
        b"36000,,,91.5,3.9194,,,0,0,0,0\nMSG,3,1,1,ZZZZZZ\n"
    )
    out, quarantine = tmp_path / "det.jsonl", tmp_path / "rej.jsonl"
    result = runner.invoke(
        app,
        [
            "ingest",
            str(dump1090_bin),
            str(sbs1_msgs),
            str(bad),
            "--out",
            str(out),
            "--quarantine",
            str(quarantine),
            "--reference-time",
            "2026-02-11T03:00:00Z",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "beast" in result.output and "sbs" in result.output
    assert "impossible_value: 1" in result.output
    detections = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(detections) == 1 + 74  # Beast sample: 3 positions, 2 wait for confirmation
    rejections = [json.loads(line) for line in quarantine.read_text().splitlines()]
    assert {(r["reason"], r["line"], r["field"]) for r in rejections} == {
        ("impossible_value", 1, "lat"),
        ("truncated", 2, "fields"),
    }
    assert all(r["source"] == str(bad) for r in rejections)


def test_forced_format_and_default_quarantine_path(tmp_path: Path) -> None:
    rid = tmp_path / "capture.bin"
    rid.write_bytes(EXAMPLES["rid"])
    out = tmp_path / "d.jsonl"
    result = runner.invoke(
        app,
        [
            "ingest",
            str(rid),
            "--format",
            "rid",
            "--out",
            str(out),
            "--reference-time",
            "1770779400",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d.rejected.jsonl").exists()
    (det,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert det["kind"] == "remote_id" and det["identity"]["rid_serial"] == "1596A12345678901"


def test_unknown_content_is_quarantined_not_fatal(tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("hello world\n")
    out = tmp_path / "d.jsonl"
    result = runner.invoke(app, ["ingest", str(junk), "--out", str(out)])
    # Quarantined, and (issue 14) a run that accepts nothing says so and exits 2.
    assert result.exit_code == 2, result.output
    assert "error: nothing accepted: all 1 messages rejected (1 unknown_format" in result.output
    (rej,) = [json.loads(x) for x in (tmp_path / "d.rejected.jsonl").read_text().splitlines()]
    assert rej["reason"] == "unknown_format"


def test_bad_arguments_are_named(tmp_path: Path) -> None:
    out = str(tmp_path / "d.jsonl")
    missing = runner.invoke(app, ["ingest", str(tmp_path / "nope.sbs"), "--out", out])
    assert missing.exit_code != 0 and "no such file" in missing.output
    fmt = runner.invoke(app, ["ingest", "-", "--format", "mp3", "--out", out])
    assert fmt.exit_code != 0 and "unknown format" in fmt.output


def test_sites_place_polar_asterix_plots(tmp_path: Path) -> None:
    capture = tmp_path / "radar.ast"
    capture.write_bytes(EXAMPLES["asterix"])  # CAT015 polar plot from SAC/SIC 1/2
    out = tmp_path / "d.jsonl"
    args = ["ingest", str(capture), "--out", str(out), "--reference-time", "1770779400"]
    unplaced = runner.invoke(app, args)
    # Nothing accepted (issue 14): exit 2, with the reason in the summary.
    assert unplaced.exit_code == 2 and "no_position: 1" in unplaced.output
    placed = runner.invoke(app, [*args, "--site", "1/2=31.8,-106.4,1200"])
    assert placed.exit_code == 0, placed.output
    (det,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert det["kind"] == "radar" and det["attrs"]["sac_sic"] == "1/2"
    bad = runner.invoke(app, [*args, "--site", "1/2=north"])
    assert bad.exit_code != 0 and "LAT,LON" in bad.output


def test_stdin_is_a_source(tmp_path: Path) -> None:
    out = tmp_path / "d.jsonl"
    result = runner.invoke(app, ["ingest", "-", "--out", str(out)], input=EXAMPLES["sbs"])
    assert result.exit_code == 0, result.output
    (det,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert det["identity"] == {"icao24": "4840d6", "callsign": "KLM1023"}
