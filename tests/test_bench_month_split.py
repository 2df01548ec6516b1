"""``bench/month_split.py``: the estimate's error split between sensed and unsensed
stretches adds up to the total error, and the unsensed share is set against the rate
model's."""

from __future__ import annotations

from types import ModuleType

import pytest

from bench_loader import load_bench


def _bench() -> ModuleType:
    return load_bench("month_split")


def _border() -> dict[str, object]:
    # A watched 30 km stretch, an unwatched 10 km one of twice the rate weight, and a
    # watched one whose sector did not finish.
    return {
        "sectors": [
            {"id": "S0", "sensed": True, "stretch_km": [0.0, 30.0], "rate_weight_per_km": 1.0},
            {"id": "S1", "sensed": False, "stretch_km": [30.0, 40.0], "rate_weight_per_km": 2.0},
            {"id": "S2", "sensed": True, "stretch_km": [40.0, 70.0], "rate_weight_per_km": 1.0},
        ]
    }


def test_the_two_parts_add_up_to_the_total_error() -> None:
    b = _bench()
    truth = [{"stretch": "S0"}] * 10 + [{"stretch": "S1"}] * 6 + [{"stretch": "S2"}] * 5
    segments = [
        {"sector": "S0", "estimated": 6.0},
        {"sector": "S0", "estimated": 3.0},  # 9 for 10: the chain missed one
        {"sector": "S1", "estimated": 4.0},  # 4 expected for 6 that crossed
        {"sector": "S2", "estimated": 50.0},  # unfinished: left out
    ]
    s = b.estimate_split(_border(), truth, segments, {"S2"})
    assert s["sensed"]["truth"] == 10 and s["sensed"]["estimated"] == 9.0
    assert s["unsensed"]["truth"] == 6 and s["unsensed"]["estimated"] == 4.0
    total_error = (9.0 + 4.0 - 16) / 16
    parts = s["sensed"]["share_of_total_error"] + s["unsensed"]["share_of_total_error"]
    assert parts == pytest.approx(total_error, abs=1e-4)
    assert s["unsensed"]["error_vs_its_truth"] == pytest.approx(-2 / 6, abs=1e-4)
    # weights: S0 30 x 1 against S1 10 x 2 (S2 left out)
    assert s["unsensed_share"]["rate_model"] == pytest.approx(20 / 50, abs=1e-4)
    assert s["unsensed_share"]["truth"] == pytest.approx(6 / 16, abs=1e-4)
    _what, value, note = b.split_row(s)
    assert "-6.2%" in value and "-12.5%" in value
    assert "37.5%" in note and "40.0%" in note


def test_truth_of_a_sector_the_border_does_not_know_is_left_out() -> None:
    b = _bench()
    s = b.estimate_split(_border(), [{"stretch": "S9"}, {"stretch": "S0"}], [])
    assert s["sensed"]["truth"] == 1 and s["unsensed"]["truth"] == 0
    assert s["unsensed"]["error_vs_its_truth"] is None


def test_a_month_planned_with_no_incursion_prints_its_row() -> None:
    # A quiet-only run (``month run --per-month 1``) can hold no truth at all: the
    # shares are then undefined, printed as "-", not a crash.
    b = _bench()
    s = b.estimate_split(_border(), [], [{"sector": "S0", "estimated": 0.0}], set())
    assert s["unsensed_share"]["truth"] is None
    _label, errors, detail = b.split_row(s)
    assert errors == "- -"
    assert "truth's unsensed share -" in detail and "the rate model's 25.0%" in detail
