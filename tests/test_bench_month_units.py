"""``bench/month_units.py``: which units make a month's error, and its refusal of a
directory that is not a month."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from bench_loader import load_bench, run_bench


def _bench() -> ModuleType:
    return load_bench("month_units")


def _row(unit: str, verdict: str, truth: str, weight: float = 1.0) -> dict[str, object]:
    return {"unit": unit, "verdict": verdict, "truth": truth, "weight": weight}


def test_the_wrong_units_are_false_counts_and_planned_drones_set_apart() -> None:
    b = _bench()
    rows = [
        _row("a", "counted", "month drone"),  # right
        _row("b", "counted", "bird", 288.0),  # a false unit in a quiet sample
        _row("c", "suspected", "month drone"),  # a real drone lost
        _row("d", "suspected", "bird"),  # right: set apart
        _row("e", "from_us", "hobby"),  # right: a hobby flight from the US
    ]
    assert [r["unit"] for r in b.wrong(rows)] == ["b", "c"]
    s = b.summary(rows)
    assert s["by_verdict_and_truth"]["counted"] == {"month drone": 1.0, "bird": 288.0}
    assert s["quiet_sample_units"] == ["b"]


def test_a_directory_that_is_not_a_month_is_refused_by_name(tmp_path: Path) -> None:
    r = run_bench("month_units", "--from", str(tmp_path))
    assert r.returncode != 0
    assert f"{tmp_path} is not a month directory" in r.stderr


def test_any_rule_parameter_can_be_set_by_name_and_bad_ones_are_refused() -> None:
    import pytest

    b = _bench()
    assert b.parse_params(["rf_located_m=inf", "rf_sites=2"]) == {
        "rf_located_m": float("inf"),
        "rf_sites": 2,
    }
    for bad, said in (
        ("rf_located", "NAME=VALUE"),
        ("nope=1", "NAME=VALUE"),
        ("rf_late_s=x", "not a number"),
    ):
        with pytest.raises(SystemExit, match=said):
            b.parse_params([bad])
