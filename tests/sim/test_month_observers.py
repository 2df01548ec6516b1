"""``month plan/run --bird-reports``: observers who take birds for drones, per sector."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.sim.month import MonthError, plan_month


def _visual(plan: object) -> list[dict]:
    return [s for t in plan.tiles for s in t.doc["sensors"] if s["kind"] == "visual"]  # type: ignore[attr-defined]


def test_the_rate_reaches_every_sectors_observers() -> None:
    plain = plan_month(seed=5, days=1.0, quiet_s=300.0)
    birds = plan_month(seed=5, days=1.0, quiet_s=300.0, bird_reports=2.0, bird_range_m=6000.0)
    assert _visual(plain) and all("bird_reports_per_target_hour" not in s for s in _visual(plain))
    assert all(s["bird_reports_per_target_hour"] == 2.0 for s in _visual(birds))
    assert all(s["bird_range_max_m"] == 6000.0 for s in _visual(birds))
    assert len(_visual(birds)) == len(_visual(plain))
    # each sector's scenario takes it: the sensor model reads the field
    t = next(t for t in birds.tiles if t.sensed)
    vis = [s for s in t.scenario().sensors if s.kind == "visual"]
    assert vis and vis[0].bird_reports_per_target_hour == 2.0  # type: ignore[union-attr]
    # the truth does not depend on what the observers report
    assert [(i.launch_t, i.km) for i in birds.incursions] == [
        (i.launch_t, i.km) for i in plain.incursions
    ]


def test_a_bad_rate_is_refused() -> None:
    with pytest.raises(MonthError, match="--bird-reports"):
        plan_month(days=1.0, bird_reports=-1.0)
    with pytest.raises(MonthError, match="--bird-range-m"):
        plan_month(days=1.0, bird_reports=1.0, bird_range_m=0.0)


def test_the_plan_records_it(tmp_path: Path) -> None:
    out = tmp_path / "m"
    r = CliRunner().invoke(
        app, ["month", "plan", "--out", str(out), "--days", "1", "--bird-reports", "3"]
    )
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "border.json").read_text())
    rates = [
        s["bird_reports_per_target_hour"]
        for sec in doc["sectors"]
        if sec.get("scenario")
        for s in sec["scenario"]["sensors"]
        if s["kind"] == "visual"
    ]
    assert rates and set(rates) == {3.0}
    bad = CliRunner().invoke(
        app, ["month", "plan", "--out", str(out), "--days", "1", "--bird-reports", "-1"]
    )
    assert bad.exit_code == 2 and "--bird-reports" in bad.output
