"""Which side of a winding border a point is on, and crossings on sectors the tests never saw.

The side test once split the sector box into two polygons by the border. On the Yuma
sector (the border turns from the Colorado River onto the straight Sonora line) that split
classed the whole box as north, so no crossing was ever confirmed there: 0 of 7 on a
15-minute run. These tests pin the side rule on a line with sharp turns against a
polygon drawn by hand, and run a generated sector end to end.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Polygon
from typer.testing import CliRunner

from skywarden.airspace.border import BorderCrossingDetector
from skywarden.airspace.chain import run_chain
from skywarden.cli import app

# East, then a sharp right turn to the south-west, then a sharp left turn to the
# east-south-east: the shape of the border at San Luis Rio Colorado. US on the left.
ZIGZAG = LineString([(-20_000.0, 5000.0), (5000.0, 5000.0), (0.0, 0.0), (20_000.0, -2000.0)])
# The US side of ZIGZAG closed far to the north, drawn by hand as the reference.
NORTH = Polygon([*ZIGZAG.coords, (20_000.0, 40_000.0), (-20_000.0, 40_000.0)])


def test_side_of_a_winding_line_matches_a_hand_drawn_polygon() -> None:
    det = BorderCrossingDetector(ZIGZAG, hysteresis_m=40.0, extent_m=30_000.0)
    gx, gy = np.meshgrid(np.linspace(-19_500, 19_500, 79), np.linspace(-25_000, 25_000, 101))
    x, y = gx.ravel(), gy.ravel()
    away = shapely.distance(shapely.points(x, y), ZIGZAG) > 50.0
    x, y = x[away], y[away]
    expected = np.where(shapely.contains_xy(NORTH, x, y), 1, -1)
    assert np.array_equal(det.side_of(x, y), expected)
    assert np.array_equal(det.firm_side(x, y), expected)


def test_a_point_whose_nearest_border_point_is_a_turn_is_on_the_outside_of_the_turn() -> None:
    det = BorderCrossingDetector(ZIGZAG, hysteresis_m=40.0, extent_m=30_000.0)
    # South-west of the left turn at (0, 0): beyond the end of the south-west leg, so that
    # leg's line has it on its left, yet it is in Mexico.
    assert det.side_of(np.array([-3000.0]), np.array([-20_000.0])).tolist() == [-1]


def test_a_flight_from_beyond_a_turn_is_one_northbound_crossing() -> None:
    det = BorderCrossingDetector(ZIGZAG, hysteresis_m=40.0, extent_m=30_000.0)
    n = 2001
    t = np.arange(n, dtype=float)
    track = np.column_stack(
        [t, np.full(n, -3000.0), np.linspace(-20_000.0, 20_000.0, n), np.full(n, 300.0)]
    )
    found = []
    prev = np.full(4, np.nan)
    for row in track:
        found += det.step(np.array([0]), prev[None, :], row[None, :])
        prev = row
    assert [c.direction_name for c in found] == ["northbound"]
    assert (found[0].x, found[0].y) == pytest.approx((-3000.0, 5000.0))


def test_the_yuma_sector_finds_its_crossings(tmp_path: Path) -> None:
    # A sector no test was written for: Yuma (KNYL) - Mexicali (MMML). The truth stand-in
    # (noisy truth, not a tracker) isolates the airspace stage.
    out = tmp_path / "yuma.yaml"
    res = CliRunner().invoke(
        app, ["sector", "new", "--airport", "KNYL", "--airport", "MMML", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    # Eight minutes: a crossing in the last seconds would not be confirmed yet (the track
    # must be 40 m beyond the line), which is the end of input, not a miss.
    chain = run_chain(out, seed=5, duration_s=480.0, tracker=False)
    score = chain.scores["border_crossing"]
    assert score.truth >= 3  # two smugglers cross, one of them back again
    assert score.recall >= 0.97
    assert score.false == 0
