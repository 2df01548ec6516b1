"""bench/month_warmup.py: planned drones' verdicts by how soon after their window opened
they crossed."""

from __future__ import annotations

import json
from pathlib import Path

from bench_loader import load_bench, run_bench
from month_unit_rows import unit_row

_u = unit_row


WINDOWS = {
    "S01": [
        {"start_t": 880.0, "end_t": 1000.0, "kind": "warmup"},
        {"start_t": 1000.0, "end_t": 2000.0, "kind": "incursion"},
        {"start_t": 2000.0, "end_t": 2300.0, "kind": "quiet"},
    ]
}


def test_a_crossing_is_timed_from_its_counted_window_not_the_warm_up() -> None:
    b = load_bench("month_warmup")
    assert b.window_opened(WINDOWS["S01"], 950.0) is None  # in the warm-up only
    assert b.window_opened(WINDOWS["S01"], 1075.0) == 1000.0
    assert b.window_opened(WINDOWS["S01"], 2100.0) == 2000.0
    assert b.label(b.bin_of(75.0)) == "60-90 s"
    assert b.label(len(b.EDGES) - 2) == ">= 300 s"


def test_bins_count_planned_drones_only_and_name_the_ones_set_apart() -> None:
    b = load_bench("month_warmup")
    units = [
        _u("S01", 1075.0),
        _u("S01", 1080.0, verdict="suspected"),
        _u("S01", 1400.0),
        _u("S01", 1085.0, truth="bird"),  # not a planned drone: not in the table
        _u("S09", 1075.0),  # a sector without windows: left out
    ]
    rows = b.by_bin(units, WINDOWS)
    early = rows[b.bin_of(75.0)]
    assert (early["units"], early["counted"]) == (2, 1)
    assert [u["verdict"] for u in early["not_counted"]] == ["suspected"]
    late = rows[b.bin_of(400.0)]
    assert (late["units"], late["counted"]) == (1, 1)
    assert sum(r["units"] for r in rows) == 3


def test_a_directory_that_is_not_a_month_or_units_short_are_refused(tmp_path: Path) -> None:
    r = run_bench("month_warmup", str(tmp_path))
    assert r.returncode != 0 and "not a month directory" in r.stderr
    (tmp_path / "border.json").write_text(json.dumps({"sampling": {"warmup_s": 60}}))
    r = run_bench("month_warmup", str(tmp_path), str(tmp_path), "--units", "u.json")
    assert r.returncode != 0 and "one file per month" in r.stderr


def test_a_fed_warm_up_is_named_in_its_column(tmp_path: Path) -> None:
    b = load_bench("month_warmup")
    fed, whole = tmp_path / "fed", tmp_path / "whole"
    for d, s in ((fed, {"warmup_s": 120, "warmup_fed_s": 60}), (whole, {"warmup_s": 120})):
        d.mkdir()
        (d / "border.json").write_text(json.dumps({"sampling": s}))
    got = [
        {"name": d.name, "warmup_s": b.warmup_s(d), "warmup_fed_s": b.warmup_fed_s(d)}
        for d in (fed, whole)
    ]
    assert [b.column(m) for m in got] == [
        "warm-up 120 s, fed 60 s (fed)",
        "warm-up 120 s (whole)",
    ]
