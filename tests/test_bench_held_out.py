"""``bench/held_out.py``: the bound a month's false quiet units are held to.

The bound is the issue's argument for "months in general"; its arithmetic and its refusal
of a run that was not a quiet one are checked here, on result files written as
``bench/month.py`` writes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench_loader import load_bench


def _result(path: Path, planned: int, quiet_h: float, counted: int) -> Path:
    doc: dict[str, Any] = {
        "commit": "abc1234",
        "result": {
            "seed": 7,
            "truth": {"all": planned},
            "sampling": {"quiet_sample_s": quiet_h * 3600.0, "quiet_mean_weight": 12.0},
            "composition": {
                "incursion": {"quiet_units": counted},
                "track": {"quiet_units": counted + 5},
            },
        },
    }
    path.write_text(json.dumps(doc))
    return path


def _month(quiet_h: float, truth: int) -> dict[str, Any]:
    s = {"quiet_sample_s": quiet_h * 3600.0 / 300.0, "quiet_mean_weight": 300.0}
    return {"result": {"sampling": s, "truth": {"all": truth}}}


def test_none_counted_bounds_the_rate_by_three_over_the_hours(tmp_path: Path) -> None:
    b = load_bench("held_out")
    runs = [b.read_run(_result(tmp_path / f"r{i}.json", 1, 500.0, 0)) for i in range(2)]
    s = b.summarise(runs, _month(40_000.0, 1_000), 0.95, 0.05)
    assert s["held_out_quiet_h"] == 1000.0 and s["counted_in_quiet"] == 0
    assert s["rate_per_h_upper"] == pytest.approx(2.9957 / 1000.0, rel=1e-4)
    assert s["bias_pct_upper"] == pytest.approx(100 * 2.9957 * 40.0 / 1000.0, abs=0.01)
    # 5 % of 1,000 is 50 units in 40,000 h: 2.9957 / (50 / 40,000) hours with none counted
    assert s["hours_for_goal_if_none"] == pytest.approx(2396.0, abs=1.0)
    assert s["hours_for_goal_if_none_more"] == s["hours_for_goal_if_none"]
    assert [p["hours"] for p in s["cumulative"]] == [500.0, 1000.0]
    assert s["central_pct"] == 0.0


def test_a_counted_unit_widens_the_bound_and_leaves_no_hours_target(tmp_path: Path) -> None:
    b = load_bench("held_out")
    runs = [b.read_run(_result(tmp_path / "r.json", 0, 1000.0, 1))]
    s = b.summarise(runs, _month(40_000.0, 1_000), 0.95, 0.05)
    assert s["rate_per_h_upper"] == pytest.approx(4.7439 / 1000.0, rel=1e-4)
    assert s["central_pct"] == pytest.approx(4.0)
    assert s["hours_for_goal_if_none"] is None
    # with one already counted: 4.7439 / (50 / 40,000) hours, if none more is
    assert s["hours_for_goal_if_none_more"] == pytest.approx(3795.0, abs=1.0)
    assert runs[0].crossing_tracks == 6


def test_a_run_with_incursions_is_not_a_held_out_quiet_run(tmp_path: Path) -> None:
    b = load_bench("held_out")
    with pytest.raises(SystemExit, match="not a quiet run"):
        b.read_run(_result(tmp_path / "busy.json", 1300, 150.0, 0))


def test_every_pool_names_result_files_that_are_held_out_quiet_runs() -> None:
    # the pools are the argument's data: a missing or busy file fails here, not in a doc
    b = load_bench("held_out")
    results = Path(b.__file__).resolve().parent / "results"
    for name, (files, out, _label) in b.POOLS.items():
        assert files and out.endswith(".json"), name
        runs = [b.read_run(results / f) for f in files]
        if name == "line_first":  # wave 22's defaults: before wave 23, or the checks off
            line40: tuple[dict, ...] = (
                {},
                {"across_sigmas": 0.0},
                {"across_sigmas": 0.0, "rf_disowned_s": 0.0},
            )
            assert all(r.rule_params in line40 for r in runs)
        if name == "across":  # wave 23's defaults: counted before wave 25, or its check off
            assert all(r.rule_params in ({}, {"rf_disowned_s": 0.0}) for r in runs)
        if name == "disowned":  # the defaults since wave 25, named (wave 24's option)
            assert all(r.rule_params == {"rf_disowned_s": 120.0} for r in runs)
        if name == "astray":  # the defaults with the count's astray check (wave 30's)
            want = {"rf_disowned_s": 120.0, "rf_astray_s": 120.0}
            assert all(r.rule_params == want and r.seed >= 30 for r in runs)


def test_the_rule_a_run_was_counted_under_is_read(tmp_path: Path) -> None:
    b = load_bench("held_out")
    path = _result(tmp_path / "r.json", 1, 100.0, 0)
    doc = json.loads(path.read_text())
    doc["result"]["rule_params"] = {"line_first_m": 0.0}
    path.write_text(json.dumps(doc))
    assert b.read_run(path).rule_params == {"line_first_m": 0.0}
    assert b.read_run(_result(tmp_path / "old.json", 1, 100.0, 0)).rule_params is None
