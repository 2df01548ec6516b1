"""A drone that crosses, turns back and crosses again, through the real tracker and
analyzer: one incursion when it waited south less than X (10 min), two when longer.

The sensor reports are constructed (two counter-drone radars on masts along the
line); what the tracker and analyzer make of them is theirs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from analytics_build import (
    T0,
    path_out_and_back,
    radar_reports,
    write_detections,
    write_sector,
)
from typer.testing import CliRunner

from skywarden.analytics import compute_stats
from skywarden.analytics.counting import RECROSS_S
from skywarden.cli import app

REACH_M = 700.0
#: from crossing back south to crossing north again: out to REACH_M, the wait, and back
SOUTH_TRANSIT_S = 2 * REACH_M / 10.0


def _tracked(tmp_path: Path, south_s: float) -> Path:
    """Crossing back south, then north again ``south_s`` later (10 m/s flight)."""
    run = tmp_path / f"south{south_s:g}"
    write_sector(run)
    wait = south_s - SOUTH_TRANSIT_S
    path = path_out_and_back(T0, east_m=200.0, reach_m=REACH_M, wait_south_s=wait)
    dets = radar_reports("radar-w", path, 1275.0, seed=1)
    dets += radar_reports("radar-e", path, 1275.0, seed=2)
    write_detections(run / "detections.jsonl", dets)
    runner = CliRunner()
    for args in (
        ["track", str(run / "detections.jsonl"), "--out", str(run / "tracks.jsonl")],
        ["analyze", str(run / "tracks.jsonl"), "--out", str(run / "incidents.json")],
    ):
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
    return run


@pytest.mark.parametrize(("south_s", "expected"), [(RECROSS_S - 90.0, 1), (RECROSS_S + 90.0, 2)])
def test_crossing_back_and_again_counts_by_the_stated_rule_through_the_tracker(
    tmp_path: Path, south_s: float, expected: int
) -> None:
    run = _tracked(tmp_path, south_s)
    events = json.loads((run / "incidents.json").read_text())["events"]
    ways = [e["direction"] for e in events if e["kind"] == "border_crossing"]
    assert ways == ["northbound", "southbound", "northbound"]
    stats = compute_stats(run)
    assert stats.count("track") == 1  # the tracker held the drone the whole time
    assert stats.count("incursion") == expected
    # The naive rule alerts on every crossing the analyzer reported, by every sensor.
    assert stats.count("alert") >= 2 * stats.count("incursion")
