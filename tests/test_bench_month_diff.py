"""bench/month_diff.py: two runs of a month matched unit by unit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench_loader import load_bench
from month_unit_rows import unit_row

_u = unit_row


def test_units_match_by_sector_and_closest_time_each_once() -> None:
    b = load_bench("month_diff")
    a_units = [_u("S01", 100.0), _u("S01", 103.0), _u("S02", 100.0)]
    b_units = [_u("S01", 102.0), _u("S02", 200.0), _u("S03", 100.0)]
    pairs, only_a, only_b = b.match(a_units, b_units, 5.0)
    # S01 at 102 is 1 s from 103 and 2 s from 100: the closer takes it
    assert [(p[0]["t"], p[1]["t"]) for p in pairs] == [(103.0, 102.0)]
    assert [u["t"] for u in only_a] == [100.0, 100.0]
    assert {(u["sector"], u["t"]) for u in only_b} == {("S02", 200.0), ("S03", 100.0)}


def test_diff_names_changed_verdicts_and_the_weighted_count_change() -> None:
    b = load_bench("month_diff")
    a_units = [_u("S01", 10.0), _u("S01", 500.0, truth="bird", w=288.0), _u("S05", 9.0)]
    b_units = [
        _u("S01", 11.0),
        _u("S01", 500.5, verdict="suspected", truth="bird", w=288.0),
        _u("S07", 50.0, verdict="from the US", truth="hobby"),
    ]
    d = b.diff(a_units, b_units, 5.0)
    assert d["matched"] == 2 and d["matched_same"] == 1
    assert [(c["a"]["verdict"], c["b"]["verdict"]) for c in d["changed"]] == [
        ("counted", "suspected")
    ]
    assert [u["sector"] for u in d["only_a"]] == ["S05"]
    assert [u["sector"] for u in d["only_b"]] == ["S07"]
    assert d["count_a"] == {"counted": 290.0, "planned": 2.0, "false": 288.0}
    assert d["count_b"] == {"counted": 1.0, "planned": 1.0, "false": 0.0}
    assert d["count_change"] == {"counted": -289.0, "planned": -1.0, "false": -288.0}


def test_a_units_file_is_read_and_a_wrong_file_refused(tmp_path: Path) -> None:
    b = load_bench("month_diff")
    good = tmp_path / "units.json"
    good.write_text(json.dumps({"summary": {}, "units": [_u("S01", 1.0)]}))
    assert b.load_units(good)[0]["sector"] == "S01"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"rows": []}))
    with pytest.raises(SystemExit, match="not a month_units --out file"):
        b.load_units(bad)
    with pytest.raises(SystemExit, match="not a month directory"):
        b.load_units(tmp_path)
