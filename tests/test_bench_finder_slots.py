"""bench/finder_slots.py: a track's per-finder slots read after every step of a replay."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

from bench_loader import run_bench

GOLDEN = Path(__file__).resolve().parent / "golden"


def _window(tmp_path: Path) -> Path:
    """The golden 30 s of El Paso detections with their sector.json (the frame)."""
    det = tmp_path / "detections.jsonl"
    with gzip.open(GOLDEN / "detections.jsonl.gz", "rb") as src:
        det.write_bytes(src.read())
    shutil.copy(GOLDEN / "sector.json", tmp_path / "sector.json")
    return det


def test_every_filled_slot_is_read_and_one_track_can_be_asked(tmp_path: Path) -> None:
    det = _window(tmp_path)
    out = tmp_path / "all.json"
    r = run_bench("finder_slots", "--detections", str(det), "--out", str(out))
    assert r.returncode == 0, r.stderr
    rows = json.loads(out.read_text())["rows"]
    assert rows, "the golden window's RF bearings fill some slots"
    assert all(x["finder"].startswith("rf-") and x["w"] >= 0.0 for x in rows)
    assert len({x["track"] for x in rows}) > 1
    # the busiest track alone: its rows, step by step, and nothing else
    busiest = max({x["track"] for x in rows}, key=lambda k: sum(x["track"] == k for x in rows))
    one = tmp_path / "one.json"
    r = run_bench(
        "finder_slots", "--detections", str(det), "--track", str(busiest), "--out", str(one)
    )
    assert r.returncode == 0, r.stderr
    mine = json.loads(one.read_text())["rows"]
    assert mine == [x for x in rows if x["track"] == busiest]
    assert [x["t"] for x in mine] == sorted(x["t"] for x in mine)


def test_without_the_per_finder_test_it_says_why_nothing_was_read(tmp_path: Path) -> None:
    det = _window(tmp_path)
    cfg = tmp_path / "off.yaml"
    cfg.write_text("classifier:\n  rf_bias:\n    per_finder: false\n")
    r = run_bench("finder_slots", "--detections", str(det), "--config", str(cfg))
    assert r.returncode != 0
    assert "no finder slot was ever filled" in r.stderr


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    r = run_bench("finder_slots", "--detections", str(tmp_path / "none.jsonl"))
    assert r.returncode != 0
    assert "none.jsonl: no such file" in r.stderr
