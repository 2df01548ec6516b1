"""The 10-11 Feb 2026 what-if: the shipped scenario through the policy (laser TFR aside)."""

from __future__ import annotations

from pathlib import Path

import pytest

from skywarden.airspace.whatif import LaserMeasure, WhatIfError, load_whatif, markdown, run_whatif
from skywarden.model import Action

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "el-paso-2026-02-10.yaml"


@pytest.fixture(scope="module")
def result():
    w = load_whatif(SCENARIO)
    laser = LaserMeasure(
        "laser test",
        w.window.start.timestamp() + 3600,
        w.window.start.timestamp() + 3 * 3600,
        {"polygon_area_nm2": 100.0, "ceiling_ft_msl": 20000.0},
        [{"airport": "KELP", "runway": "22", "kind": "arrival"}],
    )
    return run_whatif(w, laser)


def test_the_sighting_pauses_only_the_runway_directions_it_threatens(result):
    restricting = {
        (r.action, r.runways)
        for r in result.recommendations
        if r.action not in (Action.NOTIFY, Action.MONITOR)
    }
    assert (Action.PAUSE_ARRIVALS, ("26L",)) in restricting
    assert (Action.PAUSE_DEPARTURES, ("08R",)) in restricting
    assert not {a for a, _ in restricting} & {Action.PAUSE_ALL, Action.TFR}
    crossings = [e for e in result.events if e.kind == "border_crossing"]
    assert [c.attrs["direction"] for c in crossings] == ["northbound", "southbound"]


def test_minutes_beside_the_real_closure(result):
    m = result.minutes
    assert 15 <= m["KELP 26L"]["arrivals"] <= 40
    assert m["KELP 22"]["arrivals"] == 120.0  # the laser window on a touched flow
    assert "KELP 04" not in m or m["KELP 04"].get("departures", 0) == 0
    assert result.airports_closed == ["KELP", "KBIF"]
    assert result.actual_minutes == {"low": 420.0, "high": 480.0, "announced": 14400.0}
    md = markdown(result)
    assert "| KELP 26L |" in md and "FDC 6/2233" in md and "Gatwick" in md


def test_bad_whatif_files_name_the_key(tmp_path):
    p = tmp_path / "w.yaml"
    p.write_text(SCENARIO.read_text().replace("radius_nm: 10", "radius_nm: -1"))
    with pytest.raises(WhatIfError) as err:
        load_whatif(p)
    assert err.value.key == "actual.radius_nm"
    p.write_text("kind: whatif\nname: x\n")
    with pytest.raises(WhatIfError, match="sector"):
        load_whatif(p)


def test_sighting_evidence_kinds_are_the_model_kinds():
    from typing import get_args

    from skywarden.airspace.whatif import EVIDENCE_KINDS_T
    from skywarden.model import EVIDENCE_KINDS

    assert get_args(EVIDENCE_KINDS_T) == EVIDENCE_KINDS


def test_the_pause_rests_on_the_sightings_stated_evidence(result):
    pause = next(r for r in result.recommendations if r.action == Action.PAUSE_ARRIVALS)
    assert pause.evidence == ("radar_class", "rf_geometry") and pause.confidence == 0.95
    foreign = [r for r in result.recommendations if r.action == Action.NOTIFY_FOREIGN]
    assert foreign and {r.airport for r in foreign} == {"MMCS"}
