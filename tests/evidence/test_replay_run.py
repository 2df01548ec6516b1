"""``skywarden replay --verify RUN``: identical when untouched, a named record when not."""

from __future__ import annotations

import json
from pathlib import Path

from tests.evidence.conftest import record_run
from typer.testing import CliRunner

from skywarden.cli import app

runner = CliRunner()


def replay(target: Path, *extra: str) -> tuple[int, str]:
    r = runner.invoke(app, ["replay", "--verify", str(target), *extra])
    return r.exit_code, r.output


def test_evidence_leaves_the_run_outputs_byte_identical(recorded_run: Path, tmp_path: Path) -> None:
    plain = record_run(tmp_path / "plain")
    for name in ("detections.jsonl", "tracks.jsonl", "incidents.json", "truth.jsonl"):
        assert (plain / name).read_bytes() == (recorded_run / name).read_bytes(), name
    assert not (plain / "raw.jsonl").exists()
    lines = (recorded_run / "detections.jsonl").read_text().splitlines()
    raws = [json.loads(x)["raw"] for x in (recorded_run / "raw.jsonl").read_text().splitlines()]
    assert raws == lines  # the chained bytes are the lines the tracker received


def test_a_clean_run_replays_byte_identical(run_dir: Path) -> None:
    code, out = replay(run_dir)
    assert code == 0, out
    assert "IDENTICAL" in out
    n = len((run_dir / "tracks.jsonl").read_text().splitlines())
    assert f"{n} tracks.jsonl lines" in out
    assert "chain OK" in out


def test_tampering_with_one_raw_record_fails_at_exactly_that_record(run_dir: Path) -> None:
    path = run_dir / "raw.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    k = 777
    rec = json.loads(lines[k])
    assert rec["i"] == k
    det = json.loads(rec["raw"])
    det["sensor"] = det["sensor"] + "x"  # one stored raw record, nothing else
    rec["raw"] = json.dumps(det, separators=(",", ":"))
    lines[k] = json.dumps(rec, separators=(",", ":")) + "\n"
    path.write_text("".join(lines))
    code, out = replay(run_dir)
    assert code == 1
    assert f"chain broken at record {k} (raw.jsonl line {k + 1})" in out
    assert f"t={rec['t']!r}" in out
    assert f"found {rec['h']}" in out
    assert "IDENTICAL" not in out


def test_a_dropped_record_is_named(run_dir: Path) -> None:
    path = run_dir / "raw.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:100] + lines[101:]))
    code, out = replay(run_dir)
    assert code == 1
    assert "record 100 (raw.jsonl line 101)" in out
    assert "missing" in out


def test_a_changed_output_is_the_first_divergence(run_dir: Path) -> None:
    path = run_dir / "tracks.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    k = 40
    original = lines[k].rstrip("\n")
    u = json.loads(lines[k])
    u["lat"] += 1e-6
    lines[k] = json.dumps(u, separators=(",", ":")) + "\n"
    path.write_text("".join(lines))
    code, out = replay(run_dir)
    assert code == 1
    assert f"first divergence at tracks.jsonl line {k + 1}" in out
    assert f"replayed: {original}" in out
    assert f"recorded: {lines[k].rstrip()}" in out
    assert "chain OK" in out  # the inputs were intact: the output is what changed


def test_another_version_is_refused_unless_forced(run_dir: Path) -> None:
    path = run_dir / "evidence.json"
    doc = json.loads(path.read_text())
    doc["version"]["skywarden"] = "0.0.1"
    path.write_text(json.dumps(doc))
    code, out = replay(run_dir)
    assert code == 3
    assert "recorded with skywarden '0.0.1'" in out
    assert "replay with the same version" in out
    code, out = replay(run_dir, "--force")
    assert code == 0, out
    assert "warning" in out and "0.0.1" in out


def test_a_run_without_evidence_says_how_to_record_it(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    code, out = replay(tmp_path / "run")
    assert code == 2
    assert "evidence.json" in out and "--evidence" in out


def test_an_unreadable_raw_line_is_a_broken_record(run_dir: Path) -> None:
    path = run_dir / "raw.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    lines[12] = lines[12][:40] + "\n"  # cut short: no longer JSON
    path.write_text("".join(lines))
    code, out = replay(run_dir)
    assert code == 1
    assert "chain broken at record 12 (raw.jsonl line 13)" in out
    assert "not a chain record" in out


def test_a_changed_scan_head_is_named(run_dir: Path) -> None:
    path = run_dir / "heads.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    head = json.loads(lines[9])
    head["h"] = "f" * 64
    lines[9] = json.dumps(head) + "\n"
    path.write_text("".join(lines))
    code, out = replay(run_dir)
    assert code == 1
    assert "(heads.jsonl line 10)" in out and "scan head differs from the chain" in out
